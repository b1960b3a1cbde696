// The cuDNN kernels (kernels/gpu/cudnn_*) against the CPU kernels on the
// layers of the Fashion-MNIST CNN (issue 17's recipe, batch 64), each run
// as a session target on Consts already on its device (one step = the
// kernel, plus one stream sync on the GPU). Built with CUDA and cuDNN only.
// Scenarios (device 0 = CPU:0, 1 = GPU:0):
//   BM_Cudnn_Conv/device/layer/pass  layer 0: [64, 28, 28, 1] * [3, 3, 1, 32],
//                                    layer 1: [64, 14, 14, 32] * [3, 3, 32, 64],
//                                    SAME, stride 1; pass 0 Conv2D, 1
//                                    Conv2DBackpropInput, 2 Conv2DBackpropFilter.
//                                    FLOPS counts 2 * MACs of the pass.
//   BM_Cudnn_MaxPool/device/grad     2x2 stride 2 on [64, 28, 28, 32]; grad 1:
//                                    MaxPoolGrad (the step also runs the forward
//                                    MaxPool whose output it takes).
//   BM_Cudnn_BatchNorm/device/grad   FusedBatchNormV3 training on
//                                    [64, 14, 14, 64]; grad 1: FusedBatchNormGradV3
//                                    (training mode) with saved statistics as Consts.
// Without a GPU the device-1 scenarios skip saying why; the CPU ones run.
// One runtime: 2 inter-op and 2 intra-op threads, each GPU one logical
// device with an 8 GiB pool.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "bench/executor/bench_util.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/ops/batch_norm_ops.h"
#include "core/graph/ops/conv_ops.h"
#include "core/graph/ops/pooling_ops.h"

namespace graphrt {
namespace {

constexpr char kNoGpu[] = "no GPU device: built without CUDA or none visible";

std::shared_ptr<Runtime> BenchRuntime() {
  static const std::shared_ptr<Runtime> runtime = [] {
    auto rt = Runtime::Create({.inter_op_threads = 2, .intra_op_threads = 2});
    for (const PhysicalDevice& gpu : rt->ListPhysicalDevices("GPU")) {
      (void)rt->SetLogicalDeviceConfiguration(gpu, {{.memory_limit_mb = 8192}});
    }
    return rt;
  }();
  return runtime;
}

// A tensor of `shape` with values in [-0.5, 0.5): a cheap deterministic pattern.
Tensor Pattern(const TensorShape& shape, int salt) {
  Tensor t(DataType::kFloat32, shape);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    p[i] = static_cast<float>((i * 7 + salt) % 17 - 8) / 16.0f;
  }
  return t;
}

// The device of state.range(0), or "" (and the benchmark skipped) without it.
std::string Device(benchmark::State& state) {
  if (state.range(0) == 0) return "/CPU:0";
  if (BenchRuntime()->ListLogicalDevices("GPU").empty()) {
    state.SkipWithError(kNoGpu);
    return "";
  }
  return "/GPU:0";
}

// Builds with `make` under `device` and times the step that runs it.
template <typename Make>
void RunTarget(benchmark::State& state, const std::string& device, Make make) {
  GraphBuilder b;
  Output target;
  {
    GraphBuilder::DeviceScope scope(b, device);
    target = make(b);
  }
  SessionOptions o;
  o.runtime = BenchRuntime();
  o.allow_soft_placement = false;  // a node without a kernel there is an error
  auto graph = b.Build();
  auto session = graph.ok() ? Session::Create(*std::move(graph), o)
                            : absl::StatusOr<std::unique_ptr<Session>>(graph.status());
  if (!session.ok()) return state.SkipWithError(std::string(session.status().message()).c_str());
  auto h = (*session)->MakeCallable({}, {}, {target});
  if (!h.ok()) return state.SkipWithError(std::string(h.status().message()).c_str());
  bench::RunSteps(state, **session, *h, {});
}

void BM_Cudnn_Conv(benchmark::State& state) {
  const std::string device = Device(state);
  if (device.empty()) return;
  const int64_t layer = state.range(1), pass = state.range(2);
  const TensorShape in = layer == 0 ? TensorShape{64, 28, 28, 1} : TensorShape{64, 14, 14, 32};
  const TensorShape filter = layer == 0 ? TensorShape{3, 3, 1, 32} : TensorShape{3, 3, 32, 64};
  const TensorShape out{in.dim(0), in.dim(1), in.dim(2), filter.dim(3)};
  RunTarget(state, device, [&](GraphBuilder& b) {
    Output x = b.Const(Pattern(in, 1), "x");
    Output f = b.Const(Pattern(filter, 2), "f");
    if (pass == 0) return ops::Conv2D(x, f, {}, "op");
    Output dy = b.Const(Pattern(out, 3), "dy");
    if (pass == 1) return ops::Conv2DBackpropInput(x, f, dy, {}, "op");
    return ops::Conv2DBackpropFilter(x, f, dy, {}, "op");
  });
  state.counters["FLOPS"] = benchmark::Counter(
      2.0 * out.num_elements() * filter.dim(0) * filter.dim(1) * filter.dim(2) *
          static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

void BM_Cudnn_MaxPool(benchmark::State& state) {
  const std::string device = Device(state);
  if (device.empty()) return;
  const bool grad = state.range(1) != 0;
  RunTarget(state, device, [&](GraphBuilder& b) {
    Output x = b.Const(Pattern({64, 28, 28, 32}, 4), "x");
    if (!grad) return ops::MaxPool(x, {}, "op");
    return ops::MaxPoolGrad(x, ops::MaxPool(x), b.Const(Pattern({64, 14, 14, 32}, 5), "dy"), {},
                            "op");
  });
}

void BM_Cudnn_BatchNorm(benchmark::State& state) {
  const std::string device = Device(state);
  if (device.empty()) return;
  const bool grad = state.range(1) != 0;
  const TensorShape shape{64, 14, 14, 64};
  RunTarget(state, device, [&](GraphBuilder& b) {
    Output x = b.Const(Pattern(shape, 6), "x");
    Output scale = b.Const(Pattern({64}, 7), "scale");
    Output offset = b.Const(Pattern({64}, 8), "offset");
    if (!grad) {
      Output empty = b.Const(Tensor(DataType::kFloat32, {0}), "empty");
      return ops::FusedBatchNormV3(x, scale, offset, empty, empty, {}, "op").y;
    }
    // The saved statistics as Consts, so the step holds the gradient alone.
    Tensor ones(DataType::kFloat32, {64});
    for (float& v : ones.flat<float>()) v = 1.0f;
    return ops::FusedBatchNormGradV3(b.Const(Pattern(shape, 9), "dy"), x, scale,
                                     b.Const(Pattern({64}, 10), "mean"), b.Const(ones, "var"),
                                     b.Scalar<float>(0.0f), {}, "op").x_backprop;
  });
}

BENCHMARK(BM_Cudnn_Conv)->ArgsProduct({{0, 1}, {0, 1}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Cudnn_MaxPool)->ArgsProduct({{0, 1}, {0, 1}})
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Cudnn_BatchNorm)->ArgsProduct({{0, 1}, {0, 1}})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace graphrt

BENCHMARK_MAIN();
