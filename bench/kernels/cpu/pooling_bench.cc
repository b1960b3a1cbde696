// MaxPool and MaxPoolGrad on the CPU through a Session (one Run per call),
// at the CNN recipe's two pools (batch 64, 2x2 window, stride 2, VALID).
// Args: layer (0: 28x28x32 -> 14x14; 1: 14x14x64 -> 7x7), intra-op threads.
// Counter bytes = the input's bytes per call, as a rate.
//   BM_MaxPool/<layer>/<threads>       forward
//   BM_MaxPoolGrad/<layer>/<threads>   gradient (routes to the first maximum)
//   BM_MaxPoolNd_Nchw/<layer>/<threads> MaxPoolNd (the ONNX importer's
//                                      channels-first pool, pool_nd_ops.cc), 3x3
//                                      window, stride 2, pads 1 (ResNet's stem pool)
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "bench/executor/bench_util.h"
#include "core/executor/session.h"
#include "core/graph/ops/pooling_ops.h"

namespace graphrt {
namespace {

struct Layer {
  int64_t n, h, w, c;
};
constexpr Layer kLayers[] = {{64, 28, 28, 32}, {64, 14, 14, 64}};

Tensor Random(const TensorShape& shape, unsigned seed) {
  Tensor t(DataType::kFloat32, shape);
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : t.flat<float>()) v = dist(gen);
  return t;
}

// Runs `result` fed a random `in` for `fed`, one inter-op thread and
// state.range(1) intra-op threads, timed by bench::RunSteps.
void TimeOnRandomInput(benchmark::State& state, const GraphBuilder& b, Output fed, Output result,
                       const TensorShape& in) {
  SessionOptions o;
  o.inter_op_threads = 1;
  o.intra_op_threads = static_cast<int>(state.range(1));
  auto session = Session::Create(b.Build().value(), o).value();
  auto h = session->MakeCallable({fed}, {result}).value();
  const Tensor feed = Random(in, 1);
  bench::RunSteps(state, *session, h, std::span<const Tensor>(&feed, 1));
  state.counters["bytes"] = benchmark::Counter(
      4.0 * in.num_elements() * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate, benchmark::Counter::kIs1024);
}

void RunPool(benchmark::State& state, bool grad) {
  const Layer& l = kLayers[state.range(0)];
  const TensorShape in{l.n, l.h, l.w, l.c}, out{l.n, l.h / 2, l.w / 2, l.c};
  const ops::PoolAttrs attrs{.ksize = {1, 2, 2, 1}, .strides = {1, 2, 2, 1}};
  GraphBuilder b;
  Output fed = b.Placeholder(DataType::kFloat32, in, "x");
  Output pooled = ops::MaxPool(fed, attrs);
  Output result = grad ? ops::MaxPoolGrad(fed, pooled, b.Const(Random(out, 2)), attrs) : pooled;
  TimeOnRandomInput(state, b, fed, result, in);
}

void BM_MaxPoolNd_Nchw(benchmark::State& state) {
  const Layer& l = kLayers[state.range(0)];
  const TensorShape in{l.n, l.c, l.h, l.w};
  GraphBuilder b;
  Output fed = b.Placeholder(DataType::kFloat32, in, "x");
  std::vector<Output> inputs{fed};
  Output result = b.Op("MaxPoolNd", inputs,
                       {{"kernel_shape", std::vector<int64_t>{3, 3}},
                        {"strides", std::vector<int64_t>{2, 2}},
                        {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  TimeOnRandomInput(state, b, fed, result, in);
}

void BM_MaxPool(benchmark::State& s) { RunPool(s, false); }
void BM_MaxPoolGrad(benchmark::State& s) { RunPool(s, true); }
BENCHMARK(BM_MaxPool)->ArgsProduct({{0, 1}, {1, 2}})->UseRealTime();
BENCHMARK(BM_MaxPoolGrad)->ArgsProduct({{0, 1}, {1, 2}})->UseRealTime();
BENCHMARK(BM_MaxPoolNd_Nchw)->ArgsProduct({{0, 1}, {1, 2}})->UseRealTime();

}  // namespace
}  // namespace graphrt

BENCHMARK_MAIN();
