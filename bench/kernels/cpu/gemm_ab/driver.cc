// gemm_ab's driver: two versions of the AVX-512 GEMM kernel (variant.cc)
// called alternately on the same product in one process, each call timed,
// the order swapped every other round so neither always runs first. On a
// shared machine whose speed drifts over seconds, both sides see the same
// drift: the per-round ratio new/old and the low percentiles are what to
// read, not one side's median.
//
//   driver M K N [ROUNDS=3000] [FLAGS]
//
// FLAGS: letters, any of t (A stored [k, m]), u (B read in place, not
// packed ahead), e (no epilogue; by default a bias and Relu). Prints one line:
// each side's minimum, 10th percentile and median in microseconds, the
// median (and quartiles) of the per-round ratio v1/v0, the largest |C0 - C1|
// and v1's GFLOP/s at its 10th percentile.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

extern "C" void* gemm_ab_pack_v0(const float* b, long k, long n);
extern "C" void* gemm_ab_pack_v1(const float* b, long k, long n);
extern "C" void gemm_ab_run_v0(const float* a, bool transpose_a, const float* b,
                               const void* packed, const float* bias, float* c, long m, long k,
                               long n);
extern "C" void gemm_ab_run_v1(const float* a, bool transpose_a, const float* b,
                               const void* packed, const float* bias, float* c, long m, long k,
                               long n);

namespace {

double Percentile(std::vector<double> v, double f) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(f * (v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: driver M K N [ROUNDS] [FLAGS: t u e]\n");
    return 2;
  }
  const long m = std::atol(argv[1]), k = std::atol(argv[2]), n = std::atol(argv[3]);
  const int rounds = argc > 4 ? std::atoi(argv[4]) : 3000;
  const std::string flags = argc > 5 ? argv[5] : "";
  const bool transpose_a = flags.find('t') != std::string::npos;
  const bool packed = flags.find('u') == std::string::npos;
  const bool epilogue = flags.find('e') == std::string::npos;
  if (m <= 0 || k <= 0 || n <= 0 || rounds < 40) {
    std::fprintf(stderr, "driver: M, K, N must be positive and ROUNDS at least 40\n");
    return 2;
  }

  std::mt19937 gen(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> a(m * k), b(k * n), bias(n), c0(m * n), c1(m * n);
  for (std::vector<float>* v : {&a, &b, &bias}) {
    for (float& x : *v) x = dist(gen);
  }
  void* p0 = packed ? gemm_ab_pack_v0(b.data(), k, n) : nullptr;
  void* p1 = packed ? gemm_ab_pack_v1(b.data(), k, n) : nullptr;
  const float* bias_or_null = epilogue ? bias.data() : nullptr;
  auto v0 = [&] { gemm_ab_run_v0(a.data(), transpose_a, b.data(), p0, bias_or_null, c0.data(), m, k, n); };
  auto v1 = [&] { gemm_ab_run_v1(a.data(), transpose_a, b.data(), p1, bias_or_null, c1.data(), m, k, n); };
  auto time_us = [](auto&& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
        .count();
  };

  std::vector<double> t0, t1, ratio;
  for (int i = 0; i < rounds; ++i) {
    double x, y;
    if (i % 2 == 0) {
      x = time_us(v0);
      y = time_us(v1);
    } else {
      y = time_us(v1);
      x = time_us(v0);
    }
    if (i < 20) continue;  // warm-up: caches, page faults, frequency
    t0.push_back(x);
    t1.push_back(y);
    ratio.push_back(y / x);
  }
  double worst = 0;
  for (long i = 0; i < m * n; ++i) worst = std::max(worst, double{std::abs(c0[i] - c1[i])});
  std::printf(
      "%ldx%ldx%ld%s%s%s  v0 min %.1f p10 %.1f med %.1f | v1 min %.1f p10 %.1f med %.1f us | "
      "v1/v0 med %.3f (p25 %.3f, p75 %.3f) | max |C0 - C1| %.2g | v1 %.1f GFLOP/s (p10)\n",
      m, k, n, transpose_a ? " A^T" : "", packed ? "" : " B in place",
      epilogue ? "" : " no epilogue", Percentile(t0, 0), Percentile(t0, 0.1),
      Percentile(t0, 0.5), Percentile(t1, 0), Percentile(t1, 0.1), Percentile(t1, 0.5),
      Percentile(ratio, 0.5), Percentile(ratio, 0.25), Percentile(ratio, 0.75), worst,
      2.0 * m * k * n / Percentile(t1, 0.1) / 1e3);
  return 0;
}
