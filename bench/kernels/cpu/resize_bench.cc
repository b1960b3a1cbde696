// Resize on the CPU through a Session (one Run per call), NCHW 1x64x56x56
// upsampled 2x in H and W (a decoder / FPN step), one intra-op thread; and,
// as the in-run baseline, a direct 2-D bilinear loop written here (the
// textbook four-tap gather per output element, float math, half_pixel).
// Counter bytes = the output's bytes per call, as a rate.
//   BM_Resize_2x/<mode>        mode 0 nearest, 1 linear, 2 cubic (graphrt op)
//   BM_ResizeDirectBilinear_2x the direct loop (no session)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/executor/session.h"
#include "core/graph/ops/resize_ops.h"

namespace graphrt {
namespace {

constexpr int64_t kN = 1, kC = 64, kH = 56, kW = 56;

Tensor Random(const TensorShape& shape, unsigned seed) {
  Tensor t(DataType::kFloat32, shape);
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : t.flat<float>()) v = dist(gen);
  return t;
}

void SetBytes(benchmark::State& state) {
  state.counters["bytes"] = benchmark::Counter(
      4.0 * kN * kC * 4 * kH * kW * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate, benchmark::Counter::kIs1024);
}

void BM_Resize_2x(benchmark::State& state) {
  static const char* kModes[] = {"nearest", "linear", "cubic"};
  const TensorShape in{kN, kC, kH, kW};
  GraphBuilder b;
  Output fed = b.Placeholder(DataType::kFloat32, in, "x");
  ops::ResizeAttrs attrs;
  attrs.mode = kModes[state.range(0)];
  Output y = ops::Resize(fed, Output(), b.Const(Tensor::FromVector<float>({1, 1, 2, 2})),
                         Output(), attrs);
  SessionOptions o;
  o.inter_op_threads = 1;
  o.intra_op_threads = 1;
  auto session = Session::Create(b.Build().value(), o).value();
  auto h = session->MakeCallable({fed}, {y}).value();
  const Tensor feed = Random(in, 1);
  for (auto _ : state) {
    auto r = session->RunCallable(h, std::span<const Tensor>(&feed, 1));
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  SetBytes(state);
}

void BM_ResizeDirectBilinear_2x(benchmark::State& state) {
  const Tensor x = Random({kN, kC, kH, kW}, 1);
  std::vector<float> y(kN * kC * 4 * kH * kW);
  const float* in = x.data<float>();
  for (auto _ : state) {
    for (int64_t p = 0; p < kN * kC; ++p) {
      const float* plane = in + p * kH * kW;
      float* out = y.data() + p * 4 * kH * kW;
      for (int64_t oy = 0; oy < 2 * kH; ++oy) {
        const float sy = std::max(0.0f, (oy + 0.5f) / 2.0f - 0.5f);
        const int64_t y0 = static_cast<int64_t>(sy), y1 = std::min(y0 + 1, kH - 1);
        const float fy = sy - y0;
        for (int64_t ox = 0; ox < 2 * kW; ++ox) {
          const float sx = std::max(0.0f, (ox + 0.5f) / 2.0f - 0.5f);
          const int64_t x0 = static_cast<int64_t>(sx), x1 = std::min(x0 + 1, kW - 1);
          const float fx = sx - x0;
          const float top = plane[y0 * kW + x0] * (1 - fx) + plane[y0 * kW + x1] * fx;
          const float bot = plane[y1 * kW + x0] * (1 - fx) + plane[y1 * kW + x1] * fx;
          out[oy * 2 * kW + ox] = top * (1 - fy) + bot * fy;
        }
      }
    }
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  SetBytes(state);
}

BENCHMARK(BM_Resize_2x)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ResizeDirectBilinear_2x)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace graphrt

BENCHMARK_MAIN();
