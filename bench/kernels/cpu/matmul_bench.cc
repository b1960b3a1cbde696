// MatMul on the CPU, through a Session (one Run per product; the Run's own
// cost, ~1 us, is included). Args: m, k, n, intra-op threads. Counter
// flops = 2mkn per iteration, as a rate (GFLOP/s printed as "G/s").
//   BM_MatMul/32/784/100/1   the MLP's first layer, batch 32
//   BM_MatMul/4096/784/100/2 the same at batch 4096 (issue 17's MLP forward)
//   BM_MatMul/128/128/128/1  bench/compare's 128x128 MatMul workload
// The context line gemm_isa names the GEMM path (kernels/cpu/gemm.h; set
// GRAPHRT_CPU_ISA=avx2 to measure the AVX2 path on an AVX-512 machine).
#include <benchmark/benchmark.h>

#include <random>

#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "kernels/cpu/gemm.h"

namespace graphrt {
namespace {

Tensor RandomMatrix(int64_t rows, int64_t cols, unsigned seed) {
  Tensor t(DataType::kFloat32, TensorShape{rows, cols});
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : t.flat<float>()) v = dist(gen);
  return t;
}

void BM_MatMul(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  GraphBuilder b;
  Output a = b.Placeholder(DataType::kFloat32, {m, k}, "a");
  Output w = b.Const(RandomMatrix(k, n, 2), "w");
  Output c = ops::MatMul(a, w, {}, "c");
  SessionOptions o;
  o.inter_op_threads = 1;
  o.intra_op_threads = static_cast<int>(state.range(3));
  auto session = Session::Create(b.Build().value(), o).value();
  auto h = session->MakeCallable({a}, {c}).value();
  Tensor feed = RandomMatrix(m, k, 1);
  for (auto _ : state) {
    auto out = session->RunCallable(h, std::span<const Tensor>(&feed, 1));
    if (!out.ok()) {
      state.SkipWithError(std::string(out.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(out);
  }
  state.counters["flops"] = benchmark::Counter(
      2.0 * m * k * n * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_MatMul)
    ->ArgsProduct({{32}, {784}, {100}, {1, 2}})
    ->ArgsProduct({{256}, {784}, {100}, {1, 2}})
    ->ArgsProduct({{512}, {512}, {512}, {1, 2}})
    ->ArgsProduct({{4096}, {784}, {100}, {1, 2}})
    ->ArgsProduct({{128}, {128}, {128}, {1, 2}})
    ->UseRealTime();

}  // namespace
}  // namespace graphrt

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("gemm_isa", graphrt::CpuIsaName(graphrt::GemmIsa()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
