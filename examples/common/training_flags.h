// The command-line flags the Fashion-MNIST training examples share
// (fashion_mnist_mlp, fashion_mnist_cnn): the fields, and the argv walk that
// fills them. Each main derives its own Flags from TrainingFlags, sets its
// defaults there, and parses only its extra flags (ParseTrainingFlags'
// `extra`); its usage text stays in its main.cc.
//
// Thread-safety: none needed; parsed once at start-up by main().
#ifndef GRAPHRT_EXAMPLES_COMMON_TRAINING_FLAGS_H_
#define GRAPHRT_EXAMPLES_COMMON_TRAINING_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>
#include <string_view>

#include "absl/functional/function_ref.h"

namespace graphrt::examples {

struct TrainingFlags {
  int epochs = 1;
  int batch_size = 32;
  float learning_rate = 0;
  std::string device;  // empty: the session places each op
  bool log_device_placement = false;
  // Both models are chains of ops: a second inter-op thread has nothing to
  // overlap and only adds hand-offs (bench/RESULTS.md), so one runs the step
  // and the kernels split over every core.
  int inter_op_threads = 1;
  int intra_op_threads = 0;
  std::string csv;       // append per-epoch metrics here
  std::string data_dir;  // the main sets graphrt::mnist::kDefaultDataDir
  uint64_t seed = 1;     // weights and shuffles; README gives the spread over seeds
  int64_t train_examples = 0;  // 0: all 55,000 left after the validation split
  std::string trace;           // write a Chrome trace of 100 traced steps' last one here
  std::string placement_dot;   // write the session's placement as Graphviz DOT here
  int cpu_devices = 1;         // logical CPU devices (CPU:0 .. CPU:N-1)
  // Data parallelism (docs/distribute.md, examples/common/strategy.h): "",
  // "mirrored", "central" or "multi_worker", over `devices` (empty: every
  // GPU, else every logical CPU device). Naming /cpu:K in --devices raises
  // cpu_devices to at least K+1.
  std::string strategy;
  std::vector<std::string> devices;
};

enum class FlagParse {
  kUnknown,  // not this parser's flag
  kOk,
  kInvalid,  // this parser's flag, with a value it rejects
};

// Parses one common flag `arg` ("--epochs", ...) given its `value`.
FlagParse ParseTrainingFlag(std::string_view arg, const std::string& value, TrainingFlags& f);

// Walks argv: "--flag value" or "--flag=value"; --log-device-placement takes
// no value. Each flag goes first to `extra` (the main's own flags, which may
// also override a common one's validation), then, when `extra` answers
// kUnknown, to ParseTrainingFlag. Returns false on an unknown flag or a bad
// value, after printing "bad flag or value: FLAG VALUE" to stderr, and,
// silently, when the last flag lacks its value; the caller then prints usage.
bool ParseTrainingFlags(
    int argc, char** argv, TrainingFlags& f,
    absl::FunctionRef<FlagParse(std::string_view arg, const std::string& value)> extra);

}  // namespace graphrt::examples

#endif  // GRAPHRT_EXAMPLES_COMMON_TRAINING_FLAGS_H_
