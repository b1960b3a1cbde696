// Training the CNN (cnn_model.h) in epochs that can stop and resume exactly:
// the example's loop, checkpoints and export, as a library so tests drive it.
//
//   auto t = CnnTrainer::Create(CnnOptions{}, session_options).value();
//   if (CnnTrainer::HasCheckpoint(dir)) RETURN_IF_ERROR(t->RestoreCheckpoint(dir));
//   while (t->state().epoch <= epochs) {
//     ASSIGN_OR_RETURN(EpochProgress p, t->TrainEpoch(train, 64, max_steps));
//     RETURN_IF_ERROR(t->SaveCheckpoint(dir));
//     if (!p.finished) break;  // stopped at max_steps
//   }
//
// State: the global step, the epoch in progress (1-based), how many of its
// examples are done, and its running loss and accuracy sums. The epoch's
// example order is ShuffledOrder(n, seed + epoch), a function of the state,
// so state plus variables (optimizer slots included) is all a resumed run
// needs to take the very steps an uninterrupted run takes: Note [Trainer
// state in the checkpoint] in cnn_trainer.cc. With one inter-op and one
// intra-op thread the two runs agree bit for bit (tests/examples/cnn_test.cc).
//
// Under a strategy (CnnOptions::strategy; cnn_distributed.h) the same loop
// trains every replica on its slice of each global batch; checkpoints hold
// replica 0's variables under the single-device names (a run with or
// without a strategy resumes them), and Export freezes replica 0's
// evaluation head (the single-device graph's names).
//
// Checkpoints live in a directory as `model.ckpt` (core/executor/checkpoint.h:
// written to a temporary file and renamed, so a crash leaves the previous
// one whole). Restoring one made with another optimizer or model is refused
// with the checkpoint code's list of mismatched variables.
//
// Thread-safety: a CnnTrainer is used by one thread.
#ifndef GRAPHRT_EXAMPLES_FASHION_MNIST_CNN_CNN_TRAINER_H_
#define GRAPHRT_EXAMPLES_FASHION_MNIST_CNN_CNN_TRAINER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "core/executor/checkpoint.h"
#include "core/executor/session.h"
#include "examples/common/strategy.h"
#include "examples/fashion_mnist_cnn/cnn_model.h"
#include "examples/fashion_mnist_mlp/idx_reader.h"
#include "examples/fashion_mnist_mlp/mlp.h"

namespace graphrt::mnist {

struct TrainerState {
  int64_t step = 0;      // training steps taken, over all epochs and runs
  int64_t epoch = 1;     // the epoch in progress (or next), 1-based
  int64_t position = 0;  // examples of that epoch already trained on
  double loss_sum = 0;   // sum over those examples of their loss
  int64_t correct = 0;   // how many of them were predicted right
};

struct EpochProgress {
  Metrics metrics;        // loss and accuracy over the whole epoch so far
                          // (resumed part included); examples, steps and
                          // seconds of this call only
  bool finished = false;  // the epoch ended (state moved to the next one)
};

class CnnTrainer {
 public:
  static absl::StatusOr<std::unique_ptr<CnnTrainer>> Create(const CnnOptions& options,
                                                            const SessionOptions& session_options);

  // Trains the epoch in progress from where it stands, in batches of
  // `batch_size` (the epoch's last may be smaller), until the epoch ends or
  // the global step reaches `max_steps` (0: no limit). `progress` gets the
  // step within the epoch, the epoch's steps and the metrics so far.
  absl::StatusOr<EpochProgress> TrainEpoch(const Dataset& data, int batch_size,
                                           int64_t max_steps = 0,
                                           const ProgressFn& progress = nullptr);
  // OK, or INVALID_ARGUMENT when a strategy cannot split a global batch of
  // `batch_size` evenly over its replicas (multi_worker: its workers),
  // naming the batch, the count and the nearest multiples. TrainEpoch
  // checks it first; call it before training to fail at once.
  absl::Status CheckBatchSize(int batch_size) const;
  // One training step on examples `order` of `data` (does not move the
  // state): loss and number right. Under a strategy, `order` is cut to a
  // multiple of workers x replicas first (last_step_examples(); Note [A
  // strategy's partial batch]); multi_worker trains this worker's shard,
  // and the first step runs the broadcast of the chief's values.
  absl::StatusOr<std::pair<float, float>> Step(const Dataset& data,
                                               std::span<const int64_t> order);
  // Loss and accuracy over `data`, without training.
  absl::StatusOr<Metrics> Evaluate(const Dataset& data, int batch_size = 500);
  // The logits of uint8 images [n, 28, 28]: the training graph's inference path.
  absl::StatusOr<Tensor> Logits(const Tensor& images);

  // `dir`/model.ckpt: every variable and the trainer state. Save makes `dir`.
  static bool HasCheckpoint(const std::string& dir);
  absl::Status SaveCheckpoint(const std::string& dir);
  absl::Status RestoreCheckpoint(const std::string& dir);
  // The frozen inference graph (feed "images"; fetch "logits" or
  // "probabilities") written as a graphrt GraphDef.
  absl::Status Export(const std::string& path);

  const TrainerState& state() const { return state_; }
  // Examples the last Step trained on (all workers' together).
  int64_t last_step_examples() const { return last_step_examples_; }
  // The strategy's model, or nullopt without a strategy.
  const std::optional<examples::StrategyModel>& strategy() const { return strategy_; }
  // 0 without multi_worker; the chief (0) alone should write files.
  int worker_index() const { return strategy_.has_value() ? strategy_->worker_index : 0; }
  uint64_t seed() const { return seed_; }
  Session& session() { return *session_; }
  const Cnn& model() const { return model_; }

 private:
  CnnTrainer() = default;
  absl::Status WriteStateVariable();
  absl::Status ReadStateVariable();

  GraphBuilder builder_;
  Cnn model_;
  Variable state_var_;
  uint64_t seed_ = 1;
  TrainerState state_;
  std::unique_ptr<Session> session_;
  Session::CallableHandle train_step_ = 0;
  Session::CallableHandle eval_step_ = 0;
  std::optional<examples::StrategyModel> strategy_;
  CheckpointOptions checkpoint_names_;  // SingleDeviceCheckpointNames under a strategy
  bool synced_ = false;                 // multi_worker: sync_initial has run
  int64_t last_step_examples_ = 0;
};

}  // namespace graphrt::mnist

#endif  // GRAPHRT_EXAMPLES_FASHION_MNIST_CNN_CNN_TRAINER_H_
