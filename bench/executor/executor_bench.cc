// Executor overhead benchmarks. Scenarios:
//   BM_Executor_Chain/N      N NoOps in a chain of control edges (ns/node)
//   BM_Executor_FanOutIn/N   one source, N independent NoOps, one sink
//   BM_Executor_Step         one Run of a 1-node graph (fixed cost per step)
//   BM_Executor_AddChain/N   N scalar float Adds, each adding a constant to
//                            the previous result, fed from a placeholder
//   BM_Executor_ChainTrace/N/trace  the chain through Run, tracing off / on
//   BM_Executor_InlineThreshold/k/mode  64 parallel Tanh over k floats,
//                            all inline (0) or all dispatched (1)
// Each runs with 1 and 2 inter-op threads (the second argument). Counters:
// per_node = wall time per step / N (seconds, printed with SI prefix). Runs go through RunCallable, the
// hot-loop API; BM_Executor_StepRun measures Run with its plan lookup.
#include <benchmark/benchmark.h>

#include <vector>

#include "bench/executor/bench_util.h"
#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"

namespace graphrt {
namespace {

using bench::MakeSession;
using bench::NoOpChain;
using bench::RunSteps;

void BM_Executor_Chain(benchmark::State& state) {
  const int64_t n = state.range(0);
  GraphBuilder b;
  Output prev = NoOpChain(b, n);
  auto session = MakeSession(b, static_cast<int>(state.range(1)));
  auto h = session->MakeCallable({}, {}, {prev}).value();
  RunSteps(state, *session, h, {}, n);
}

void BM_Executor_FanOutIn(benchmark::State& state) {
  const int64_t n = state.range(0);
  GraphBuilder b;
  Output src = b.Op("NoOp", {}, {}, "src");
  Output sink = b.Op("NoOp", {}, {}, "sink");
  for (int64_t i = 0; i < n; ++i) {
    Output mid = b.Op("NoOp", {});
    b.AddControlDependency(src, mid);
    b.AddControlDependency(mid, sink);
  }
  auto session = MakeSession(b, static_cast<int>(state.range(1)));
  auto h = session->MakeCallable({}, {}, {sink}).value();
  RunSteps(state, *session, h, {}, n + 2);
}

void BM_Executor_Step(benchmark::State& state) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, PartialShape::Scalar(), "x");
  Output y = ops::Neg(x, "y");
  auto session = MakeSession(b, static_cast<int>(state.range(0)));
  auto h = session->MakeCallable({x}, {y}).value();
  Tensor feed = Tensor::Scalar<float>(1.0f);
  RunSteps(state, *session, h, std::span<const Tensor>(&feed, 1), 1);
}

void BM_Executor_StepRun(benchmark::State& state) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, PartialShape::Scalar(), "x");
  Output y = ops::Neg(x, "y");
  auto session = MakeSession(b, static_cast<int>(state.range(0)));
  Tensor feed = Tensor::Scalar<float>(1.0f);
  for (auto _ : state) {
    auto out = session->Run({{x, feed}}, {y});
    benchmark::DoNotOptimize(out);
  }
}

void BM_Executor_AddChain(benchmark::State& state) {
  bench::RunAddChain(state, state.range(0), static_cast<int>(state.range(1)), state.range(0));
}

// Where should the inline threshold be? 64 independent Tanh nodes over k
// floats each, on 2 inter-op threads, either all run inline on the thread
// that made them ready (mode 0) or all dispatched to the pool (mode 1).
// per_node = step time / 64; compare the modes at each k, and take k's
// single-node cost from mode 0 (it is ~ the kernel's run time).
void BM_Executor_InlineThreshold(benchmark::State& state) {
  const int64_t k = state.range(0);
  const bool dispatch = state.range(1) == 1;
  constexpr int kNodes = 64;
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {k}, "x");
  std::vector<Output> outs;
  for (int i = 0; i < kNodes; ++i) outs.push_back(ops::Tanh(x));
  Output sink = b.Group(outs, "sink");
  auto session = MakeSession(b, 2, dispatch ? 0 : int64_t{1} << 62);
  auto h = session->MakeCallable({x}, {}, {sink}).value();
  Tensor feed(DataType::kFloat32, TensorShape{k});
  for (float& v : feed.flat<float>()) v = 0.5f;
  RunSteps(state, *session, h, std::span<const Tensor>(&feed, 1), kNodes);
}

// Tracing cost: the chain through Session::Run with RunOptions::trace off
// (mode 0) or on (mode 1); per_node includes Run's plan lookup in both.
void BM_Executor_ChainTrace(benchmark::State& state) {
  const int64_t n = state.range(0);
  GraphBuilder b;
  Output prev = NoOpChain(b, n);
  auto session = MakeSession(b, 1);
  RunOptions options;
  options.trace = state.range(1) == 1;
  RunMetadata metadata;
  for (auto _ : state) {
    auto out = session->Run(options, {}, {}, {prev}, &metadata);
    if (!out.ok()) {
      state.SkipWithError(std::string(out.status().message()).c_str());
      break;
    }
  }
  state.counters["per_node"] = benchmark::Counter(
      static_cast<double>(n) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK(BM_Executor_Chain)->ArgsProduct({{1000, 100000}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Executor_FanOutIn)->ArgsProduct({{1000, 100000}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Executor_Step)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_Executor_StepRun)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_Executor_AddChain)->ArgsProduct({{1000, 100000}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Executor_ChainTrace)->ArgsProduct({{1000, 100000}, {0, 1}})->UseRealTime();
BENCHMARK(BM_Executor_InlineThreshold)
    ->ArgsProduct({{16, 64, 256, 1024, 4096, 16384}, {0, 1}})
    ->UseRealTime();

}  // namespace
}  // namespace graphrt

BENCHMARK_MAIN();
