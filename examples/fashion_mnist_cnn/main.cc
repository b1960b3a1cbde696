// fashion_mnist_cnn: trains issue 17's CNN (cnn_model.h) on Fashion-MNIST
// with graphrt and prints, per epoch, the training and validation loss and
// accuracy and the examples per second; then the test accuracy. The first
// 5,000 training images are held out for validation.
//
//   fashion_mnist_cnn [--epochs 3] [--batch-size 64] [--learning-rate X]
//                     [--optimizer sgd|momentum|adam] [--checkpoint DIR]
//                     [--export model.pb] [--max-steps N]
//                     [--device /GPU:0] [--log-device-placement]
//                     [--inter-op-threads N] [--intra-op-threads N]
//                     [--csv metrics.csv] [--data-dir DIR] [--seed 1]
//                     [--train-examples N] [--trace step.json]
//                     [--placement-dot placement.dot] [--cpu-devices N]
//                     [--strategy mirrored|central|multi_worker]
//                     [--devices /cpu:0,/cpu:1]
//
// The flags of fashion_mnist_mlp (its main.cc says what each does; --strategy
// and --devices as there: one replica per device, --batch-size the global
// batch, which must split evenly over the replicas or workers, else an
// error before training), plus:
// --optimizer: momentum 0.9 (the default, the recipe), plain SGD, or
//   Adam; --learning-rate defaults to 0.01 (sgd, momentum) or 0.001 (adam).
// --checkpoint DIR: saves DIR/model.ckpt at the end of every epoch (and when
//   --max-steps stops the run); when it exists at start, training resumes
//   from it: weights, optimizer slots, step, epoch and position in the
//   epoch's shuffled order, so the run continues exactly where it stopped
//   (examples/fashion_mnist_cnn/cnn_trainer.h).
// --max-steps N: stop once the global step (counted across resumed runs, as
//   TF's max_steps) reaches N; 0, the default, means no limit.
// --export model.pb: after training, writes the frozen inference graph
//   (feed "images" uint8 [n, 28, 28]; fetch "logits" or "probabilities"),
//   served by `graphrt run model.pb --feed images=x.npy --fetch probabilities`.
// Under --strategy, --checkpoint holds replica 0's variables under the
// single-device names (a run without a strategy resumes or exports it, and
// the other way round) and --export freezes replica 0's evaluation head.
// --strategy multi_worker: only the chief (rank 0) prints, and writes
// --checkpoint, --export, --csv and --placement-dot; every worker resumes
// from --checkpoint when it exists, so the folder must be one every worker
// sees (one machine, or a shared file system); --trace is skipped.
//
// The last line reads "test accuracy: 0.NNNN" (scripts read it).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "examples/common/progress.h"
#include "examples/common/training_flags.h"
#include "examples/common/training_session.h"
#include "examples/fashion_mnist_cnn/cnn_trainer.h"

namespace {

using graphrt::mnist::CnnTrainer;
using graphrt::mnist::Metrics;

// The common flags (examples/common/training_flags.h) with this example's
// defaults, plus its own.
struct Flags : graphrt::examples::TrainingFlags {
  Flags() {
    epochs = 3;
    batch_size = 64;
    learning_rate = 0;  // 0: the optimizer's default (cnn_model.h)
    data_dir = graphrt::mnist::kDefaultDataDir;
  }
  std::string optimizer = "momentum";
  std::string checkpoint;  // folder: save each epoch, resume when present
  std::string export_path;
  int64_t max_steps = 0;
};

const char kUsage[] =
    "usage: fashion_mnist_cnn [--epochs N] [--batch-size N] [--learning-rate X]\n"
    "  [--optimizer sgd|momentum|adam] [--checkpoint DIR] [--export PATH] [--max-steps N]\n"
    "  [--device /GPU:0|/CPU:0] [--log-device-placement] [--inter-op-threads N]\n"
    "  [--intra-op-threads N] [--csv PATH] [--data-dir DIR] [--seed N] [--train-examples N]\n"
    "  [--trace PATH] [--placement-dot PATH] [--cpu-devices N]\n"
    "  [--strategy mirrored|central|multi_worker] [--devices /cpu:0,/cpu:1]\n"
    "  (multi_worker: one task of the cluster in GRAPHRT_CONFIG; see scripts/launch-workers)\n";

bool ParseFlags(int argc, char** argv, Flags& f) {
  using graphrt::examples::FlagParse;
  auto own = [&f](std::string_view arg, const std::string& value) {
    bool ok = true;
    // Unlike the MLP's, a learning rate must be positive: 0 is the default's
    // "use the optimizer's own rate", which the flag cannot ask for.
    if (arg == "--learning-rate")
      ok = absl::SimpleAtof(value, &f.learning_rate) && f.learning_rate > 0;
    else if (arg == "--optimizer") f.optimizer = value;
    else if (arg == "--checkpoint") f.checkpoint = value;
    else if (arg == "--export") f.export_path = value;
    else if (arg == "--max-steps") ok = absl::SimpleAtoi(value, &f.max_steps) && f.max_steps >= 0;
    else return FlagParse::kUnknown;
    return ok ? FlagParse::kOk : FlagParse::kInvalid;
  };
  return graphrt::examples::ParseTrainingFlags(argc, argv, f, own);
}

// Traces 100 training steps (they train, like the MLP example's) and writes
// the last as a Chrome trace, with per-op times.
absl::Status TraceSteps(CnnTrainer& trainer, const graphrt::mnist::Dataset& train,
                        const Flags& flags) {
  const std::vector<int64_t> order = graphrt::mnist::ShuffledOrder(train.size(), flags.seed);
  const graphrt::mnist::Cnn& m = trainer.model();
  std::vector<graphrt::StepTrace> traces;
  for (int64_t i = 0; i < 100 && (i + 1) * flags.batch_size <= train.size(); ++i) {
    std::array<graphrt::Tensor, 2> feeds = graphrt::mnist::GatherBatch(
        train, std::span<const int64_t>(order).subspan(i * flags.batch_size, flags.batch_size));
    graphrt::RunOptions options;
    options.trace = true;
    graphrt::RunMetadata metadata;
    absl::Status s =
        trainer.session()
            .Run(options, {{m.train_images, feeds[0]}, {m.train_labels, feeds[1]}},
                 {m.train_loss, m.train_correct}, {m.train}, &metadata)
            .status();
    if (!s.ok()) return s;
    traces.push_back(std::move(metadata.trace));
  }
  return graphrt::examples::WriteLastTrace(traces, flags.trace);
}

absl::Status SaveCheckpoint(CnnTrainer& trainer, const Flags& flags) {
  if (flags.checkpoint.empty()) return absl::OkStatus();
  absl::Status s = trainer.SaveCheckpoint(flags.checkpoint);
  if (s.ok()) {
    std::printf("saved checkpoint %s/model.ckpt at step %lld\n", flags.checkpoint.c_str(),
                static_cast<long long>(trainer.state().step));
  }
  return s;
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) return std::fprintf(stderr, "%s", kUsage), 2;
  absl::StatusOr<graphrt::mnist::CnnOptimizer> optimizer =
      graphrt::mnist::ParseCnnOptimizer(flags.optimizer);
  if (!optimizer.ok()) {
    std::fprintf(stderr, "%s\n%s", optimizer.status().ToString().c_str(), kUsage);
    return 2;
  }
  absl::StatusOr<graphrt::SessionOptions> options =
      graphrt::examples::SessionOptionsFromFlags(flags);
  if (!options.ok()) return Fail(options.status());
  graphrt::mnist::CnnOptions model;
  model.strategy.strategy = flags.strategy;
  if (flags.strategy == "multi_worker") {
    // Before reading the data: a bad config fails at once. One replica per
    // worker, on /cpu:0: --devices does not apply.
    absl::Status s = graphrt::examples::JoinCluster("fashion_mnist_cnn", model.strategy, *options);
    if (!s.ok()) return Fail(s);
  } else {
    model.strategy.devices = flags.devices;
  }
  // Under multi_worker only the chief (rank 0) reports and writes files.
  const bool chief = model.strategy.worker_index == 0;
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

  model.optimizer = *optimizer;
  model.learning_rate = flags.learning_rate;
  model.seed = flags.seed;
  model.device = flags.device;
  auto trainer = CnnTrainer::Create(model, *options);
  if (!trainer.ok()) return Fail(trainer.status());
  CnnTrainer& t = **trainer;
  // An indivisible global batch: an error now, not after an epoch.
  if (absl::Status s = t.CheckBatchSize(flags.batch_size); !s.ok()) return Fail(s);
  if (chief) {
    std::printf("optimizer %s, learning rate %g, batch %d", flags.optimizer.c_str(),
                graphrt::mnist::EffectiveLearningRate(model), flags.batch_size);
    if (t.strategy().has_value()) {
      const auto& st = *t.strategy();
      std::printf(" (strategy %s: %d worker(s) x %d replica(s) on %s)", flags.strategy.c_str(),
                  st.num_workers, st.model.num_replicas(),
                  absl::StrJoin(st.model.devices, ", ").c_str());
    }
    std::printf("\n");
  }
  if (!flags.checkpoint.empty() && CnnTrainer::HasCheckpoint(flags.checkpoint)) {
    absl::Status s = t.RestoreCheckpoint(flags.checkpoint);
    if (!s.ok()) return Fail(s);
    if (chief) {
      std::printf("resumed from %s/model.ckpt: step %lld, epoch %lld, example %lld\n",
                  flags.checkpoint.c_str(), static_cast<long long>(t.state().step),
                  static_cast<long long>(t.state().epoch),
                  static_cast<long long>(t.state().position));
    }
  }
  if (chief && !flags.placement_dot.empty()) {
    absl::Status s = graphrt::examples::WritePlacementDot(t.session(), flags.placement_dot);
    if (!s.ok()) return Fail(s);
  }

  std::ofstream csv;
  if (chief && !flags.csv.empty()) {
    csv.open(flags.csv, t.state().step > 0 ? std::ios::app : std::ios::trunc);
    if (!csv) return Fail(absl::NotFoundError(absl::StrCat("cannot write ", flags.csv)));
    if (t.state().step == 0) {
      csv << "epoch,loss,accuracy,val_loss,val_accuracy,examples_per_second,seconds\n";
    }
  }
  auto more_steps = [&] { return flags.max_steps == 0 || t.state().step < flags.max_steps; };
  while (t.state().epoch <= flags.epochs && more_steps()) {
    const int epoch = static_cast<int>(t.state().epoch);
    std::optional<graphrt::examples::Progress> progress;
    if (chief) progress.emplace(epoch, flags.epochs);
    auto p = t.TrainEpoch(train, flags.batch_size, flags.max_steps,
                          [&](int64_t step, int64_t steps, const Metrics& so_far) {
                            if (progress) {
                              progress->Update(step, steps, so_far.seconds, so_far.loss,
                                               so_far.accuracy);
                            }
                          });
    if (progress) progress->Finish();
    if (!p.ok()) return Fail(p.status());
    const Metrics& m = p->metrics;
    if (!chief) {
      if (!p->finished) break;
      continue;
    }
    if (!p->finished) {
      std::printf("stopped at step %lld (--max-steps), example %lld of epoch %d: loss %.4f - "
                  "accuracy %.4f\n",
                  static_cast<long long>(t.state().step),
                  static_cast<long long>(t.state().position), epoch, m.loss, m.accuracy);
      absl::Status s = SaveCheckpoint(t, flags);
      if (!s.ok()) return Fail(s);
      break;
    }
    auto v = t.Evaluate(valid);
    if (!v.ok()) return Fail(v.status());
    const double rate = m.seconds > 0 ? static_cast<double>(m.examples) / m.seconds : 0;
    std::printf("Epoch %d/%d: loss %.4f - accuracy %.4f - val_loss %.4f - val_accuracy %.4f - "
                "%.0f examples/s (%lld steps in %.2f s, %.2f ms/step)\n",
                epoch, flags.epochs, m.loss, m.accuracy, v->loss, v->accuracy, rate,
                static_cast<long long>(m.steps), m.seconds,
                m.steps > 0 ? 1e3 * m.seconds / static_cast<double>(m.steps) : 0.0);
    std::fflush(stdout);
    if (csv.is_open()) {
      csv << absl::StrFormat("%d,%.6f,%.6f,%.6f,%.6f,%.1f,%.4f\n", epoch, m.loss, m.accuracy,
                             v->loss, v->accuracy, rate, m.seconds);
      csv.flush();
    }
    absl::Status s = SaveCheckpoint(t, flags);
    if (!s.ok()) return Fail(s);
  }
  if (!chief) {
    std::printf("worker %d: trained to step %lld\n", t.worker_index(),
                static_cast<long long>(t.state().step));
    return 0;
  }
  if (!flags.export_path.empty()) {
    absl::Status s = t.Export(flags.export_path);
    if (!s.ok()) return Fail(s);
    std::printf("exported the inference graph to %s (feed images, fetch logits or "
                "probabilities)\n", flags.export_path.c_str());
  }
  if (!flags.trace.empty() && flags.strategy == "multi_worker") {
    std::printf("--trace skipped under multi_worker (a traced step on the chief alone would "
                "stall the others in its collectives)\n");
  } else if (!flags.trace.empty()) {
    absl::Status s = TraceSteps(t, train, flags);
    if (!s.ok()) return Fail(s);
  }
  auto test = t.Evaluate(data->test);
  if (!test.ok()) return Fail(test.status());
  std::printf("test loss: %.4f\ntest accuracy: %.4f\n", test->loss, test->accuracy);
  return 0;
}
