// CpuGemm (kernels/cpu/gemm.h) called directly, one thread, each ISA path
// this CPU supports side by side in one run. Args: isa (0 avx512, 1 avx2,
// 2 generic = Eigen), m, k, n. Counter flops = 2mkn per iteration, as a rate;
// the context line gemm_isa names the path CpuGemm takes by default.
//   BM_Gemm/<isa>/128/128/128     bench/compare's 128x128 MatMul workload
//   BM_Gemm/<isa>/32/784/100      the MLP's first layer, batch 32
//   BM_Gemm/<isa>/4096/784/100    the same at batch 4096 (inference)
//   BM_Gemm/<isa>/256/288/64      a Conv2D im2col tile of the CNN's 2nd layer
//   BM_Gemm/<isa>/256/9/32        ... and of its first (C = 1: K = 9)
//   BM_Gemm/<isa>/288/256/64      the 2nd layer's filter gradient tile (A^T)
//   BM_Gemm/<isa>/512/512/512     a square product, out of L2
// BM_GemmPackedB/m/k/n: the default path with B packed ahead (PackGemmB), as
// MatMul does for a constant weight; 64/784/300 is the ONNX MLP's first
// layer at batch 64 (issue 18). BM_GemmPackedBEpilogue/m/k/n: the same
// with FusedMatMul's epilogue, a bias and Relu (Note [GEMM epilogue]).
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "kernels/cpu/gemm.h"

namespace graphrt {
namespace {

constexpr CpuIsa kIsas[] = {CpuIsa::kAvx512, CpuIsa::kAvx2, CpuIsa::kGeneric};

std::vector<float> Random(int64_t size, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(size);
  for (float& x : v) x = dist(gen);
  return v;
}

void BM_Gemm(benchmark::State& state) {
  const CpuIsa isa = kIsas[state.range(0)];
  const int64_t m = state.range(1), k = state.range(2), n = state.range(3);
  state.SetLabel(CpuIsaName(isa));
  if (!GemmIsaSupported(isa)) {
    state.SkipWithError((std::string(CpuIsaName(isa)) + " not supported here").c_str());
    return;
  }
  // The filter-gradient shape reads A transposed, as conv_ops.cc does.
  const bool ta = m == 288 && k == 256;
  const std::vector<float> a = Random(m * k, 1), b = Random(k * n, 2);
  std::vector<float> c(m * n);
  const GemmProblem p{.a = a.data(), .transpose_a = ta, .b = b.data(), .c = c.data(), .m = m,
                      .k = k, .n = n};
  for (auto _ : state) {
    CpuGemmWithIsa(isa, p, 0, m, 0, n);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["flops"] = benchmark::Counter(
      2.0 * m * k * n * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_Gemm)
    ->ArgsProduct({{0, 1, 2}, {128}, {128}, {128}})
    ->ArgsProduct({{0, 1, 2}, {32}, {784}, {100}})
    ->ArgsProduct({{0, 1, 2}, {4096}, {784}, {100}})
    ->ArgsProduct({{0, 1, 2}, {256}, {288}, {64}})
    ->ArgsProduct({{0, 1, 2}, {256}, {9}, {32}})
    ->ArgsProduct({{0, 1, 2}, {288}, {256}, {64}})
    ->ArgsProduct({{0, 1, 2}, {512}, {512}, {512}})
    ->ArgsProduct({{0}, {64}, {576}, {224}})
    ->ArgsProduct({{0}, {64}, {784}, {300}});

// B packed ahead; with `epilogue`, FusedMatMul's bias and Relu too.
void RunGemmPackedB(benchmark::State& state, bool epilogue) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  const std::vector<float> a = Random(m * k, 1), b = Random(k * n, 2), bias = Random(n, 3);
  std::vector<float> c(m * n);
  const PackedGemmB packed = PackGemmB(b.data(), /*transpose_b=*/false, k, n);
  state.SetLabel(CpuIsaName(packed.isa));
  const GemmProblem p{.a = a.data(), .b = b.data(), .c = c.data(), .m = m, .k = k, .n = n,
                      .packed_b = &packed, .bias = epilogue ? bias.data() : nullptr,
                      .relu = epilogue};
  for (auto _ : state) {
    CpuGemm(p);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["flops"] = benchmark::Counter(
      2.0 * m * k * n * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_GemmPackedB(benchmark::State& state) { RunGemmPackedB(state, /*epilogue=*/false); }
void BM_GemmPackedBEpilogue(benchmark::State& state) { RunGemmPackedB(state, /*epilogue=*/true); }

BENCHMARK(BM_GemmPackedB)->Args({64, 784, 300})->Args({64, 300, 100})->Args({256, 784, 300});

BENCHMARK(BM_GemmPackedBEpilogue)
    ->Args({64, 784, 300})
    ->Args({64, 300, 100})
    ->Args({256, 784, 300});

}  // namespace
}  // namespace graphrt

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("gemm_isa", graphrt::CpuIsaName(graphrt::GemmIsa()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
