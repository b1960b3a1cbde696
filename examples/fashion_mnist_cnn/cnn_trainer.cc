#include "examples/fashion_mnist_cnn/cnn_trainer.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/checkpoint.h"
#include "core/executor/freeze.h"
#include "core/executor/runtime.h"
#include "core/graph/io/graph_def.h"
#include "examples/fashion_mnist_cnn/cnn_distributed.h"

namespace graphrt::mnist {
namespace {

// Note [Trainer state in the checkpoint]
// Rationale: a resumed run must take exactly the steps the uninterrupted run
// would have taken. The variables (weights, momentum or Adam slots, Adam's
// beta powers) are in the session already; what is left is where the loop
// stands. Keeping it in a side file would let a crash between two renames
// pair weights from one step with a position from another.
// Approach: the state is one more variable of the graph, "trainer_state",
// int64 [5] = {step, epoch, position, correct, bits of the double loss_sum}
// (graphrt has no float64 tensors; the bits round-trip exactly). Nothing
// reads it in a step; it is written from the host just before a save and
// read back just after a restore, so the one checkpoint file, written
// atomically, holds weights and position together. FreezeGraph drops it
// like every variable nobody fetches.
// Limitations: the shuffle depends on the seed, which is not checked on
// restore: resuming with another --seed continues the position in another
// order (and another init is irrelevant, the weights being restored).
//
// Note [A strategy's partial batch]
// Rationale: a strategy splits every batch evenly over its replicas (and
// workers); an uneven split is refused, not padded (docs/distribute.md).
// Approach: --batch-size itself must split evenly: CheckBatchSize refuses
// it before the first step, naming the batch and the replica (worker)
// count. Only the epoch's last batch can be smaller; Step cuts it down to a
// multiple of workers x replicas (the MLP example does the same), so at
// most that many examples minus one go untrained per epoch, the same on
// every worker. The position still moves past them; the epoch's loss and
// accuracy are over the examples trained on.
// Limitations: under multi_worker the metrics are the chief's shards', its
// count right scaled by the workers (docs/distribute.md, "Limits").
constexpr int64_t kStateSize = 5;
constexpr char kStateName[] = "trainer_state";
constexpr char kCheckpointFile[] = "model.ckpt";

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

std::string CheckpointPath(const std::string& dir) { return dir + "/" + kCheckpointFile; }

}  // namespace

absl::StatusOr<std::unique_ptr<CnnTrainer>> CnnTrainer::Create(
    const CnnOptions& options, const SessionOptions& session_options) {
  std::unique_ptr<CnnTrainer> t(new CnnTrainer);
  t->seed_ = options.seed;
  CnnOptions model_options = options;
  if (session_options.runtime != nullptr) {
    for (const DeviceAttributes& d : session_options.runtime->ListLogicalDevices()) {
      if (d.type != "CPU") model_options.fuse_conv_layers = false;  // a CPU-only op
    }
  }
  if (options.strategy.strategy.empty()) {
    ASSIGN_OR_RETURN(t->model_, BuildCnn(t->builder_, model_options));
  } else {
    ASSIGN_OR_RETURN(std::vector<std::string> devices,
                     examples::ReplicaDevices(options.strategy.strategy,
                                              options.strategy.devices,
                                              session_options.runtime.get()));
    ASSIGN_OR_RETURN(DistributedCnn d, BuildDistributedCnn(t->builder_, model_options, devices));
    t->model_ = std::move(d.cnn);
    t->strategy_ = std::move(d.strategy);
    t->checkpoint_names_ = SingleDeviceCheckpointNames();
  }
  Tensor zeros(DataType::kInt64, {kStateSize});
  std::fill_n(zeros.data<int64_t>(), kStateSize, 0);
  t->state_var_ = t->builder_.NewVariable(kStateName, std::move(zeros));
  ASSIGN_OR_RETURN(Graph graph, t->builder_.Build());
  ASSIGN_OR_RETURN(t->session_, Session::Create(std::move(graph), session_options));
  const Cnn& m = t->model_;
  ASSIGN_OR_RETURN(t->train_step_,
                   t->session_->MakeCallable({m.train_images, m.train_labels},
                                             {m.train_loss, m.train_correct}, {m.train}));
  ASSIGN_OR_RETURN(t->eval_step_,
                   t->session_->MakeCallable({m.images, m.labels}, {m.loss, m.correct}));
  return t;
}

absl::Status CnnTrainer::CheckBatchSize(int batch_size) const {
  if (batch_size < 1) return absl::InvalidArgumentError("the batch size must be at least 1");
  if (!strategy_.has_value()) return absl::OkStatus();
  absl::Status s = strategy_->CheckGlobalBatch(batch_size);
  if (s.ok()) return s;
  return absl::InvalidArgumentError(absl::StrCat("--batch-size ", batch_size, ": ", s.message()));
}

absl::StatusOr<std::pair<float, float>> CnnTrainer::Step(const Dataset& data,
                                                         std::span<const int64_t> order) {
  int workers = 1;
  if (strategy_.has_value()) {
    // Note [A strategy's partial batch]: an epoch's last batch is cut to a
    // multiple of workers x replicas, the same cut on every worker.
    workers = strategy_->num_workers;
    const size_t unit = static_cast<size_t>(workers * strategy_->model.num_replicas());
    order = order.first(order.size() - order.size() % unit);
    if (strategy_->sync_initial.valid() && !synced_) {
      // Every worker starts from the chief's values: a collective, so every
      // worker runs it before its first step (after any restore).
      RETURN_IF_ERROR(session_->Run({}, {}, {strategy_->sync_initial}).status());
      synced_ = true;
    }
  }
  last_step_examples_ = static_cast<int64_t>(order.size());
  if (order.empty()) return std::make_pair(0.0f, 0.0f);
  if (workers > 1) {
    const size_t per_worker = order.size() / static_cast<size_t>(workers);
    order = order.subspan(static_cast<size_t>(strategy_->worker_index) * per_worker, per_worker);
  }
  std::array<Tensor, 2> feeds = GatherBatch(data, order);
  ASSIGN_OR_RETURN(std::vector<Tensor> out, session_->RunCallable(train_step_, feeds));
  // Multi-worker: this worker's shard stands for the batch (its mean loss;
  // its count right, times the workers).
  return std::make_pair(out[0].scalar<float>(),
                        out[1].scalar<float>() * static_cast<float>(workers));
}

absl::StatusOr<EpochProgress> CnnTrainer::TrainEpoch(const Dataset& data, int batch_size,
                                                     int64_t max_steps,
                                                     const ProgressFn& progress) {
  RETURN_IF_ERROR(CheckBatchSize(batch_size));
  if (state_.position > data.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the checkpoint stopped at example ", state_.position, " of epoch ",
                     state_.epoch, ", but the training set has only ", data.size(),
                     ": resume with the --train-examples it was made with"));
  }
  const auto start = std::chrono::steady_clock::now();
  // The epoch's order depends only on the seed and the epoch (the Note).
  const std::vector<int64_t> order =
      ShuffledOrder(data.size(), seed_ + static_cast<uint64_t>(state_.epoch));
  const int64_t steps = (data.size() + batch_size - 1) / batch_size;
  EpochProgress p;
  Metrics& m = p.metrics;
  int64_t dropped = 0;  // examples a strategy cut from the epoch's last batch
  auto summarize = [&] {
    const double seen = static_cast<double>(std::max<int64_t>(1, state_.position - dropped));
    m.loss = state_.loss_sum / seen;
    m.accuracy = static_cast<double>(state_.correct) / seen;
    m.seconds = Seconds(start);
  };
  while (state_.position < data.size() && (max_steps <= 0 || state_.step < max_steps)) {
    const int64_t begin = state_.position;
    const int64_t end = std::min<int64_t>(begin + batch_size, data.size());
    ASSIGN_OR_RETURN(auto result,
                     Step(data, std::span<const int64_t>(order).subspan(begin, end - begin)));
    const int64_t trained = strategy_.has_value() ? last_step_examples_ : end - begin;
    dropped += end - begin - trained;
    state_.loss_sum += static_cast<double>(result.first) * static_cast<double>(trained);
    state_.correct += static_cast<int64_t>(result.second + 0.5f);
    state_.position = end;
    ++state_.step;
    m.examples += end - begin;
    ++m.steps;
    if (progress) {
      summarize();
      progress((end + batch_size - 1) / batch_size, steps, m);
    }
  }
  summarize();
  if (state_.position >= data.size()) {
    p.finished = true;
    state_ = TrainerState{.step = state_.step, .epoch = state_.epoch + 1};
  }
  return p;
}

absl::StatusOr<Metrics> CnnTrainer::Evaluate(const Dataset& data, int batch_size) {
  return EvaluateInBatches(*session_, eval_step_, data, batch_size);
}

absl::StatusOr<Tensor> CnnTrainer::Logits(const Tensor& images) {
  ASSIGN_OR_RETURN(std::vector<Tensor> out, session_->Run({{model_.images, images}},
                                                          {model_.logits}));
  return out[0];
}

bool CnnTrainer::HasCheckpoint(const std::string& dir) {
  return std::filesystem::exists(CheckpointPath(dir));
}

absl::Status CnnTrainer::WriteStateVariable() {
  Tensor t(DataType::kInt64, {kStateSize});
  int64_t* v = t.data<int64_t>();
  v[0] = state_.step;
  v[1] = state_.epoch;
  v[2] = state_.position;
  v[3] = state_.correct;
  v[4] = std::bit_cast<int64_t>(state_.loss_sum);
  ASSIGN_OR_RETURN(auto var, session_->resources().LookupVariable(state_var_.name()));
  return var->Assign(t);
}

absl::Status CnnTrainer::ReadStateVariable() {
  ASSIGN_OR_RETURN(auto var, session_->resources().LookupVariable(state_var_.name()));
  ASSIGN_OR_RETURN(Tensor t, var->Read());
  const int64_t* v = t.data<int64_t>();
  if (v[0] < 0 || v[1] < 1 || v[2] < 0 || v[3] < 0 || v[3] > v[2]) {
    return absl::DataLossError(absl::StrCat("the checkpoint's ", kStateName, " is not a trainer "
                                            "state: step ", v[0], ", epoch ", v[1], ", example ",
                                            v[2], ", right ", v[3]));
  }
  state_ = TrainerState{.step = v[0], .epoch = v[1], .position = v[2],
                        .loss_sum = std::bit_cast<double>(v[4]), .correct = v[3]};
  return absl::OkStatus();
}

absl::Status CnnTrainer::SaveCheckpoint(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::NotFoundError(
        absl::StrCat("cannot make the checkpoint folder ", dir, ": ", error.message()));
  }
  RETURN_IF_ERROR(WriteStateVariable());
  return graphrt::SaveCheckpoint(*session_, CheckpointPath(dir), checkpoint_names_);
}

absl::Status CnnTrainer::RestoreCheckpoint(const std::string& dir) {
  RETURN_IF_ERROR(graphrt::RestoreCheckpoint(*session_, CheckpointPath(dir), checkpoint_names_));
  return ReadStateVariable();
}

absl::Status CnnTrainer::Export(const std::string& path) {
  ASSIGN_OR_RETURN(Graph frozen, FreezeGraph(*session_, {"logits", "probabilities"}));
  return WriteGraph(frozen, path);
}

}  // namespace graphrt::mnist
