// Helpers shared by the executor benchmarks (bench/executor/executor_bench.cc)
// and the side-by-side anchors (bench/compare/graphrt_workloads_bench.cc):
// a session with the benchmark settings, the timing loop, and the graphs
// both measure.
#ifndef GRAPHRT_BENCH_EXECUTOR_BENCH_UTIL_H_
#define GRAPHRT_BENCH_EXECUTOR_BENCH_UTIL_H_

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <span>
#include <string>

#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"

namespace graphrt::bench {

// `threads` inter-op threads, 1 intra-op thread, the given inline threshold.
inline std::unique_ptr<Session> MakeSession(
    const GraphBuilder& b, int threads, int64_t inline_cost_ns = SessionOptions().inline_cost_ns) {
  SessionOptions o;
  o.inter_op_threads = threads;
  o.intra_op_threads = 1;
  o.inline_cost_ns = inline_cost_ns;
  auto s = Session::Create(b.Build().value(), o);
  if (!s.ok()) std::abort();
  return *std::move(s);
}

// n NoOps, each after the previous one (control edges); returns the last.
inline Output NoOpChain(GraphBuilder& b, int64_t n) {
  Output prev = b.Op("NoOp", {}, {}, "n0");
  for (int64_t i = 1; i < n; ++i) {
    Output next = b.Op("NoOp", {});
    b.AddControlDependency(prev, next);
    prev = next;
  }
  return prev;
}

// Times RunCallable; nodes > 0 adds a per_node counter (seconds per node,
// printed with an SI prefix: "25n" is 25 ns per node).
inline void RunSteps(benchmark::State& state, Session& session, Session::CallableHandle h,
                     std::span<const Tensor> feeds, int64_t nodes = 0) {
  for (auto _ : state) {
    auto out = session.RunCallable(h, feeds);
    if (!out.ok()) {
      state.SkipWithError(std::string(out.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(out);
  }
  if (nodes > 0) {
    state.counters["per_node"] = benchmark::Counter(
        static_cast<double>(nodes) * static_cast<double>(state.iterations()),
        benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  }
}

// n scalar float Adds of a fed placeholder and a constant 1 (fed, so that
// nothing folds), checked once, then timed on `threads` inter-op threads.
inline void RunAddChain(benchmark::State& state, int64_t n, int threads, int64_t nodes = 0) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, PartialShape::Scalar(), "x");
  Output one = b.Scalar<float>(1.0f, "one");
  Output cur = x;
  for (int64_t i = 0; i < n; ++i) cur = ops::Add(cur, one);
  auto session = MakeSession(b, threads);
  auto h = session->MakeCallable({x}, {cur}).value();
  Tensor feed = Tensor::Scalar<float>(0.0f);
  auto check = session->RunCallable(h, std::span<const Tensor>(&feed, 1));
  if (!check.ok() || (*check)[0].scalar<float>() != static_cast<float>(n)) {
    state.SkipWithError("AddChain computed a wrong sum");
    return;
  }
  RunSteps(state, *session, h, std::span<const Tensor>(&feed, 1), nodes);
}

}  // namespace graphrt::bench

#endif  // GRAPHRT_BENCH_EXECUTOR_BENCH_UTIL_H_
