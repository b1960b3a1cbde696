// The FMA loops that measure the machine's float32 FMA peak for the CNN
// comparison: cnn_step_bench.cc's BM_FmaPeak, bench/kernels/cpu/
// fma_peak_bench.cc, and the standalone fma_peak.cc that bench/compare/run
// builds with plain g++ (so this header needs nothing but the compiler's
// intrinsics). Each call runs kFmaChains independent
// chains of `rounds` fused multiply-adds in registers and returns their sum,
// which the caller must keep alive. 2 * lanes * kFmaChains * rounds FLOP a
// call; the caller picks the ISA at run time (__builtin_cpu_supports).
//
// Thread-safety: pure functions; one call per thread measures that thread.
#ifndef GRAPHRT_BENCH_COMPARE_FMA_CHAINS_H_
#define GRAPHRT_BENCH_COMPARE_FMA_CHAINS_H_

#include <immintrin.h>

#include <cstdint>

namespace graphrt::bench {

// Enough independent chains to cover the FMA latency (4 cycles) on both FMA
// ports, with room: fewer and the loop measures latency, not throughput.
inline constexpr int kFmaChains = 12;

// x = x * a + b per chain, a < 1: the values stay bounded, no denormals.
__attribute__((target("avx512f"))) inline float FmaChainsAvx512(float seed, int64_t rounds) {
  __m512 acc[kFmaChains];
  for (int i = 0; i < kFmaChains; ++i) acc[i] = _mm512_set1_ps(seed + static_cast<float>(i));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 12  // unrolled, the chains stay in registers (fma_peak.cc is built -O2)
    for (int i = 0; i < kFmaChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < kFmaChains; ++i) sum = _mm512_add_ps(sum, acc[i]);
  // A store, not _mm512_reduce_add_ps: GCC 12 warns "uninitialized" inside
  // it, an error under the project's -Werror.
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

__attribute__((target("avx2,fma"))) inline float FmaChainsAvx2(float seed, int64_t rounds) {
  __m256 acc[kFmaChains];
  for (int i = 0; i < kFmaChains; ++i) acc[i] = _mm256_set1_ps(seed + static_cast<float>(i));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 12
    for (int i = 0; i < kFmaChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < kFmaChains; ++i) sum = _mm256_add_ps(sum, acc[i]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

}  // namespace graphrt::bench

#endif  // GRAPHRT_BENCH_COMPARE_FMA_CHAINS_H_
