// fashion_mnist_mlp: trains the book's MNIST model on Fashion-MNIST with
// graphrt and prints, per epoch, the training and validation loss and
// accuracy and the examples per second; then the test accuracy. The first
// 5,000 training images are held out for validation, as in the book.
//
//   fashion_mnist_mlp [--epochs 10] [--batch-size 32] [--learning-rate 0.01]
//                     [--device /GPU:0] [--log-device-placement]
//                     [--inter-op-threads N] [--intra-op-threads N]
//                     [--csv metrics.csv] [--data-dir DIR] [--seed 1]
//                     [--train-examples N] [--trace step.json]
//                     [--placement-dot placement.dot] [--cpu-devices N]
//                     [--strategy mirrored|central|multi_worker]
//                     [--devices /cpu:0,/cpu:1]
//
// --trace traces 100 training steps after the last epoch, writes the last
// one as a Chrome trace (Perfetto, chrome://tracing) and prints per-op times.
// --placement-dot writes, before training, every node of the session's graph
// (copies between devices included) as Graphviz DOT, filled by device
// (`dot -Tpng placement.dot -o placement.png`).
// --cpu-devices splits the host CPU into N logical devices, so that with
// --device /CPU:1 the model runs across two devices, with copies between them.
// --strategy trains data-parallel (docs/distribute.md): one replica per
// device of --devices (default: every GPU, else every logical CPU device),
// the batch split evenly, gradients averaged by all-reduce (mirrored) or on
// /cpu:0 (central storage). Naming /cpu:K in --devices splits the host CPU
// into at least K+1 logical devices.
// --strategy multi_worker: this process is one task of the cluster in
// GRAPHRT_CONFIG (docs/distribute.md, "Multi-worker"; start them with
// scripts/launch-workers). --batch-size is the GLOBAL batch: every worker
// reads the dataset, shuffles it with the same seed and trains on its
// 1/W of each batch; gradients are averaged over the workers (Gloo). Only
// the chief (rank 0) prints metrics and writes --csv and --placement-dot;
// --trace is skipped (a traced step on the chief alone would stall the
// others in its collectives); --devices names this worker's replicas (workers
// may have different counts; default: one, on /cpu:0), each on its share of
// the worker's rows, averaged in-process first and then across the workers.
//
// The last line reads "test accuracy: 0.NNNN" (scripts read it).
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "examples/common/progress.h"
#include "examples/common/strategy.h"
#include "examples/common/training_flags.h"
#include "examples/common/training_session.h"
#include "examples/fashion_mnist_mlp/mlp.h"

namespace {

using graphrt::mnist::Metrics;

// Every flag is a common one (examples/common/training_flags.h); only the
// defaults are this example's.
struct Flags : graphrt::examples::TrainingFlags {
  Flags() {
    epochs = 10;
    batch_size = 32;
    learning_rate = 0.01f;
    data_dir = graphrt::mnist::kDefaultDataDir;
  }
};

const char kUsage[] =
    "usage: fashion_mnist_mlp [--epochs N] [--batch-size N] [--learning-rate X]\n"
    "  [--device /GPU:0|/CPU:0] [--log-device-placement] [--inter-op-threads N]\n"
    "  [--intra-op-threads N] [--csv PATH] [--data-dir DIR] [--seed N] [--train-examples N]\n"
    "  [--trace PATH] [--placement-dot PATH] [--cpu-devices N]\n"
    "  [--strategy mirrored|central|multi_worker] [--devices /cpu:0,/cpu:1]\n"
    "  (multi_worker: one task of the cluster in GRAPHRT_CONFIG; see scripts/launch-workers)\n";

bool ParseFlags(int argc, char** argv, Flags& f) {
  return graphrt::examples::ParseTrainingFlags(
      argc, argv, f,
      [](std::string_view, const std::string&) { return graphrt::examples::FlagParse::kUnknown; });
}

absl::Status TraceSteps(graphrt::mnist::Trainer& trainer, const graphrt::mnist::Dataset& train,
                        const Flags& flags) {
  const std::vector<int64_t> order = graphrt::mnist::ShuffledOrder(train.size(), flags.seed);
  std::vector<graphrt::StepTrace> traces;
  for (int64_t i = 0; i < 100 && (i + 1) * flags.batch_size <= train.size(); ++i) {
    graphrt::RunMetadata metadata;
    absl::Status s = trainer.TracedStep(
        train, std::span<const int64_t>(order).subspan(i * flags.batch_size, flags.batch_size),
        metadata);
    if (!s.ok()) return s;
    traces.push_back(std::move(metadata.trace));
  }
  return graphrt::examples::WriteLastTrace(traces, flags.trace);
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) return std::fprintf(stderr, "%s", kUsage), 2;
  graphrt::mnist::MlpOptions model;
  absl::StatusOr<graphrt::SessionOptions> options =
      graphrt::examples::SessionOptionsFromFlags(flags);
  if (!options.ok()) return Fail(options.status());
  if (flags.strategy == "multi_worker") {
    // Before reading the data: a bad config fails at once.
    graphrt::examples::StrategyPlacement cluster;
    absl::Status s = graphrt::examples::JoinCluster("fashion_mnist_mlp", cluster, *options);
    if (!s.ok()) return Fail(s);
    model.num_workers = cluster.num_workers;
    model.worker_index = cluster.worker_index;
  }
  // Under multi_worker only the chief (rank 0) reports and writes files.
  const bool chief = model.worker_index == 0;
  absl::StatusOr<graphrt::mnist::TrainingSplits> data =
      graphrt::mnist::LoadTrainingSplits(flags.data_dir, flags.train_examples);
  if (!data.ok()) return Fail(data.status());
  const graphrt::mnist::Dataset& train = data->train;
  const graphrt::mnist::Dataset& valid = data->valid;
  if (chief) {
    std::printf("Fashion-MNIST: %lld training, %lld validation, %lld test examples\n",
                static_cast<long long>(train.size()), static_cast<long long>(valid.size()),
                static_cast<long long>(data->test.size()));
  }

  model.learning_rate = flags.learning_rate;
  model.seed = flags.seed;
  model.device = flags.device;
  model.strategy = flags.strategy;
  model.devices = flags.devices;
  auto trainer = graphrt::mnist::Trainer::Create(model, *options);
  if (!trainer.ok()) return Fail(trainer.status());
  if (chief && !flags.placement_dot.empty()) {
    absl::Status s =
        graphrt::examples::WritePlacementDot((*trainer)->session(), flags.placement_dot);
    if (!s.ok()) return Fail(s);
  }

  std::ofstream csv;
  if (chief && !flags.csv.empty()) {
    csv.open(flags.csv);
    if (!csv) return Fail(absl::NotFoundError(absl::StrCat("cannot write ", flags.csv)));
    csv << "epoch,loss,accuracy,val_loss,val_accuracy,examples_per_second,seconds\n";
  }
  for (int epoch = 1; epoch <= flags.epochs; ++epoch) {
    std::optional<graphrt::examples::Progress> progress;
    if (chief) progress.emplace(epoch, flags.epochs);
    auto m = (*trainer)->TrainEpoch(
        train, flags.batch_size, flags.seed + static_cast<uint64_t>(epoch),
        [&](int64_t step, int64_t steps, const Metrics& so_far) {
          if (progress) progress->Update(step, steps, so_far.seconds, so_far.loss, so_far.accuracy);
        });
    if (progress) progress->Finish();
    if (!m.ok()) return Fail(m.status());
    if (!chief) continue;
    auto v = (*trainer)->Evaluate(valid);
    if (!v.ok()) return Fail(v.status());
    const double rate = static_cast<double>(m->examples) / m->seconds;
    std::printf("Epoch %d/%d: loss %.4f - accuracy %.4f - val_loss %.4f - val_accuracy %.4f - "
                "%.0f examples/s (%lld steps in %.2f s, %.1f us/step)\n",
                epoch, flags.epochs, m->loss, m->accuracy, v->loss, v->accuracy, rate,
                static_cast<long long>(m->steps), m->seconds, 1e6 * m->seconds / m->steps);
    std::fflush(stdout);
    if (csv.is_open()) {
      csv << absl::StrFormat("%d,%.6f,%.6f,%.6f,%.6f,%.1f,%.4f\n", epoch, m->loss, m->accuracy,
                             v->loss, v->accuracy, rate, m->seconds);
    }
  }
  if (!chief) {
    std::printf("worker %d: trained %d epoch(s)\n", model.worker_index, flags.epochs);
    return 0;
  }
  if (!flags.trace.empty() && model.num_workers == 1) {
    absl::Status s = TraceSteps(**trainer, train, flags);
    if (!s.ok()) return Fail(s);
  }
  auto t = (*trainer)->Evaluate(data->test);
  if (!t.ok()) return Fail(t.status());
  std::printf("test loss: %.4f\ntest accuracy: %.4f\n", t->loss, t->accuracy);
  return 0;
}
