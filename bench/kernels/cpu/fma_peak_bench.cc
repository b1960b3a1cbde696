// The machine's measured single-precision FMA peak: each thread runs the
// independent FMA chains of bench/compare/fma_chains.h in registers (no
// memory traffic), enough to cover the FMA latency on every FMA port, so the
// rate is what the cores' vector units can do. The CNN step's and the
// GEMM's fraction of peak in bench/RESULTS.md are taken against these
// figures. Counter flops = 2 per
// lane per FMA, summed over threads, as a rate.
//   BM_FmaPeak_Avx512/threads:{1,2}   zmm FMAs (16 lanes)
//   BM_FmaPeak_Avx2/threads:{1,2}     ymm FMAs (8 lanes)
#include <benchmark/benchmark.h>

#include <cstdint>

#include "bench/compare/fma_chains.h"
#include "kernels/cpu/gemm.h"

namespace graphrt {
namespace {

constexpr int64_t kIters = 1 << 16;

float FmaLoopAvx512(float seed) { return bench::FmaChainsAvx512(seed, kIters); }
float FmaLoopAvx2(float seed) { return bench::FmaChainsAvx2(seed, kIters); }

template <float (*kLoop)(float), int kLanes>
void FmaPeak(benchmark::State& state, bool supported) {
  if (!supported) {
    state.SkipWithError("ISA not supported on this CPU");
    return;
  }
  float seed = 1.0f;
  for (auto _ : state) {
    seed = kLoop(seed) * 1e-9f + 1.0f;
    benchmark::DoNotOptimize(seed);
  }
  const double flop_per_call = 2.0 * kLanes * bench::kFmaChains * kIters;
  state.counters["flops"] = benchmark::Counter(
      flop_per_call * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_FmaPeak_Avx512(benchmark::State& state) {
  FmaPeak<FmaLoopAvx512, 16>(state, GemmIsaSupported(CpuIsa::kAvx512));
}
void BM_FmaPeak_Avx2(benchmark::State& state) {
  FmaPeak<FmaLoopAvx2, 8>(state, __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
}

BENCHMARK(BM_FmaPeak_Avx512)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_FmaPeak_Avx2)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace graphrt

BENCHMARK_MAIN();
