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
// One exception, a kernel-bound workload where the cores go to the kernels:
//   BM_Compare_MlpForward/B/threads  the MLP example's forward pass (784 ->
//                                    Dense(100, relu) -> Dense(10) logits) on a
//                                    fed float batch of B; inter-op 1, intra-op
//                                    = threads (tf_peer.py --graph mlpfwd)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "bench/executor/bench_util.h"
#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"

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

// The MLP forward pass. Weights and input follow fixed formulas that
// tf_peer.py repeats (MlpValue), so both sides multiply the same numbers; the
// first logit is checked against a naive loop before timing.
float MlpValue(int64_t i, int64_t j, int64_t salt) {
  return static_cast<float>((i * 7 + j * 3 + salt) % 11 - 5) / 50.0f;
}

// [rows, cols], or [cols] (a bias) when rows is 0.
Tensor MlpTensor(int64_t rows, int64_t cols, int64_t salt) {
  Tensor t(DataType::kFloat32, rows == 0 ? TensorShape{cols} : TensorShape{rows, cols});
  rows = std::max<int64_t>(rows, 1);
  std::span<float> v = t.flat<float>();
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) v[i * cols + j] = MlpValue(i, j, salt);
  }
  return t;
}

// logits[0][0] computed from the formula, in double.
double NaiveFirstLogit(const Tensor& x, const Tensor& w1, const Tensor& b1, const Tensor& w2,
                       const Tensor& b2, int64_t in, int64_t hidden) {
  double out = b2.flat<float>()[0];
  for (int64_t h = 0; h < hidden; ++h) {
    double acc = b1.flat<float>()[h];
    for (int64_t k = 0; k < in; ++k) acc += double{x.flat<float>()[k]} * w1.flat<float>()[k * hidden + h];
    out += std::max(acc, 0.0) * w2.flat<float>()[h * 10];
  }
  return out;
}

void BM_Compare_MlpForward(benchmark::State& state) {
  constexpr int64_t kIn = 784, kHidden = 100, kClasses = 10;
  const int64_t batch = state.range(0);
  const Tensor w1 = MlpTensor(kIn, kHidden, 1), b1 = MlpTensor(0, kHidden, 2);
  const Tensor w2 = MlpTensor(kHidden, kClasses, 3), b2 = MlpTensor(0, kClasses, 4);
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {batch, kIn}, "x");
  Output h = ops::Relu(ops::BiasAdd(ops::MatMul(x, b.Const(w1)), b.Const(b1)));
  Output logits = ops::BiasAdd(ops::MatMul(h, b.Const(w2)), b.Const(b2), "logits");
  SessionOptions o;
  o.inter_op_threads = 1;
  o.intra_op_threads = static_cast<int>(state.range(1));
  auto session = Session::Create(b.Build().value(), o);
  if (!session.ok()) {
    state.SkipWithError(std::string(session.status().message()).c_str());
    return;
  }
  auto handle = (*session)->MakeCallable({x}, {logits}).value();
  const Tensor feed = MlpTensor(batch, kIn, 0);
  auto check = (*session)->RunCallable(handle, std::span<const Tensor>(&feed, 1));
  const double want = NaiveFirstLogit(feed, w1, b1, w2, b2, kIn, kHidden);
  if (!check.ok() || std::abs((*check)[0].flat<float>()[0] - want) > 1e-3 * (1 + std::abs(want))) {
    state.SkipWithError("MlpForward's first logit differs from the naive loop");
    return;
  }
  RunSteps(state, **session, handle, std::span<const Tensor>(&feed, 1));
  state.SetItemsProcessed(state.iterations() * batch);
}

BENCHMARK(BM_Compare_Chain)->ArgsProduct({{1}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Compare_FanOutIn)->ArgsProduct({{1}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Compare_AddChain)->ArgsProduct({{1, 1000}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Compare_MatMulAddN)->ArgsProduct({{1, 64}, {2}})->UseRealTime();
BENCHMARK(BM_Compare_MlpForward)->ArgsProduct({{4096}, {1, 2}})->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace graphrt

BENCHMARK_MAIN();
