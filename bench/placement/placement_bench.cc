// One training step of the book's MLP and of issue 17's CNN, placed four
// ways (issue 19, item 5; bench/placement/placement_models.h builds them):
//   BM_Placement_<M>_OneDevice/B/T       (a) one device (a one-replica
//                                        CentralStorageStrategy on /cpu:0),
//                                        T intra-op threads
//   BM_Placement_<M>_ModelParallel/B/1   (b) the first half of the layers on
//                                        /cpu:0, the rest on /cpu:1
//   BM_Placement_<M>_Mirrored/B/1        (c) MirroredStrategy over /cpu:0,
//                                        /cpu:1 (B/2 examples each)
//   BM_Placement_<M>_CentralStorage/B/1  (d) CentralStorageStrategy over the
//                                        same, variables on /cpu:0
// M is Mlp (B = 256 and the book's 32) or Cnn (B = 64); T is the intra-op
// threads of each logical CPU device (one inter-op thread each). The same
// four with the suffix _Gpu run on /gpu:0 and /gpu:1 (central storage keeps
// the variables on /cpu:0, as the book does) when the runtime has two GPUs,
// and are skipped with the reason otherwise.
// Counters: items_per_second (examples/s); allreduce_share and copy_share:
// of the time the step's devices spent in the step (devices x step time),
// the share spent inside CollectiveReduceV2 nodes (waiting for the other
// replica included) and inside _Copy nodes; allreduce_own: of the step
// time, the all-reduces' own time (each from the arrival of the last replica
// to its end, summed over buckets: no waiting). Medians of 5 traced steps
// after the timed ones. idle_share: of the devices' time in the step, the
// share in which a device ran no node (each runs one node at a time: one
// inter-op thread). GRAPHRT_PLACEMENT_OPS=1 also prints, per benchmark, the
// time per op type over those traced steps (stderr);
// GRAPHRT_PLACEMENT_BUCKET_BYTES=n sets (c)'s bucket size (MirroredOptions,
// default 4 MiB; 0: one all-reduce per gradient).
// Every scenario first checks itself against (a) on one thread: the loss
// before and after one step on the same batch must agree within 1e-4
// relative, or the benchmark fails (and the program exits 1).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bench/placement/placement_models.h"
#include "core/base/status_macros.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/executor/step_trace.h"

namespace graphrt::placement {
namespace {

enum class Scenario { kOneDevice, kModelParallel, kMirrored, kCentralStorage };
enum class Kind { kCpu, kGpu };

const char* ScenarioName(Scenario s) {
  switch (s) {
    case Scenario::kOneDevice: return "OneDevice";
    case Scenario::kModelParallel: return "ModelParallel";
    case Scenario::kMirrored: return "Mirrored";
    case Scenario::kCentralStorage: return "CentralStorage";
  }
  return "?";
}

std::atomic<bool> g_failed{false};  // a real error (not a skip for want of GPUs)

// A session training `model` placed by `scenario`.
struct Setup {
  std::shared_ptr<Runtime> runtime;
  std::unique_ptr<Session> session;
  Session::CallableHandle step = 0;  // feeds: images, labels; target: train
  Session::CallableHandle loss = 0;  // the same feeds; fetch: the loss
  int devices_used = 1;
};

// A runtime of `cpu_devices` logical CPUs with `intra` intra-op threads and
// one inter-op thread each (kCpu), or the machine's devices (kGpu); the
// devices a scenario uses, or FAILED_PRECONDITION saying why it cannot run.
absl::StatusOr<std::vector<std::string>> MakeRuntime(Kind kind, int cpu_devices, int intra,
                                                     std::shared_ptr<Runtime>& runtime) {
  if (kind == Kind::kCpu) {
    runtime = Runtime::Create({1, intra, nullptr});
    std::vector<LogicalDeviceConfiguration> split(cpu_devices, {1, intra, 0});
    RETURN_IF_ERROR(
        runtime->SetLogicalDeviceConfiguration(runtime->ListPhysicalDevices("CPU")[0], split));
    return std::vector<std::string>{"/cpu:0", "/cpu:1"};
  }
  runtime = Runtime::Create({});
  std::vector<DeviceAttributes> gpus = runtime->ListLogicalDevices("GPU");
  if (gpus.size() < 2) {
    return absl::FailedPreconditionError(absl::StrCat(
        "skipped: the runtime has ", gpus.size(), " GPU(s); the GPU placements need 2"));
  }
  return std::vector<std::string>{"/gpu:0", "/gpu:1"};
}

absl::StatusOr<Setup> Build(Model model, Scenario scenario, Kind kind, int intra) {
  Setup s;
  const int cpu_devices = scenario == Scenario::kOneDevice ? 1 : 2;
  ASSIGN_OR_RETURN(std::vector<std::string> devices,
                   MakeRuntime(kind, cpu_devices, intra, s.runtime));
  std::vector<std::string> names;
  for (const DeviceAttributes& d : s.runtime->ListLogicalDevices()) names.push_back(d.name);
  GraphBuilder b;
  std::vector<Output> feeds;
  Output loss, train;
  const std::vector<distribute::GlobalFeed> global = Feeds();
  const distribute::ModelFn fn = MakeModelFn(model);
  const OptimizerOptions sgd = SgdOptions{kLearningRate};
  absl::StatusOr<distribute::DistributedModel> dm;
  switch (scenario) {
    case Scenario::kOneDevice:
      devices.resize(1);
      dm = distribute::CentralStorageStrategy(devices, {devices[0], devices[0]})
               .Build(b, global, fn, sgd);
      break;
    case Scenario::kModelParallel: {
      RETURN_IF_ERROR(distribute::CheckDevicesExist(devices, names));
      ASSIGN_OR_RETURN(PlainModel m, BuildModelParallel(b, model, devices));
      feeds = m.feeds;
      loss = m.loss;
      train = m.train;
      break;
    }
    case Scenario::kMirrored: {
      distribute::MirroredOptions options;
      if (const char* bytes = std::getenv("GRAPHRT_PLACEMENT_BUCKET_BYTES")) {
        options.bucket_bytes = std::atoll(bytes);
      }
      dm = distribute::MirroredStrategy(devices, options).Build(b, global, fn, sgd);
      break;
    }
    case Scenario::kCentralStorage:
      dm = distribute::CentralStorageStrategy(devices).Build(b, global, fn, sgd);
      break;
  }
  if (scenario != Scenario::kModelParallel) {
    RETURN_IF_ERROR(dm.status());
    RETURN_IF_ERROR(distribute::CheckDevicesExist(dm->devices, names));
    feeds = dm->feeds;
    loss = dm->loss;
    train = dm->train;
  }
  s.devices_used = static_cast<int>(devices.size());
  SessionOptions options;
  options.runtime = s.runtime;
  options.inter_op_threads = 1;
  options.intra_op_threads = intra;
  // Strict on CPUs: a device missing is an error, never a silent fallback.
  // On GPUs the uint8 input ops fall back to the host.
  options.allow_soft_placement = kind == Kind::kGpu;
  ASSIGN_OR_RETURN(Graph graph, b.Build());
  ASSIGN_OR_RETURN(s.session, Session::Create(std::move(graph), options));
  std::vector<TensorName> feed_names(feeds.begin(), feeds.end());
  ASSIGN_OR_RETURN(s.step, s.session->MakeCallable(feed_names, {}, {train}));
  ASSIGN_OR_RETURN(s.loss, s.session->MakeCallable(feed_names, {loss}));
  return s;
}

// The loss on `batch` before and after one training step.
absl::StatusOr<std::pair<float, float>> LossesAroundOneStep(Setup& s,
                                                            std::span<const Tensor> batch) {
  ASSIGN_OR_RETURN(std::vector<Tensor> before, s.session->RunCallable(s.loss, batch));
  RETURN_IF_ERROR(s.session->RunCallable(s.step, batch).status());
  ASSIGN_OR_RETURN(std::vector<Tensor> after, s.session->RunCallable(s.loss, batch));
  return std::make_pair(before[0].data<float>()[0], after[0].data<float>()[0]);
}

// (a) on one thread, once per model, kind and batch.
absl::StatusOr<std::pair<float, float>> Reference(Model model, Kind kind,
                                                  std::span<const Tensor> batch) {
  static std::map<std::tuple<Model, Kind, int64_t>, std::pair<float, float>> cache;
  auto key = std::make_tuple(model, kind, batch[0].dim(0));
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  ASSIGN_OR_RETURN(Setup s, Build(model, Scenario::kOneDevice, kind, 1));
  ASSIGN_OR_RETURN(auto losses, LossesAroundOneStep(s, batch));
  cache[key] = losses;
  return losses;
}

absl::Status CheckAgainstReference(Model model, Scenario scenario, Kind kind, Setup& s,
                                   std::span<const Tensor> batch) {
  ASSIGN_OR_RETURN(auto want, Reference(model, kind, batch));
  ASSIGN_OR_RETURN(auto got, LossesAroundOneStep(s, batch));
  auto close = [](float a, float b) { return std::abs(a - b) <= 1e-4f * std::abs(b); };
  if (!close(got.first, want.first) || !close(got.second, want.second)) {
    return absl::InternalError(absl::StrCat(
        ScenarioName(scenario), ": loss before/after one step ", got.first, "/", got.second,
        ", one device gives ", want.first, "/", want.second, " (1e-4 relative allowed)"));
  }
  return absl::OkStatus();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

void Fail(benchmark::State& state, const absl::Status& status, bool is_error = true) {
  if (is_error) g_failed = true;
  state.SkipWithError(std::string(status.ToString()).c_str());
}

void BM_Placement(benchmark::State& state, Model model, Scenario scenario, Kind kind) {
  const int64_t batch_size = state.range(0);
  const int intra = std::max<int64_t>(1, state.range(1));
  const std::vector<Tensor> batch = SyntheticBatch(batch_size);
  absl::StatusOr<Setup> s = Build(model, scenario, kind, intra);
  if (!s.ok()) {
    // Too few GPUs is a skip; anything else is a failure.
    Fail(state, s.status(), !absl::IsFailedPrecondition(s.status()));
    return;
  }
  if (absl::Status ok = CheckAgainstReference(model, scenario, kind, *s, batch); !ok.ok()) {
    Fail(state, ok);
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<std::vector<Tensor>> out = s->session->RunCallable(s->step, batch);
    if (!out.ok()) {
      Fail(state, out.status());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * batch_size);

  std::vector<double> allreduce, allreduce_own, copies, idle;
  std::vector<StepTrace> traces;
  for (int i = 0; i < 5; ++i) {
    RunOptions options;
    options.trace = true;
    RunMetadata metadata;
    absl::Status ok = s->session->RunCallable(options, s->step, batch, &metadata).status();
    if (!ok.ok()) {
      Fail(state, ok);
      return;
    }
    const StepTrace& t = metadata.trace;
    double reduce_ns = 0, copy_ns = 0, busy_ns = 0;
    // Per all-reduce (its node name without the replica scope), the event
    // of the replica that arrived last: its time in the node is the
    // reduction itself; the earlier replicas' extra time was waiting.
    std::map<std::string, const NodeTraceEvent*> last;
    for (const NodeTraceEvent& e : t.events) {
      const double ns = static_cast<double>(e.end_ns - e.start_ns);
      busy_ns += ns;
      if (e.op == "_Copy") copy_ns += ns;
      if (e.op != "CollectiveReduceV2") continue;
      reduce_ns += ns;
      absl::string_view key = e.node;
      if (absl::ConsumePrefix(&key, "replica_")) key = key.substr(key.find('/') + 1);
      const NodeTraceEvent*& l = last[std::string(key)];
      if (l == nullptr || e.start_ns > l->start_ns) l = &e;
    }
    double own_ns = 0;
    for (const auto& [key, e] : last) own_ns += static_cast<double>(e->end_ns - e->start_ns);
    const double step_ns = static_cast<double>(t.step_ns);
    const double device_ns = step_ns * s->devices_used;
    allreduce.push_back(device_ns > 0 ? reduce_ns / device_ns : 0);
    allreduce_own.push_back(step_ns > 0 ? own_ns / step_ns : 0);
    copies.push_back(device_ns > 0 ? copy_ns / device_ns : 0);
    // One inter-op thread per device: what its nodes did not fill.
    idle.push_back(device_ns > 0 ? std::max(0.0, 1.0 - busy_ns / device_ns) : 0);
    traces.push_back(t);
  }
  if (std::getenv("GRAPHRT_PLACEMENT_OPS") != nullptr) {
    std::fprintf(stderr, "%s %s, batch %lld: time per op type over 5 traced steps\n%s\n",
                 ModelName(model), ScenarioName(scenario), static_cast<long long>(batch_size),
                 OpStatsTable(SummarizeOps(traces)).c_str());
  }
  state.counters["allreduce_share"] = Median(allreduce);
  state.counters["allreduce_own"] = Median(allreduce_own);
  state.counters["copy_share"] = Median(copies);
  state.counters["idle_share"] = Median(idle);
}

void RegisterAll() {
  for (Kind kind : {Kind::kCpu, Kind::kGpu}) {
    for (Model model : {Model::kMlp, Model::kCnn}) {
      const std::vector<int64_t> batches =
          model == Model::kMlp ? std::vector<int64_t>{256, 32} : std::vector<int64_t>{64};
      for (Scenario scenario : {Scenario::kOneDevice, Scenario::kModelParallel,
                                Scenario::kMirrored, Scenario::kCentralStorage}) {
        std::string name = absl::StrCat("BM_Placement_", ModelName(model), "_",
                                        ScenarioName(scenario), kind == Kind::kGpu ? "_Gpu" : "");
        auto* bm = benchmark::RegisterBenchmark(
            name.c_str(), [=](benchmark::State& st) { BM_Placement(st, model, scenario, kind); });
        for (int64_t b : batches) {
          bm->Args({b, 1});
          // One device using both cores: the fair single-device baseline.
          if (kind == Kind::kCpu && scenario == Scenario::kOneDevice) bm->Args({b, 2});
        }
        bm->ArgNames({"batch", "threads"})->UseRealTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
}

}  // namespace
}  // namespace graphrt::placement

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  graphrt::placement::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return graphrt::placement::g_failed ? 1 : 0;
}
