// ConvNd (the ONNX importer's channels-first conv, kernels/cpu/conv_nd_ops.cc:
// im2col + Eigen GEMM per image) beside Conv2D (the NHWC kernel,
// kernels/cpu/conv_ops.cc) on the same layers through a Session. Args: layer
// (0: batch 64 x 1x28x28 -> 32 filters 3x3 pad 1; 1: 64 x 32x14x14 -> 64
// filters 3x3 pad 1; 2: ResNet-style 8 x 64x56x56 -> 64 filters 3x3 pad 1),
// threads. Counter flops = 2 * N*OH*OW * 9*C * OC per iteration, as a rate.
//   BM_ConvNd_Nchw/<layer>/<threads>     ConvNd, NCHW input, [M, C, 3, 3] weights
//   BM_Conv2D_Nhwc/<layer>/<threads>     Conv2D, NHWC input, HWIO filter
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "core/executor/session.h"
#include "core/graph/ops/conv_ops.h"

namespace graphrt {
namespace {

struct Layer {
  int64_t n, h, w, c, oc;
};
constexpr Layer kLayers[] = {{64, 28, 28, 1, 32}, {64, 14, 14, 32, 64}, {8, 56, 56, 64, 64}};

double Flops(const Layer& l) { return 2.0 * l.n * l.h * l.w * 9 * l.c * l.oc; }

Tensor Random(const TensorShape& shape, unsigned seed) {
  Tensor t(DataType::kFloat32, shape);
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : t.flat<float>()) v = dist(gen);
  return t;
}

void Run(benchmark::State& state, bool nchw) {
  const Layer& l = kLayers[state.range(0)];
  GraphBuilder b;
  Output fed, result;
  Tensor feed;
  if (nchw) {
    const TensorShape in{l.n, l.c, l.h, l.w};
    fed = b.Placeholder(DataType::kFloat32, in, "x");
    feed = Random(in, 1);
    Output w = b.Const(Random({l.oc, l.c, 3, 3}, 2));
    Output bias = b.Const(Tensor(DataType::kFloat32, TensorShape{0}));
    std::vector<Output> inputs{fed, w, bias};
    result = b.Op("ConvNd", inputs, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  } else {
    const TensorShape in{l.n, l.h, l.w, l.c};
    fed = b.Placeholder(DataType::kFloat32, in, "x");
    feed = Random(in, 1);
    ops::Conv2DAttrs attrs;
    attrs.padding = "SAME";
    result = ops::Conv2D(fed, b.Const(Random({3, 3, l.c, l.oc}, 2)), attrs);
  }
  SessionOptions o;
  o.inter_op_threads = 1;
  o.intra_op_threads = static_cast<int>(state.range(1));
  auto session = Session::Create(b.Build().value(), o).value();
  auto h = session->MakeCallable({fed}, {result}).value();
  for (auto _ : state) {
    auto r = session->RunCallable(h, std::span<const Tensor>(&feed, 1));
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.counters["flops"] = benchmark::Counter(
      Flops(l) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_ConvNd_Nchw(benchmark::State& s) { Run(s, true); }
void BM_Conv2D_Nhwc(benchmark::State& s) { Run(s, false); }
BENCHMARK(BM_ConvNd_Nchw)->ArgsProduct({{0, 1, 2}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Conv2D_Nhwc)->ArgsProduct({{0, 1, 2}, {1, 2}})->UseRealTime();

}  // namespace
}  // namespace graphrt

BENCHMARK_MAIN();
