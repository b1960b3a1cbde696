// Scenario (e) of bench/placement (issue 19, item 5): the training step of
// the MLP or the CNN (placement_models.h) run by N worker processes, one
// replica each (MultiWorkerMirroredStrategy, collectives on Gloo), against
// the same binary run as one process on one device. bench/placement/run-workers
// runs both, interleaved, and prints the table; by hand:
//
//   scripts/launch-workers 2 -- placement_workers --model cnn --batch 64
//   placement_workers --model cnn --batch 64      # one process: the baseline
//
// Flags: --model mlp|cnn (default cnn), --batch B (the global batch; default
// 64), --steps N (timed steps, default 30), --warmup W (default 5),
// --intra-op-threads T (default 1). With GRAPHRT_CONFIG set (as
// scripts/launch-workers sets it) this process is one worker and feeds its
// shard of each global batch (B / workers examples); without it, one
// process trains on the whole batch through a one-replica strategy, as
// placement_bench's (a) does.
//
// Output: the chief (or the single process) prints one JSON line:
//   {"model": "cnn", "batch": 64, "workers": 2, "threads": 1, "steps": 30,
//    "step_ms": median, "min_ms": ..., "max_ms": ..., "examples_per_s": ...,
//    "loss_before": ..., "loss_after": ...}
// where loss_before / loss_after are the chief's shard's loss before the
// first and after the last step (a sanity check that training ran; the
// multi-worker equivalence itself is tested in tests/examples/multi_worker/).
// A worker's step time is the whole cluster's: every step ends in an
// all-reduce that waits for all workers.
// Exit status: 0, 2 for bad flags, 1 for a failed run (the status printed).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "bench/placement/placement_models.h"
#include "core/base/status_macros.h"
#include "core/executor/cluster_spec.h"
#include "core/executor/session.h"
#include "examples/common/strategy.h"

namespace graphrt::placement {
namespace {

struct Flags {
  Model model = Model::kCnn;
  int64_t batch = 64;
  int steps = 30;
  int warmup = 5;
  int threads = 1;
};

absl::StatusOr<Flags> ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat(arg, " needs a value"));
    const absl::string_view value = argv[++i];
    int64_t n = 0;
    const bool numeric = absl::SimpleAtoi(value, &n) && n > 0;
    if (arg == "--model" && (value == "mlp" || value == "cnn")) {
      f.model = value == "mlp" ? Model::kMlp : Model::kCnn;
    } else if (arg == "--batch" && numeric) {
      f.batch = n;
    } else if (arg == "--steps" && numeric) {
      f.steps = static_cast<int>(n);
    } else if (arg == "--warmup" && numeric) {
      f.warmup = static_cast<int>(n);
    } else if (arg == "--intra-op-threads" && numeric) {
      f.threads = static_cast<int>(n);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "bad flag ", arg, " ", value, "; usage: placement_workers [--model mlp|cnn] "
          "[--batch B] [--steps N] [--warmup W] [--intra-op-threads T] (positive integers)"));
    }
  }
  return f;
}

// Rows [begin, end) of `t` (dim 0), copied.
Tensor Rows(const Tensor& t, int64_t begin, int64_t end) {
  std::vector<int64_t> dims(t.shape().dims().begin(), t.shape().dims().end());
  const int64_t row_bytes = static_cast<int64_t>(t.TotalBytes()) / std::max<int64_t>(1, dims[0]);
  dims[0] = end - begin;
  Tensor out(t.dtype(), TensorShape(dims));
  std::copy_n(static_cast<const char*>(t.raw_data()) + begin * row_bytes, (end - begin) * row_bytes,
              static_cast<char*>(out.raw_data()));
  return out;
}

absl::Status Run(const Flags& f) {
  examples::StrategyPlacement placement;
  SessionOptions options;
  options.inter_op_threads = 1;
  options.intra_op_threads = f.threads;
  ASSIGN_OR_RETURN(std::optional<ClusterSpec> spec, ClusterSpecFromEnv());
  const bool cluster = spec.has_value();
  GraphBuilder b;
  const std::vector<distribute::GlobalFeed> feeds = Feeds();
  const OptimizerOptions sgd = SgdOptions{kLearningRate};
  distribute::DistributedModel model;
  Output sync_initial;
  if (cluster) {
    placement.strategy = "multi_worker";
    RETURN_IF_ERROR(examples::JoinCluster("placement_workers", placement, options));
    ASSIGN_OR_RETURN(examples::StrategyModel m,
                     examples::BuildUnderStrategy(b, placement, feeds, MakeModelFn(f.model), sgd));
    RETURN_IF_ERROR(m.CheckGlobalBatch(f.batch));
    model = std::move(m.model);
    sync_initial = m.sync_initial;
  } else {
    ASSIGN_OR_RETURN(model, distribute::CentralStorageStrategy({"/cpu:0"}, {"/cpu:0", "/cpu:0"})
                                .Build(b, feeds, MakeModelFn(f.model), sgd));
  }
  ASSIGN_OR_RETURN(Graph graph, b.Build());
  ASSIGN_OR_RETURN(auto session, Session::Create(std::move(graph), options));
  if (sync_initial.valid()) RETURN_IF_ERROR(session->Run({}, {}, {sync_initial}).status());

  const int workers = placement.num_workers, rank = placement.worker_index;
  const int64_t local = f.batch / workers;
  std::vector<Tensor> batch = SyntheticBatch(f.batch);
  for (Tensor& t : batch) t = Rows(t, rank * local, (rank + 1) * local);
  std::vector<TensorName> names(model.feeds.begin(), model.feeds.end());
  ASSIGN_OR_RETURN(auto step, session->MakeCallable(names, {}, {model.train}));
  ASSIGN_OR_RETURN(auto loss, session->MakeCallable(names, {model.loss}));

  ASSIGN_OR_RETURN(std::vector<Tensor> before, session->RunCallable(loss, batch));
  for (int i = 0; i < f.warmup; ++i) RETURN_IF_ERROR(session->RunCallable(step, batch).status());
  std::vector<double> ms;
  for (int i = 0; i < f.steps; ++i) {
    const auto start = std::chrono::steady_clock::now();
    RETURN_IF_ERROR(session->RunCallable(step, batch).status());
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                           start).count());
  }
  ASSIGN_OR_RETURN(std::vector<Tensor> after, session->RunCallable(loss, batch));
  if (rank != 0) return absl::OkStatus();
  std::sort(ms.begin(), ms.end());
  const double median = ms[ms.size() / 2];
  std::printf("%s\n", absl::StrFormat(
      "{\"model\": \"%s\", \"batch\": %d, \"workers\": %d, \"threads\": %d, \"steps\": %d, "
      "\"step_ms\": %.4f, \"min_ms\": %.4f, \"max_ms\": %.4f, \"examples_per_s\": %.1f, "
      "\"loss_before\": %.6f, \"loss_after\": %.6f}",
      f.model == Model::kMlp ? "mlp" : "cnn", f.batch, workers, f.threads, f.steps, median,
      ms.front(), ms.back(), f.batch * 1000.0 / median, before[0].data<float>()[0],
      after[0].data<float>()[0]).c_str());
  std::fflush(stdout);
  return absl::OkStatus();
}

}  // namespace
}  // namespace graphrt::placement

int main(int argc, char** argv) {
  absl::StatusOr<graphrt::placement::Flags> flags = graphrt::placement::ParseFlags(argc, argv);
  if (!flags.ok()) {
    std::fprintf(stderr, "placement_workers: %s\n", flags.status().ToString().c_str());
    return 2;
  }
  if (absl::Status s = graphrt::placement::Run(*flags); !s.ok()) {
    std::fprintf(stderr, "placement_workers: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
