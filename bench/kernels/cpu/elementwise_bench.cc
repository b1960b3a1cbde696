// Elementwise ops of imported models on the CPU (kernels/cpu/elementwise_unary.h,
// elementwise_binary.h), through a Session: one Run of one op on n float32
// elements per iteration (the Run's own cost, ~1 us, is included). Counter
// elems = elements per second.
//   BM_Unary_Activation/<op>/<n>/<threads>   op: 0 Relu (the baseline: a
//       plain vectorised loop), 1 LeakyRelu, 2 Elu, 3 Softplus, 4 Gelu (erf),
//       5 Gelu (tanh), 6 Erf, 7 Sin (<cmath> per element, not vectorised)
//   BM_Binary_Broadcast/<op>/<rows>/<threads>  [rows, 1024] op [1024]:
//       0 Add (baseline), 1 Minimum, 2 FloorMod, 3 Less, 4 Pow
//   BM_Select_Broadcast/<rows>/<threads>  SelectV2([rows,1024] bool,
//       [rows,1024], [1024]) against the same-shaped case (rows < 0)
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>

#include "core/executor/session.h"
#include "core/graph/ops/elementwise_ops.h"

namespace graphrt {
namespace {

Tensor Random(const TensorShape& shape, float lo, float hi, unsigned seed) {
  Tensor t(DataType::kFloat32, shape);
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (float& v : t.flat<float>()) v = dist(gen);
  return t;
}

// Runs `fetch` with `feeds` until the state stops; elems counts `n` per run.
void Loop(benchmark::State& state, GraphBuilder& b, std::vector<TensorName> feeds_at,
          std::vector<Tensor> feeds, Output fetch, int threads, int64_t n) {
  SessionOptions o;
  o.inter_op_threads = 1;
  o.intra_op_threads = threads;
  auto session = Session::Create(b.Build().value(), o);
  if (!session.ok()) {
    state.SkipWithError(std::string(session.status().message()).c_str());
    return;
  }
  auto h = (*session)->MakeCallable(feeds_at, {fetch}).value();
  for (auto _ : state) {
    auto out = (*session)->RunCallable(h, std::span<const Tensor>(feeds));
    if (!out.ok()) {
      state.SkipWithError(std::string(out.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(out);
  }
  state.counters["elems"] =
      benchmark::Counter(static_cast<double>(n) * state.iterations(), benchmark::Counter::kIsRate);
}

void BM_Unary_Activation(benchmark::State& state) {
  const int op = static_cast<int>(state.range(0));
  const int64_t n = state.range(1);
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {n}, "x");
  Output y;
  switch (op) {
    case 0: y = b.Op("Relu", {&x, 1}); break;
    case 1: y = ops::LeakyRelu(x, 0.1f); break;
    case 2: y = ops::Elu(x); break;
    case 3: y = ops::Softplus(x); break;
    case 4: y = ops::Elementwise("Gelu", {x}); break;
    case 5: y = ops::Elementwise("Gelu", {x}, {{"approximate", true}}); break;
    case 6: y = ops::Elementwise("Erf", {x}); break;
    default: y = ops::Elementwise("Sin", {x}); break;
  }
  static const char* kNames[] = {"Relu", "LeakyRelu", "Elu", "Softplus", "Gelu(erf)",
                                 "Gelu(tanh)", "Erf", "Sin"};
  state.SetLabel(kNames[op]);
  Loop(state, b, {x}, {Random({n}, -4, 4, 1)}, y, static_cast<int>(state.range(2)), n);
}

void BM_Binary_Broadcast(benchmark::State& state) {
  const int op = static_cast<int>(state.range(0));
  const int64_t rows = state.range(1), cols = 1024;
  static const char* kOps[] = {"Add", "Minimum", "FloorMod", "Less", "Pow"};
  state.SetLabel(kOps[op]);
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {rows, cols}, "x");
  Output y = b.Placeholder(DataType::kFloat32, {cols}, "y");
  Output z = ops::Elementwise(kOps[op], {x, y});
  Loop(state, b, {x, y}, {Random({rows, cols}, 0.5f, 4, 1), Random({cols}, 0.5f, 2, 2)}, z,
       static_cast<int>(state.range(2)), rows * cols);
}

void BM_Select_Broadcast(benchmark::State& state) {
  const bool same = state.range(0) < 0;
  const int64_t rows = std::abs(state.range(0)), cols = 1024;
  state.SetLabel(same ? "same shapes" : "e broadcast [1024]");
  GraphBuilder b;
  Output c = b.Placeholder(DataType::kBool, {rows, cols}, "c");
  Output t = b.Placeholder(DataType::kFloat32, {rows, cols}, "t");
  Output e = b.Placeholder(DataType::kFloat32, same ? TensorShape{rows, cols} : TensorShape{cols},
                           "e");
  Output z = ops::SelectV2(c, t, e);
  Tensor cond(DataType::kBool, {rows, cols});
  std::mt19937 gen(3);
  for (bool& v : cond.flat<bool>()) v = gen() & 1;
  Loop(state, b, {c, t, e},
       {cond, Random({rows, cols}, -1, 1, 4),
        Random(same ? TensorShape{rows, cols} : TensorShape{cols}, -1, 1, 5)},
       z, static_cast<int>(state.range(1)), rows * cols);
}

BENCHMARK(BM_Unary_Activation)
    ->ArgsProduct({{0, 1, 2, 3, 4, 5, 6, 7}, {1 << 20}, {1, 2}})
    ->UseRealTime();
BENCHMARK(BM_Binary_Broadcast)->ArgsProduct({{0, 1, 2, 3, 4}, {1024}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Select_Broadcast)->ArgsProduct({{-1024, 1024}, {1, 2}})->UseRealTime();

}  // namespace
}  // namespace graphrt

BENCHMARK_MAIN();
