// The book's MNIST classifier and its training loop, over the public API.
//
// Model (Keras: Flatten, Rescaling(1/255), Dense(100, relu), Dense(10,
// softmax); sparse categorical cross-entropy; SGD): uint8 images [?, 28, 28]
// are reshaped to [?, 784], cast and scaled in the graph, then
// relu(x W1 + b1) W2 + b2 gives the logits. The softmax is fused into the
// loss (SparseSoftmaxCrossEntropyWithLogits), as Keras does for
// from_logits and TF does under the hood for a softmax output. Kernels are
// Glorot-uniform, biases zero, drawn from `seed`.
//
// Trainer runs epochs over a Dataset with a shuffle per epoch, batches fed
// as uint8 tensors, and evaluates loss and accuracy. With 1 inter-op and 1
// intra-op thread a run is reproducible bit for bit.
//
// Thread-safety: a Trainer is used by one thread.
#ifndef GRAPHRT_EXAMPLES_FASHION_MNIST_MLP_MLP_H_
#define GRAPHRT_EXAMPLES_FASHION_MNIST_MLP_MLP_H_

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "examples/fashion_mnist_mlp/idx_reader.h"

namespace graphrt::mnist {

struct MlpOptions {
  int hidden = 100;
  int classes = 10;
  float learning_rate = 0.01f;  // plain SGD, as the book
  uint64_t seed = 1;            // weight initialisation
  std::string device;           // the dense layers' device request; "": the placer's choice
  // Data parallelism (docs/distribute.md): "" (one replica), "mirrored" or
  // "central" (central storage, variables on /cpu:0), over `devices` (empty:
  // DefaultStrategyDevices of the session's runtime). Each training batch is
  // cut to a multiple of the replica count (the last one of an epoch may
  // lose a few examples); evaluation runs on one device, on replica 0's
  // variables, at any batch size.
  std::string strategy;
  std::vector<std::string> devices;
};

struct Mlp {
  Output images;   // feed: uint8 [?, 28, 28]
  Output labels;   // feed: int64 [?]
  Output logits;   // float32 [?, classes]
  Output loss;     // float32 scalar: mean cross-entropy of the batch
  Output correct;  // float32 scalar: how many predictions in the batch are right
  Output train;    // target: one SGD step on every variable
  std::vector<Variable> variables;  // W1, b1, W2, b2 (replica 0's under a strategy)
  // Evaluation: the feeds and results above without a strategy; with one, a
  // single-device forward pass on replica 0's variables.
  Output eval_images, eval_labels, eval_loss, eval_correct;
  int replicas = 1;
};

absl::StatusOr<Mlp> BuildMlp(GraphBuilder& b, const MlpOptions& options);
// The same model under options.strategy over `devices` (mlp_distributed.cc).
absl::StatusOr<Mlp> BuildDistributedMlp(GraphBuilder& b, const MlpOptions& options,
                                        std::span<const std::string> devices);
// options.devices, checked against `runtime`'s logical devices, or, when
// empty, DefaultStrategyDevices of them (runtime null: a runtime of one CPU).
absl::StatusOr<std::vector<std::string>> StrategyDevices(const MlpOptions& options,
                                                         Runtime* runtime);

struct Metrics {
  double loss = 0;      // mean over the examples seen
  double accuracy = 0;  // fraction right
  int64_t examples = 0;
  int64_t steps = 0;
  double seconds = 0;
};

// Called after each training step with the step number (1-based), the steps
// in the epoch, and the metrics so far.
using ProgressFn = std::function<void(int64_t step, int64_t steps, const Metrics& so_far)>;

class Trainer {
 public:
  static absl::StatusOr<std::unique_ptr<Trainer>> Create(const MlpOptions& options,
                                                         const SessionOptions& session_options);

  // One pass over `data` in batches of `batch_size` (the last may be
  // smaller), in an order shuffled by `shuffle_seed`.
  absl::StatusOr<Metrics> TrainEpoch(const Dataset& data, int batch_size, uint64_t shuffle_seed,
                                     const ProgressFn& progress = nullptr);
  // Loss and accuracy over `data`, without training.
  absl::StatusOr<Metrics> Evaluate(const Dataset& data, int batch_size = 1000);
  // One training step on examples `order[begin, end)` of `data`.
  absl::StatusOr<std::pair<float, float>> Step(const Dataset& data,
                                               std::span<const int64_t> order);

  // The same step, traced (core/executor/step_trace.h): for profiling.
  absl::Status TracedStep(const Dataset& data, std::span<const int64_t> order,
                          RunMetadata& metadata);

  Session& session() { return *session_; }
  const Mlp& model() const { return model_; }

 private:
  Trainer() = default;
  GraphBuilder builder_;
  Mlp model_;
  std::unique_ptr<Session> session_;
  Session::CallableHandle train_step_ = 0;
  Session::CallableHandle eval_step_ = 0;
  int replicas_ = 1;
};

// 0, 1, ..., n-1 in an order shuffled by `seed` (Fisher-Yates).
std::vector<int64_t> ShuffledOrder(int64_t n, uint64_t seed);

// Examples `order` of `data` gathered into one batch: uint8 images
// [n, 28, 28] and int64 labels [n], the feeds of a training or eval step
// (the CNN example feeds the same).
std::array<Tensor, 2> GatherBatch(const Dataset& data, std::span<const int64_t> order);

// Loss and accuracy over `data`, in order, in batches of `batch_size` (the
// last may be smaller; below 1 is an InvalidArgument error), by `eval_step`:
// a callable of `session` fed GatherBatch's [images, labels] and fetching
// [mean loss, correct count]. The Evaluate of both examples' trainers.
absl::StatusOr<Metrics> EvaluateInBatches(Session& session, Session::CallableHandle eval_step,
                                          const Dataset& data, int batch_size);

}  // namespace graphrt::mnist

#endif  // GRAPHRT_EXAMPLES_FASHION_MNIST_MLP_MLP_H_
