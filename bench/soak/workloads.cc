#include "bench/soak/workloads.h"

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bench/soak/checks.h"
#include "core/base/status_macros.h"
#include "core/executor/device.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/initializers.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "examples/fashion_mnist_mlp/mlp.h"

namespace graphrt::soak {

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kMlpTrain: return "mlp_train";
    case Kind::kMultiDevice: return "multi_device";
    case Kind::kTraced: return "traced";
    case Kind::kOom: return "oom";
  }
  return "?";
}

namespace {

constexpr int kMlpBatch = 16;
constexpr int kMlpSteps = 3;
constexpr int kNumFeeds = 3;
constexpr int64_t kOomLimitMb = 2;
constexpr int64_t kOomWidth = 256;
constexpr int64_t kOomSmallRows = 16;
constexpr int64_t kOomHugeRows = 1024;  // 1 MiB in, 1 MiB out: past 2 MiB with the weight

absl::Status Context(absl::Status s, absl::string_view what) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
}

void MaxInto(std::atomic<int64_t>& into, int64_t value) {
  int64_t seen = into.load(std::memory_order_relaxed);
  while (value > seen && !into.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

// A runtime whose physical CPU is split into `logical` devices; every pool
// has one intra-op thread (Note [Bit-exact soak checks]).
absl::StatusOr<std::shared_ptr<Runtime>> CpuRuntime(
    std::vector<LogicalDeviceConfiguration> logical, int inter_op_threads, Counters* counters) {
  RuntimeOptions o;
  o.inter_op_threads = inter_op_threads;
  o.intra_op_threads = 1;
  std::shared_ptr<Runtime> runtime = Runtime::Create(o);
  if (!logical.empty()) {
    RETURN_IF_ERROR(runtime->SetLogicalDeviceConfiguration(runtime->ListPhysicalDevices("CPU")[0],
                                                           std::move(logical)));
  }
  if (counters != nullptr) counters->runtimes.fetch_add(1, std::memory_order_relaxed);
  return runtime;
}

// The reference runs: one logical CPU, one thread of each kind.
SessionOptions SerialOptions() {
  SessionOptions o;
  o.inter_op_threads = 1;
  o.intra_op_threads = 1;
  return o;
}

Tensor Filled(TensorShape shape, uint64_t seed) {
  Tensor t(DataType::kFloat32, shape);
  InitRng rng(seed);
  for (float& v : t.flat<float>()) v = rng.Uniform() * 2.0f - 1.0f;
  return t;
}

// --- kMlpTrain -------------------------------------------------------------

mnist::MlpOptions MlpOptions() {
  mnist::MlpOptions o;
  o.hidden = 32;
  o.seed = 7;
  return o;
}

mnist::Dataset SyntheticMnist(int64_t n, uint64_t seed) {
  mnist::Dataset d{Tensor(DataType::kUint8, {n, 28, 28}), Tensor(DataType::kInt64, {n})};
  InitRng rng(seed);
  for (uint8_t& p : d.images.flat<uint8_t>()) p = static_cast<uint8_t>(rng.Next());
  for (int64_t& y : d.labels.flat<int64_t>()) y = static_cast<int64_t>(rng.Next() % 10);
  return d;
}

absl::StatusOr<Tensor> MlpLogits(mnist::Trainer& trainer, const mnist::Dataset& data) {
  const mnist::Mlp& m = trainer.model();
  mnist::Dataset first = data.Slice(0, kMlpBatch);
  ASSIGN_OR_RETURN(std::vector<Tensor> out,
                   trainer.session().Run({{m.images, first.images}}, {m.logits}));
  return out[0];
}

// --- kMultiDevice / kTraced ------------------------------------------------

// Two MatMul/Tanh chains joined by a Softmax; `split`: the chains on CPU:1
// and CPU:2, the join on CPU:0 (as tests/executor/multi_device_test.cc).
absl::StatusOr<Graph> TwoBranchGraph(bool split) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {16, 32}, "x");
  std::vector<Output> ends;
  for (int branch = 0; branch < 2; ++branch) {
    std::optional<GraphBuilder::DeviceScope> scope;
    if (split) scope.emplace(b, absl::StrCat("/cpu:", branch + 1));
    Output h = x;
    for (int layer = 0; layer < 4; ++layer) {
      h = ops::Tanh(ops::MatMul(h, b.Const(Filled({32, 32}, 100 + 10 * branch + layer))));
    }
    ends.push_back(h);
  }
  std::optional<GraphBuilder::DeviceScope> join;
  if (split) join.emplace(b, "/cpu:0");
  ops::Softmax(ops::Add(ends[0], ends[1]), "y");
  return b.Build();
}

// --- kOom --------------------------------------------------------------------

// x on CPU:0; y = tanh(x W) on CPU:1 (the limited one when `split`).
absl::StatusOr<Graph> OomGraph(bool split) {
  GraphBuilder b;
  std::optional<GraphBuilder::DeviceScope> scope;
  if (split) scope.emplace(b, "/cpu:0");
  Output x = b.Placeholder(DataType::kFloat32, {-1, kOomWidth}, "x");
  if (split) scope.emplace(b, "/cpu:1");
  Output w = b.Const(Filled({kOomWidth, kOomWidth}, 200), "w");
  ops::Tanh(ops::MatMul(x, w, {}, "big_matmul"), "y");
  return b.Build();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Workloads>> Workloads::Create(bool corrupt) {
  std::unique_ptr<Workloads> w(new Workloads);
  // kMlpTrain: kMlpSteps batches of kMlpBatch, in order.
  w->mlp_data_ = SyntheticMnist(kMlpBatch * kMlpSteps, 11);
  for (int s = 0; s < kMlpSteps; ++s) {
    std::vector<int64_t> order(kMlpBatch);
    for (int i = 0; i < kMlpBatch; ++i) order[i] = s * kMlpBatch + i;
    w->mlp_batches_.push_back(std::move(order));
  }
  {
    ASSIGN_OR_RETURN(auto trainer, mnist::Trainer::Create(MlpOptions(), SerialOptions()));
    for (const std::vector<int64_t>& batch : w->mlp_batches_) {
      ASSIGN_OR_RETURN(auto step, trainer->Step(w->mlp_data_, batch));
      w->mlp_steps_.push_back(step);
    }
    ASSIGN_OR_RETURN(w->mlp_logits_, MlpLogits(*trainer, w->mlp_data_));
    ASSIGN_OR_RETURN(auto traced, mnist::Trainer::Create(MlpOptions(), SerialOptions()));
    RunMetadata metadata;
    RETURN_IF_ERROR(traced->TracedStep(w->mlp_data_, w->mlp_batches_[0], metadata));
    w->mlp_trace_events_ = metadata.trace.events.size();
  }
  // kMultiDevice: the one-device outputs; the events of a traced split step.
  {
    ASSIGN_OR_RETURN(Graph graph, TwoBranchGraph(false));
    ASSIGN_OR_RETURN(auto session, Session::Create(std::move(graph), SerialOptions()));
    for (int f = 0; f < kNumFeeds; ++f) {
      w->md_feeds_.push_back(Filled({16, 32}, 1000 + f));
      ASSIGN_OR_RETURN(std::vector<Tensor> out, session->Run({{"x", w->md_feeds_[f]}}, {"y"}));
      w->md_outputs_.push_back(out[0]);
    }
    SessionOptions o;
    ASSIGN_OR_RETURN(o.runtime, CpuRuntime({{1, 1}, {1, 1}, {1, 1}}, 1, nullptr));
    ASSIGN_OR_RETURN(Graph split, TwoBranchGraph(true));
    ASSIGN_OR_RETURN(auto traced, Session::Create(std::move(split), o));
    RunOptions trace;
    trace.trace = true;
    RunMetadata metadata;
    ASSIGN_OR_RETURN(std::vector<Tensor> out,
                     traced->Run(trace, {{"x", w->md_feeds_[0]}}, {"y"}, {}, &metadata));
    RETURN_IF_ERROR(CheckBitEqual(out[0], w->md_outputs_[0], "multi-device reference, split"));
    w->md_trace_events_ = metadata.trace.events.size();
  }
  // kOom: the small steps on one unlimited device.
  {
    ASSIGN_OR_RETURN(Graph graph, OomGraph(false));
    ASSIGN_OR_RETURN(auto session, Session::Create(std::move(graph), SerialOptions()));
    for (int f = 0; f < kNumFeeds; ++f) {
      w->oom_feeds_.push_back(Filled({kOomSmallRows, kOomWidth}, 2000 + f));
      ASSIGN_OR_RETURN(std::vector<Tensor> out, session->Run({{"x", w->oom_feeds_[f]}}, {"y"}));
      w->oom_outputs_.push_back(out[0]);
    }
  }
  if (corrupt) {
    for (auto& step : w->mlp_steps_) step.first += 1;
    for (Tensor* t : {&w->mlp_logits_, &w->md_outputs_[0], &w->md_outputs_[1], &w->md_outputs_[2],
                      &w->oom_outputs_[0], &w->oom_outputs_[1], &w->oom_outputs_[2]}) {
      ASSIGN_OR_RETURN(*t, t->Clone());  // fresh buffers: the sessions' are not touched
      t->data<float>()[t->num_elements() / 2] += 1;
    }
  }
  return w;
}

absl::Status Workloads::RunIteration(Kind kind, uint64_t seed, const SoakOptions& options,
                                     Counters& counters) const {
  absl::Status s;
  switch (kind) {
    case Kind::kMlpTrain: s = RunMlp(false, options, counters); break;
    case Kind::kMultiDevice: s = RunMultiDevice(false, seed, options, counters); break;
    case Kind::kTraced:
      s = seed % 2 == 0 ? RunMultiDevice(true, seed, options, counters)
                        : RunMlp(true, options, counters);
      break;
    case Kind::kOom: s = RunOom(seed, options, counters); break;
  }
  counters.iterations[static_cast<int>(kind)].fetch_add(1, std::memory_order_relaxed);
  return Context(s, KindName(kind));
}

absl::Status Workloads::RunMlp(bool traced, const SoakOptions& options,
                               Counters& counters) const {
  std::atomic<int64_t>& steps = counters.steps[static_cast<int>(traced ? Kind::kTraced
                                                                        : Kind::kMlpTrain)];
  Tensor kept;
  {
    SessionOptions o;
    ASSIGN_OR_RETURN(o.runtime, CpuRuntime({}, 2, &counters));
    ASSIGN_OR_RETURN(auto trainer, mnist::Trainer::Create(MlpOptions(), o));
    counters.sessions.fetch_add(1, std::memory_order_relaxed);
    for (int s = 0; s < kMlpSteps; ++s) {
      const std::string what = absl::StrCat("training step ", s + 1);
      steps.fetch_add(1, std::memory_order_relaxed);
      if (traced && s == 0) {
        RunMetadata metadata;
        RETURN_IF_ERROR(
            Context(trainer->TracedStep(mlp_data_, mlp_batches_[s], metadata), what));
        RETURN_IF_ERROR(CheckTrace(metadata.trace, mlp_trace_events_, 1, "traced " + what));
        continue;  // TracedStep fetches nothing; the next steps show its effect
      }
      auto step = trainer->Step(mlp_data_, mlp_batches_[s]);
      RETURN_IF_ERROR(Context(step.status(), what));
      RETURN_IF_ERROR(CheckEqual(step->first, mlp_steps_[s].first, what + " loss"));
      RETURN_IF_ERROR(CheckEqual(step->second, mlp_steps_[s].second, what + " hits"));
    }
    steps.fetch_add(1, std::memory_order_relaxed);
    auto logits = MlpLogits(*trainer, mlp_data_);
    RETURN_IF_ERROR(Context(logits.status(), "logits after training"));
    RETURN_IF_ERROR(CheckBitEqual(*logits, mlp_logits_, "logits after training"));
    if (options.keep_results_past_runtime) kept = *std::move(logits);
  }  // the trainer's session, then the runtime, are gone
  if (!kept.IsInitialized()) return absl::OkStatus();
  counters.kept_past_runtime.fetch_add(1, std::memory_order_relaxed);
  return CheckBitEqual(kept, mlp_logits_, "logits kept past the runtime");
}

absl::Status Workloads::RunMultiDevice(bool traced, uint64_t seed, const SoakOptions& options,
                                       Counters& counters) const {
  std::atomic<int64_t>& steps = counters.steps[static_cast<int>(traced ? Kind::kTraced
                                                                        : Kind::kMultiDevice)];
  Tensor kept;
  int kept_feed = 0;
  {
    SessionOptions o;
    // Two inter-op threads on CPU:0, one on the branch devices.
    ASSIGN_OR_RETURN(o.runtime, CpuRuntime({{2, 1}, {1, 1}, {1, 1}}, 1, &counters));
    ASSIGN_OR_RETURN(Graph graph, TwoBranchGraph(true));
    ASSIGN_OR_RETURN(auto session, Session::Create(std::move(graph), o));
    counters.sessions.fetch_add(1, std::memory_order_relaxed);
    const int num_steps = traced ? 2 : kNumFeeds;
    for (int s = 0; s < num_steps; ++s) {
      const int f = static_cast<int>((seed + s) % kNumFeeds);
      const std::string what = absl::StrCat(traced && s == 0 ? "traced " : "", "step ", s + 1,
                                            " (feed ", f, ")");
      steps.fetch_add(1, std::memory_order_relaxed);
      RunOptions run;
      run.trace = traced && s == 0;
      RunMetadata metadata;
      auto out = session->Run(run, {{"x", md_feeds_[f]}}, {"y"}, {}, &metadata);
      RETURN_IF_ERROR(Context(out.status(), what));
      RETURN_IF_ERROR(CheckBitEqual((*out)[0], md_outputs_[f], what));
      if (run.trace) {
        RETURN_IF_ERROR(CheckTrace(metadata.trace, md_trace_events_, 3, what));
        if (seed % 8 == 0 && !absl::StrContains(metadata.trace.ToChromeJson(), "\"_Copy\"")) {
          return absl::InternalError(what + ": the Chrome trace shows no _Copy node");
        }
      }
      if (options.keep_results_past_runtime) {
        kept = (*out)[0];
        kept_feed = f;
      }
    }
  }
  if (!kept.IsInitialized()) return absl::OkStatus();
  counters.kept_past_runtime.fetch_add(1, std::memory_order_relaxed);
  return CheckBitEqual(kept, md_outputs_[kept_feed], "output kept past the runtime");
}

absl::Status Workloads::RunOom(uint64_t seed, const SoakOptions& options,
                               Counters& counters) const {
  std::atomic<int64_t>& steps = counters.steps[static_cast<int>(Kind::kOom)];
  Tensor kept;
  int kept_feed = 0;
  {
    ASSIGN_OR_RETURN(auto runtime, CpuRuntime({{1, 1}, {1, 1, kOomLimitMb}}, 1, &counters));
    Allocator* pool = runtime->devices()[1]->allocator();
    {
      SessionOptions o;
      o.runtime = runtime;
      ASSIGN_OR_RETURN(Graph graph, OomGraph(true));
      ASSIGN_OR_RETURN(auto session, Session::Create(std::move(graph), o));
      counters.sessions.fetch_add(1, std::memory_order_relaxed);
      Tensor huge = Filled({kOomHugeRows, kOomWidth}, 3000 + seed % 7);
      // small, too large (RESOURCE_EXHAUSTED), small again.
      for (int s = 0; s < 3; ++s) {
        const int f = static_cast<int>((seed + s) % kNumFeeds);
        steps.fetch_add(1, std::memory_order_relaxed);
        auto out = session->Run({{"x", s == 1 ? huge : oom_feeds_[f]}}, {"y"});
        if (s == 1) {
          const std::string what = "the step too large for limited CPU:1";
          if (out.ok()) return absl::InternalError(what + " succeeded");
          if (out.status().code() != absl::StatusCode::kResourceExhausted ||
              !absl::StrContains(out.status().message(), "big_matmul") ||
              !absl::StrContains(out.status().message(), "CPU:1")) {
            return absl::InternalError(absl::StrCat(
                what, " should be RESOURCE_EXHAUSTED naming 'big_matmul' and CPU:1; got ",
                out.status().ToString()));
          }
          counters.expected_ooms.fetch_add(1, std::memory_order_relaxed);
          continue;
        }
        const std::string what = absl::StrCat("step ", s + 1, " (feed ", f, ")");
        RETURN_IF_ERROR(Context(out.status(), what));
        RETURN_IF_ERROR(CheckBitEqual((*out)[0], oom_outputs_[f], what));
        if (options.keep_results_past_runtime) {
          kept = (*out)[0];
          kept_feed = f;
        }
      }
      MaxInto(counters.limited_pool_reserved, pool->GetStats().bytes_reserved);
    }  // the session is gone: CPU:1's pool holds only what is kept
    const AllocatorStats stats = pool->GetStats();
    const int64_t expected = kept.IsInitialized() && kept.allocator() == pool ? 1 : 0;
    if (stats.num_live_allocs != expected) {
      return absl::InternalError(absl::StrCat(
          "after the session was destroyed, limited CPU:1's pool holds ", stats.num_live_allocs,
          " buffers (", stats.bytes_in_use, " bytes); expected ", expected,
          " (the kept result): a leak"));
    }
  }  // the runtime, its devices and CPU:1's pool are gone
  if (!kept.IsInitialized()) return absl::OkStatus();
  counters.kept_past_runtime.fetch_add(1, std::memory_order_relaxed);
  return CheckBitEqual(kept, oom_outputs_[kept_feed], "output of CPU:1 kept past the runtime");
}

}  // namespace graphrt::soak
