// The machine's measured FMA peak, the denominator of the CNN workload's
// "fraction of peak" (bench/compare/run, workload cnn). Runs independent
// chains of fused multiply-adds, enough of them to cover the FMA latency,
// in the widest vector ISA the CPU reports at run time (AVX-512, else
// AVX2+FMA), on 1 and on 2 threads, and prints one line per thread count:
//
//   fma_peak isa=avx512 threads=2 gflops=123.4
//
// The best of 40 runs of ~7 ms (at AVX-512 peak): a peak, not a typical
// value, so that on a shared machine one run in a free moment is enough. Built by run with g++ -O2;
// the ISA comes from the target attributes, not from -march.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "fma_chains.h"

namespace {

constexpr long kIterations = 4'000'000;  // rounds of the chains per run

}  // namespace

int main() {
  const bool avx512 = __builtin_cpu_supports("avx512f");
  if (!avx512 && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
    std::printf("fma_peak isa=none threads=1 gflops=0\n");
    return 1;
  }
  const int lanes = avx512 ? 16 : 8;
  const double flops_per_thread =
      2.0 * lanes * graphrt::bench::kFmaChains * static_cast<double>(kIterations);
  for (int threads : {1, 2}) {
    double best = 0;
    for (int rep = 0; rep < 40; ++rep) {
      std::vector<float> sinks(static_cast<size_t>(threads));
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
          sinks[static_cast<size_t>(t)] = avx512 ? graphrt::bench::FmaChainsAvx512(0, kIterations)
                                                 : graphrt::bench::FmaChainsAvx2(0, kIterations);
        });
      }
      for (std::thread& th : pool) th.join();
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (sinks[0] == 12345.0f) std::printf("#");  // keeps the sums alive
      best = std::max(best, flops_per_thread * threads / s / 1e9);
    }
    std::printf("fma_peak isa=%s threads=%d gflops=%.1f\n", avx512 ? "avx512" : "avx2", threads, best);
  }
  return 0;
}
