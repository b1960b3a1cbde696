// graphrt's side of bench/compare/run: the graphs that executor_bench lacks.
// bench/compare/run subtracts a 1-node run from an N-node run of the same
// shape, per_node = (t(N) - t(1)) / (N - 1), so that the fixed cost of a
// Run is not counted as per-node cost. executor_bench has the large N;
// this file has the N = 1 anchors and the MatMul workload. Scenarios:
//   BM_Compare_Chain/1/threads       one NoOp (anchor of BM_Executor_Chain)
//   BM_Compare_FanOutIn/1/threads    source, one NoOp, sink (anchor of FanOutIn)
//   BM_Compare_AddChain/N/threads    N scalar float Adds fed from a placeholder
//                                    (N = 1 is also the fixed cost of a step)
//   BM_Compare_MatMulAddN/N/threads  N independent 128x128 MatMuls of the fed
//                                    x by N distinct constants, joined by AddN
// threads = the session's inter-op pool; intra-op 1 everywhere, as the peers.
#include <benchmark/benchmark.h>

#include <vector>

#include "bench/executor/bench_util.h"
#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"

namespace graphrt {
namespace {

using bench::MakeSession;
using bench::RunSteps;

void BM_Compare_Chain(benchmark::State& state) {
  GraphBuilder b;
  Output only = b.Op("NoOp", {}, {}, "n0");
  auto session = MakeSession(b, static_cast<int>(state.range(1)));
  auto h = session->MakeCallable({}, {}, {only}).value();
  RunSteps(state, *session, h, {});
}

void BM_Compare_FanOutIn(benchmark::State& state) {
  GraphBuilder b;
  Output src = b.Op("NoOp", {}, {}, "src");
  Output sink = b.Op("NoOp", {}, {}, "sink");
  Output mid = b.Op("NoOp", {}, {}, "mid");
  b.AddControlDependency(src, mid);
  b.AddControlDependency(mid, sink);
  auto session = MakeSession(b, static_cast<int>(state.range(1)));
  auto h = session->MakeCallable({}, {}, {sink}).value();
  RunSteps(state, *session, h, {});
}

void BM_Compare_AddChain(benchmark::State& state) {
  bench::RunAddChain(state, state.range(0), static_cast<int>(state.range(1)));
}

// Product i multiplies by a constant filled with (i + 1) / 64: distinct
// constants, so that no optimiser on any side may merge the products as
// common subexpressions (the peers build the same values).
Tensor Filled(int64_t k, float value) {
  Tensor t(DataType::kFloat32, TensorShape{k, k});
  for (float& v : t.flat<float>()) v = value;
  return t;
}

void BM_Compare_MatMulAddN(benchmark::State& state) {
  constexpr int64_t kSize = 128;
  const int64_t n = state.range(0);
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {kSize, kSize}, "x");
  std::vector<Output> products;
  for (int64_t i = 0; i < n; ++i) {
    Output w = b.Const(Filled(kSize, static_cast<float>(i + 1) / 64.0f));
    products.push_back(ops::MatMul(x, w));
  }
  Output sum = ops::AddN(products, "sum");
  auto session = MakeSession(b, static_cast<int>(state.range(1)));
  auto h = session->MakeCallable({x}, {sum}).value();
  Tensor feed = Filled(kSize, 0.5f);
  RunSteps(state, *session, h, std::span<const Tensor>(&feed, 1));
}

BENCHMARK(BM_Compare_Chain)->ArgsProduct({{1}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Compare_FanOutIn)->ArgsProduct({{1}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Compare_AddChain)->ArgsProduct({{1, 1000}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Compare_MatMulAddN)->ArgsProduct({{1, 64}, {2}})->UseRealTime();

}  // namespace
}  // namespace graphrt

BENCHMARK_MAIN();
