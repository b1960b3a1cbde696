// Conv2D and its two gradients on the CPU: graphrt's kernels (im2col +
// CpuGemm, kernels/cpu/conv_ops.h; the context line gemm_isa names the GEMM
// path, GRAPHRT_CPU_ISA=avx2 selects the AVX2 one) through a Session, side
// by side with oneDNN called directly on the same NHWC / HWIO tensors (built only when
// oneDNN is found; see Note [Conv as im2col on our GEMM]). Args: layer (0:
// the CNN recipe's first layer, batch 64 x 28x28x1 -> 32 filters 3x3 SAME;
// 1: its second, 64 x 14x14x32 -> 64 filters 3x3 SAME), threads. Counter
// flops = 2 * N*OH*OW * FH*FW*C * OC per iteration, as a rate.
//   BM_Conv2D_Graphrt/<layer>/<threads>              forward
//   BM_Conv2DBackpropInput_Graphrt/<layer>/<threads> input gradient
//   BM_Conv2DBackpropFilter_Graphrt/<layer>/<threads> filter gradient
//   BM_Conv2D_OneDnn/..., BM_Conv2DBackpropInput_OneDnn/...,
//   BM_Conv2DBackpropFilter_OneDnn/...               the same through oneDNN
//                                                    (its OpenMP threads)
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "core/executor/session.h"
#include "core/graph/ops/conv_ops.h"
#include "kernels/cpu/gemm.h"

#ifdef GRAPHRT_BENCH_ONEDNN
#include <omp.h>

#include "oneapi/dnnl/dnnl.hpp"
#endif

namespace graphrt {
namespace {

struct Layer {
  int64_t n, h, w, c, oc;
};
constexpr Layer kLayers[] = {{64, 28, 28, 1, 32}, {64, 14, 14, 32, 64}};

double Flops(const Layer& l) { return 2.0 * l.n * l.h * l.w * 9 * l.c * l.oc; }

Tensor Random(const TensorShape& shape, unsigned seed) {
  Tensor t(DataType::kFloat32, shape);
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : t.flat<float>()) v = dist(gen);
  return t;
}

Tensor Sizes(const TensorShape& s) {
  return Tensor::FromVector<int32_t>(
      {static_cast<int32_t>(s.dim(0)), static_cast<int32_t>(s.dim(1)),
       static_cast<int32_t>(s.dim(2)), static_cast<int32_t>(s.dim(3))},
      TensorShape{4});
}

enum class Pass { kForward, kInput, kFilter };

void RunGraphrt(benchmark::State& state, Pass pass) {
  const Layer& l = kLayers[state.range(0)];
  const TensorShape in{l.n, l.h, l.w, l.c}, filter{3, 3, l.c, l.oc}, out{l.n, l.h, l.w, l.oc};
  GraphBuilder b;
  Output fed;
  Output result;
  Tensor feed;
  switch (pass) {
    case Pass::kForward:
      fed = b.Placeholder(DataType::kFloat32, in, "x");
      feed = Random(in, 1);
      result = ops::Conv2D(fed, b.Const(Random(filter, 2)));
      break;
    case Pass::kInput:
      fed = b.Placeholder(DataType::kFloat32, out, "dy");
      feed = Random(out, 1);
      result = ops::Conv2DBackpropInput(b.Const(Sizes(in)), b.Const(Random(filter, 2)), fed);
      break;
    case Pass::kFilter:
      fed = b.Placeholder(DataType::kFloat32, out, "dy");
      feed = Random(out, 1);
      result = ops::Conv2DBackpropFilter(b.Const(Random(in, 2)), b.Const(Sizes(filter)), fed);
      break;
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
  state.counters["flops"] =
      benchmark::Counter(Flops(l) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

void BM_Conv2D_Graphrt(benchmark::State& s) { RunGraphrt(s, Pass::kForward); }
void BM_Conv2DBackpropInput_Graphrt(benchmark::State& s) { RunGraphrt(s, Pass::kInput); }
void BM_Conv2DBackpropFilter_Graphrt(benchmark::State& s) { RunGraphrt(s, Pass::kFilter); }
BENCHMARK(BM_Conv2D_Graphrt)->ArgsProduct({{0, 1}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Conv2DBackpropInput_Graphrt)->ArgsProduct({{0, 1}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Conv2DBackpropFilter_Graphrt)->ArgsProduct({{0, 1}, {1, 2}})->UseRealTime();

#ifdef GRAPHRT_BENCH_ONEDNN
// oneDNN on plain NHWC src/dst and HWIO weights (TF's layouts: blocked
// layouts would need reorders per call in a runtime whose tensors are NHWC).
void RunOneDnn(benchmark::State& state, Pass pass) {
  using dnnl::memory;
  const Layer& l = kLayers[state.range(0)];
  omp_set_num_threads(static_cast<int>(state.range(1)));
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(eng);
  const memory::dims src_dims{l.n, l.c, l.h, l.w}, wei_dims{l.oc, l.c, 3, 3},
      dst_dims{l.n, l.oc, l.h, l.w}, strides{1, 1}, pad{1, 1};
  const memory::desc src(src_dims, memory::data_type::f32, memory::format_tag::nhwc);
  const memory::desc wei(wei_dims, memory::data_type::f32, memory::format_tag::hwio);
  const memory::desc dst(dst_dims, memory::data_type::f32, memory::format_tag::nhwc);
  const Tensor x = Random({l.n, l.h, l.w, l.c}, 1), w = Random({3, 3, l.c, l.oc}, 2),
               y = Random({l.n, l.h, l.w, l.oc}, 3);
  Tensor dx(DataType::kFloat32, x.shape()), dw(DataType::kFloat32, w.shape());
  memory src_m(src, eng, const_cast<float*>(x.data<float>()));
  memory wei_m(wei, eng, const_cast<float*>(w.data<float>()));
  memory dst_m(dst, eng, const_cast<float*>(y.data<float>()));
  memory dsrc_m(src, eng, dx.data<float>());
  memory dwei_m(wei, eng, dw.data<float>());
  const auto fwd_pd = dnnl::convolution_forward::primitive_desc(
      dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                      dnnl::algorithm::convolution_direct, src, wei, dst,
                                      strides, pad, pad),
      eng);
  dnnl::primitive prim;
  std::unordered_map<int, memory> args;
  std::string impl;
  switch (pass) {
    case Pass::kForward:
      prim = dnnl::convolution_forward(fwd_pd);
      args = {{DNNL_ARG_SRC, src_m}, {DNNL_ARG_WEIGHTS, wei_m}, {DNNL_ARG_DST, dst_m}};
      impl = fwd_pd.impl_info_str();
      break;
    case Pass::kInput: {
      const auto pd = dnnl::convolution_backward_data::primitive_desc(
          dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, src, wei,
                                                dst, strides, pad, pad),
          eng, fwd_pd);
      prim = dnnl::convolution_backward_data(pd);
      args = {{DNNL_ARG_DIFF_DST, dst_m}, {DNNL_ARG_WEIGHTS, wei_m}, {DNNL_ARG_DIFF_SRC, dsrc_m}};
      impl = pd.impl_info_str();
      break;
    }
    case Pass::kFilter: {
      const auto pd = dnnl::convolution_backward_weights::primitive_desc(
          dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, src,
                                                   wei, dst, strides, pad, pad),
          eng, fwd_pd);
      prim = dnnl::convolution_backward_weights(pd);
      args = {{DNNL_ARG_SRC, src_m}, {DNNL_ARG_DIFF_DST, dst_m}, {DNNL_ARG_DIFF_WEIGHTS, dwei_m}};
      impl = pd.impl_info_str();
      break;
    }
  }
  for (auto _ : state) {
    prim.execute(stream, args);
    stream.wait();
  }
  state.SetLabel(impl);
  state.counters["flops"] =
      benchmark::Counter(Flops(l) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

void BM_Conv2D_OneDnn(benchmark::State& s) { RunOneDnn(s, Pass::kForward); }
void BM_Conv2DBackpropInput_OneDnn(benchmark::State& s) { RunOneDnn(s, Pass::kInput); }
void BM_Conv2DBackpropFilter_OneDnn(benchmark::State& s) { RunOneDnn(s, Pass::kFilter); }
BENCHMARK(BM_Conv2D_OneDnn)->ArgsProduct({{0, 1}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Conv2DBackpropInput_OneDnn)->ArgsProduct({{0, 1}, {1, 2}})->UseRealTime();
BENCHMARK(BM_Conv2DBackpropFilter_OneDnn)->ArgsProduct({{0, 1}, {1, 2}})->UseRealTime();
#endif

}  // namespace
}  // namespace graphrt

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("gemm_isa", graphrt::CpuIsaName(graphrt::GemmIsa()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
