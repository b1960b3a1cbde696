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
  // strategy "multi_worker" (MultiWorkerMirroredStrategy, one replica per
  // device of `devices`, empty: one on /cpu:0, in every process): the
  // cluster's task count and this task's rank
  // (ClusterSpec::num_tasks(), rank()). The session's runtime must carry the
  // cluster's communicator. Each training batch is the GLOBAL batch: cut to
  // a multiple of num_workers, and this worker trains on rows
  // [i*B/W, (i+1)*B/W) of it; every worker must see the same order.
  int num_workers = 1;
  int worker_index = 0;
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
  // multi_worker: the target that sets every variable to the chief's value
  // (Trainer::Create runs it once); otherwise invalid.
  Output sync_initial;
  int num_workers = 1;
  int worker_index = 0;
};

absl::StatusOr<Mlp> BuildMlp(GraphBuilder& b, const MlpOptions& options);
// The same model under options.strategy over `devices` (mlp_distributed.cc;
// the devices from examples::StrategyDevices, examples/common/strategy.h).
absl::StatusOr<Mlp> BuildDistributedMlp(GraphBuilder& b, const MlpOptions& options,
                                        std::span<const std::string> devices);

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
  // smaller), in an order shuffled by `shuffle_seed`. Metrics::examples
  // counts every example of the global batches (the cluster's throughput);
  // loss and accuracy are over the examples this process trained on (under
  // multi_worker, its shards).
  absl::StatusOr<Metrics> TrainEpoch(const Dataset& data, int batch_size, uint64_t shuffle_seed,
                                     const ProgressFn& progress = nullptr);
  // Loss and accuracy over `data`, without training.
  absl::StatusOr<Metrics> Evaluate(const Dataset& data, int batch_size = 1000);
  // One training step on examples `order` of `data` (multi_worker: this
  // worker's shard of them). Returns the mean loss and the count right of
  // the examples this process trained on (last_step_examples()).
  absl::StatusOr<std::pair<float, float>> Step(const Dataset& data,
                                               std::span<const int64_t> order);

  // The same step, traced (core/executor/step_trace.h): for profiling.
  absl::Status TracedStep(const Dataset& data, std::span<const int64_t> order,
                          RunMetadata& metadata);

  int64_t last_step_examples() const { return last_step_examples_; }
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
  int64_t last_step_examples_ = 0;
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
