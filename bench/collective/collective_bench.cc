// In-process all-reduce bandwidth against memcpy (docs/collectives.md).
// Scenarios:
//   BM_Collective_AllReduce/B  a Session over two logical CPU devices, each
//                              all-reducing (sum) a float32 Const of B bytes;
//                              one Run per iteration, both outputs fetched
//   BM_Collective_Memcpy/B     one memcpy of B bytes (the bound: an
//                              all-reduce of 2 reads 2 B and writes 2 B)
// B = 4 KiB .. 64 MiB. bytes_per_second is B per iteration (the algorithm
// bandwidth NCCL's tests report as algbw), so the two are comparable.
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/ops/collective_ops.h"

namespace graphrt {
namespace {

void BM_Collective_AllReduce(benchmark::State& state) {
  const int64_t n = state.range(0) / 4;
  auto runtime = Runtime::Create({1, 1, nullptr});
  std::vector<LogicalDeviceConfiguration> split(2);
  if (!runtime->SetLogicalDeviceConfiguration(runtime->ListPhysicalDevices("CPU")[0], split)
           .ok()) {
    state.SkipWithError("could not split the CPU into two logical devices");
    return;
  }
  GraphBuilder b;
  std::vector<TensorName> fetches;
  for (int d = 0; d < 2; ++d) {
    GraphBuilder::DeviceScope on(b, absl::StrCat("/cpu:", d));
    Tensor x(DataType::kFloat32, TensorShape{n});
    for (int64_t i = 0; i < n; ++i) x.data<float>()[i] = static_cast<float>(i % 97 + d);
    fetches.push_back(ops::CollectiveAllReduce(b.Const(x), ops::CollectiveReduction::kSum,
                                               {2, 1, 1, 60.0f}, absl::StrCat("ar", d)));
  }
  SessionOptions options;
  options.runtime = runtime;
  auto session = Session::Create(b.Build().value(), options);
  if (!session.ok()) {
    state.SkipWithError(std::string(session.status().message()).c_str());
    return;
  }
  for (auto _ : state) {
    auto out = (*session)->Run({}, fetches);
    if (!out.ok()) {
      state.SkipWithError(std::string(out.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(out->at(0).raw_data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Collective_AllReduce)->RangeMultiplier(4)->Range(4 << 10, 64 << 20)->UseRealTime();

void BM_Collective_Memcpy(benchmark::State& state) {
  std::vector<char> src(state.range(0), 1), dst(state.range(0));
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Collective_Memcpy)->RangeMultiplier(4)->Range(4 << 10, 64 << 20)->UseRealTime();

}  // namespace
}  // namespace graphrt

BENCHMARK_MAIN();
