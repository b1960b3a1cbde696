// Placement costs and placement choices.
//   BM_PlaceGraph/N         PlaceGraph alone on an N-node graph (chains of
//                           Adds over variables, half asking for /gpu:0),
//                           devices CPU:0 + a GPU descriptor
//   BM_SessionCreate/N      Session::Create of the same graph on the CPU
//                           (validate, place, partition, make kernels)
//   BM_TwoBranch/mode       two MatMul chains (8 x [64,256]x[256,256] + Tanh)
//                           joined by Add: mode 0 all on CPU:0 with 1
//                           inter-op thread, 1 all on CPU:0 with 2, 2 split
//                           over two logical CPU devices of 1 thread each
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "core/executor/kernel_registry.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "core/placer/placement.h"

namespace graphrt {
namespace {

Graph BigGraph(int64_t n) {
  GraphBuilder b;
  Variable v = b.NewVariable("v", Tensor::Scalar<float>(1.0f));
  Output cur = v.Read();
  for (int64_t i = 2; i < n; ++i) {
    if (i % 1000 == 0) cur = v.Read();  // restart a chain
    std::unique_ptr<GraphBuilder::DeviceScope> scope;
    if (i % 2 == 0) scope = std::make_unique<GraphBuilder::DeviceScope>(b, "/gpu:0");
    cur = ops::Add(cur, cur);
  }
  return b.Build().value();
}

std::vector<DeviceAttributes> CpuAndGpu() {
  DeviceAttributes gpu;
  gpu.name = FullDeviceName("GPU", 0);
  gpu.type = "GPU";
  return {CpuDeviceAttributes(0), gpu};
}

void BM_PlaceGraph(benchmark::State& state) {
  Graph g = BigGraph(state.range(0));
  KernelRegistry& registry = KernelRegistry::Global();
  registry.Register(KernelDef{"Add", "GPU", {}, nullptr});  // a descriptor: placement only
  const std::vector<DeviceAttributes> devices = CpuAndGpu();
  SupportedTypesFn supported = [&](const Node& n) { return registry.SupportedDeviceTypes(n); };
  for (auto _ : state) {
    auto p = PlaceGraph(g, devices, supported);
    if (!p.ok()) {
      state.SkipWithError(std::string(p.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(p);
  }
  state.counters["nodes"] = static_cast<double>(g.num_nodes());
}

void BM_SessionCreate(benchmark::State& state) {
  Graph g = BigGraph(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    Graph copy = Graph::FromNodeDefs(g.ToNodeDefs()).value();
    state.ResumeTiming();
    auto s = Session::Create(std::move(copy), {});
    if (!s.ok()) {
      state.SkipWithError(std::string(s.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(s);
  }
}

void BM_TwoBranch(benchmark::State& state) {
  const int mode = static_cast<int>(state.range(0));
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {64, 256}, "x");
  std::vector<Output> ends;
  for (int branch = 0; branch < 2; ++branch) {
    std::unique_ptr<GraphBuilder::DeviceScope> scope;
    if (mode == 2) {
      scope = std::make_unique<GraphBuilder::DeviceScope>(b, "/cpu:" + std::to_string(branch));
    }
    Output h = x;
    for (int layer = 0; layer < 8; ++layer) {
      Tensor w(DataType::kFloat32, TensorShape{256, 256});
      for (int64_t i = 0; i < w.num_elements(); ++i) w.data<float>()[i] = float(i % 7 - 3) / 64.0f;
      h = ops::Tanh(ops::MatMul(h, b.Const(w)));
    }
    ends.push_back(h);
  }
  Output y = ops::Add(ends[0], ends[1], "y");
  auto runtime = Runtime::Create({mode == 1 ? 2 : 1, 1, nullptr});
  if (mode == 2) {
    (void)runtime->SetLogicalDeviceConfiguration(runtime->ListPhysicalDevices("CPU")[0], {{}, {}});
  }
  SessionOptions o;
  o.runtime = runtime;
  auto session = Session::Create(b.Build().value(), o).value();
  auto h = session->MakeCallable({x}, {y}).value();
  Tensor feed(DataType::kFloat32, TensorShape{64, 256});
  for (float& v : feed.flat<float>()) v = 0.25f;
  for (auto _ : state) {
    auto out = session->RunCallable(h, std::span<const Tensor>(&feed, 1));
    if (!out.ok()) {
      state.SkipWithError(std::string(out.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(out);
  }
}

BENCHMARK(BM_PlaceGraph)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SessionCreate)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TwoBranch)->Arg(0)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace graphrt

BENCHMARK_MAIN();
