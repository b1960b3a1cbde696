// The soak program's workloads: graphs run from many threads, each on a
// runtime and session made for one iteration and destroyed after it, each
// result checked against a reference computed once, up front, on a runtime
// of its own, and compared bit for bit (Note [Bit-exact soak checks] in
// checks.h; the program: bench/README.md).
//
//   ASSIGN_OR_RETURN(auto workloads, Workloads::Create());
//   Status s = workloads->RunIteration(Kind::kOom, seed, options, counters);
//
// Kinds:
// - kMlpTrain: the book's MNIST model (examples/fashion_mnist_mlp), small,
//   on synthetic batches: three SGD steps from the same initial weights,
//   then the logits of a batch.
// - kMultiDevice: two MatMul/Tanh branches on logical CPU:1 and CPU:2
//   joined on CPU:0 (three logical CPUs of one runtime); bit-identical to the
//   one-device reference.
// - kTraced: a traced step (RunOptions::trace) of the multi-device graph or
//   of an MLP training step; the results are the reference's, and the
//   trace has the reference's event count, devices and sane times.
// - kOom: a runtime whose logical CPU:1 has a 2 MiB limit; a small step,
//   then a step too large for CPU:1 (RESOURCE_EXHAUSTED naming the node and
//   the device), then a small step again, both small ones bit-identical to
//   the reference. Before the runtime goes, CPU:1's pool holds no buffer
//   but the kept results.
//
// Every iteration may keep one fetched tensor (for kOom, one from the
// limited CPU:1) past its runtime's destruction and check it again there
// (SoakOptions::keep_results_past_runtime).
//
// Thread-safety: after Create, RunIteration may be called from many threads
// at once; the references are read-only and the counters are atomics.
#ifndef GRAPHRT_BENCH_SOAK_WORKLOADS_H_
#define GRAPHRT_BENCH_SOAK_WORKLOADS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/tensor.h"
#include "examples/fashion_mnist_mlp/idx_reader.h"

namespace graphrt::soak {

enum class Kind : int { kMlpTrain = 0, kMultiDevice, kTraced, kOom };
inline constexpr int kNumKinds = 4;
const char* KindName(Kind kind);

struct SoakOptions {
  // Keep one fetched tensor per iteration until after its runtime is
  // destroyed, and check its values again then.
  bool keep_results_past_runtime = true;
};

// What the iterations did, by kind. Thread-safe (relaxed atomics).
struct Counters {
  std::array<std::atomic<int64_t>, kNumKinds> iterations{};
  std::array<std::atomic<int64_t>, kNumKinds> steps{};  // Run calls, OOM-ing ones included
  std::atomic<int64_t> expected_ooms{0};
  std::atomic<int64_t> runtimes{0};
  std::atomic<int64_t> sessions{0};
  std::atomic<int64_t> kept_past_runtime{0};
  // The largest bytes_reserved seen in a limited CPU pool since the memory
  // monitor last took it (exchanged to 0 there).
  std::atomic<int64_t> limited_pool_reserved{0};
};

class Workloads {
 public:
  // Computes the references (one thread each way). INTERNAL when a
  // reference cannot be computed or is not what it must be. `corrupt`
  // changes every reference afterwards, for the self-test that shows the
  // checks fail (--inject_fault=wrong_result).
  static absl::StatusOr<std::unique_ptr<Workloads>> Create(bool corrupt = false);

  // One iteration of `kind`; `seed` picks the variant (feeds, traced graph).
  // INTERNAL naming the step, the value and the reference on a wrong result;
  // the status of any unexpected failure, with the workload named.
  absl::Status RunIteration(Kind kind, uint64_t seed, const SoakOptions& options,
                            Counters& counters) const;

 private:
  Workloads() = default;
  absl::Status RunMlp(bool traced, const SoakOptions& options, Counters& counters) const;
  absl::Status RunMultiDevice(bool traced, uint64_t seed, const SoakOptions& options,
                              Counters& counters) const;
  absl::Status RunOom(uint64_t seed, const SoakOptions& options, Counters& counters) const;

  // kMlpTrain: the batches, per step the loss and hits, then the logits.
  mnist::Dataset mlp_data_;
  std::vector<std::vector<int64_t>> mlp_batches_;
  std::vector<std::pair<float, float>> mlp_steps_;
  Tensor mlp_logits_;
  // kMultiDevice / kTraced: feeds and outputs; events of a traced step.
  std::vector<Tensor> md_feeds_, md_outputs_;
  size_t md_trace_events_ = 0;
  size_t mlp_trace_events_ = 0;
  // kOom: small feeds and their outputs.
  std::vector<Tensor> oom_feeds_, oom_outputs_;
};

}  // namespace graphrt::soak

#endif  // GRAPHRT_BENCH_SOAK_WORKLOADS_H_
