// The machine's measured single-precision FMA peak: each thread runs
// kChains independent FMA chains in registers (no memory traffic), enough to
// cover the FMA latency on every FMA port, so the rate is what the cores'
// vector units can do. The CNN step's and the GEMM's fraction of peak in
// bench/RESULTS.md are taken against these figures. Counter flops = 2 per
// lane per FMA, summed over threads, as a rate.
//   BM_FmaPeak_Avx512/threads:{1,2}   zmm FMAs (16 lanes)
//   BM_FmaPeak_Avx2/threads:{1,2}     ymm FMAs (8 lanes)
#include <benchmark/benchmark.h>

#include <immintrin.h>

#include <cstdint>

#include "kernels/cpu/gemm.h"

#define GRAPHRT_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))
#define GRAPHRT_AVX2 __attribute__((target("avx2,fma")))

namespace graphrt {
namespace {

constexpr int kChains = 16;
constexpr int64_t kIters = 1 << 16;

// x = x * s + t per chain: values stay bounded (s < 1), so no denormals.
GRAPHRT_AVX512 float FmaLoopAvx512(float seed) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(seed + c);
  const __m512 s = _mm512_set1_ps(0.999f), t = _mm512_set1_ps(0.001f);
  for (int64_t i = 0; i < kIters; ++i) {
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], s, t);
  }
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  // (A store, not _mm512_reduce_add_ps: GCC 12 warns inside it, bug 105593.)
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

GRAPHRT_AVX2 float FmaLoopAvx2(float seed) {
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(seed + c);
  const __m256 s = _mm256_set1_ps(0.999f), t = _mm256_set1_ps(0.001f);
  for (int64_t i = 0; i < kIters; ++i) {
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], s, t);
  }
  __m256 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm256_add_ps(sum, acc[c]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

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
  state.counters["flops"] =
      benchmark::Counter(2.0 * kLanes * kChains * kIters * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
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
