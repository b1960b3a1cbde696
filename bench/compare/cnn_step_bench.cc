// One training step of issue 17's CNN (examples/fashion_mnist_cnn/
// cnn_model.h): gather a batch of uint8 images, run forward, gradients and
// the momentum update (lr 0.01, momentum 0.9), fetch the loss and the number
// right. graphrt's side of the CNN comparison in bench/compare/ (Keras and
// libtorch run the same recipe there). Synthetic images and labels: the
// step's cost does not depend on the pixel values, and the bench needs no
// dataset. Scenarios (names: batch/inter-op/intra-op threads):
//   BM_CnnTrainStep/64/1/N   the recipe's step, convolutions over N threads
//                            (--threads N; default 1 and 2); each conv layer
//                            one FusedConv2D node (conv + bias + relu)
//   BM_CnnTrainStepUnfused/64/1/N  the same with Conv2D, BiasAdd and Relu as
//                            three nodes (CnnOptions::fuse_conv_layers off):
//                            the fusion's before/after in one run
//   BM_FmaPeak/threads:N     the machine's float32 FMA peak on N threads
//                            (AVX-512 when present, else AVX2, else scalar):
//                            the step's GFLOP/s over this is its fraction of
//                            peak
// Counters: real time per step in ms, and the CPU time of the whole process
// (every pool thread included: with 1 thread on a loaded machine, what the
// real time would be on an idle one); GFLOP (a rate: GFLOP/s) counts 2 per
// multiply-add of the step's convolutions and matrix products
// (CnnTrainStepFlops: 1.60 GFLOP at batch 64); isa says which vector unit the
// peak used (512, 256 or 32 bits).
//
//   cnn_step_bench [--threads 1,2] [--batch 64] [--inter-op 1] [benchmark flags]
//   cnn_step_bench --op-table N [--threads 1,2]: instead of benchmarking,
//        trace N steps after the warm-up (RunOptions::trace) and print the
//        per-node table (SummarizeNodes: wall time per node run, so on a
//        loaded machine read it as shares of the step, not as costs), for
//        the fused model and then the unfused one
//   e.g. cnn_step_bench --threads 2 --benchmark_repetitions=5
//        --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/compare/fma_chains.h"
#include "core/executor/step_trace.h"
#include "examples/fashion_mnist_cnn/cnn_trainer.h"
#include "examples/fashion_mnist_mlp/synthetic_dataset.h"

namespace graphrt::mnist {
namespace {

void CnnTrainStep(benchmark::State& state, int64_t batch, int inter_op, int intra_op,
                  bool fused) {
  SessionOptions options;
  options.inter_op_threads = inter_op;
  options.intra_op_threads = intra_op;
  CnnOptions model;
  model.fuse_conv_layers = fused;
  auto trainer = CnnTrainer::Create(model, options);
  if (!trainer.ok()) {
    state.SkipWithError(std::string(trainer.status().message()).c_str());
    return;
  }
  const Dataset data = SyntheticDataset(2048, 3);
  const std::vector<int64_t> order = ShuffledOrder(data.size(), 1);
  int64_t begin = 0;
  auto step = [&]() -> absl::StatusOr<std::pair<float, float>> {
    if (begin + batch > data.size()) begin = 0;
    auto result = (*trainer)->Step(data, std::span<const int64_t>(order).subspan(begin, batch));
    begin += batch;
    return result;
  };
  // Warm-up: the first steps build plans and grow the allocator's pool.
  for (int i = 0; i < 3; ++i) {
    if (auto r = step(); !r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
  }
  for (auto _ : state) {
    auto result = step();
    if (!result.ok()) {
      state.SkipWithError(std::string(result.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(result->first);
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["GFLOP"] = benchmark::Counter(
      static_cast<double>(CnnTrainStepFlops(batch)) * 1e-9,
      benchmark::Counter::kIsIterationInvariantRate);
}

// --op-table: the step's nodes by time over `steps` traced steps.
int PrintOpTable(int64_t batch, int inter_op, int intra_op, int steps, bool fused) {
  SessionOptions options;
  options.inter_op_threads = inter_op;
  options.intra_op_threads = intra_op;
  CnnOptions model;
  model.fuse_conv_layers = fused;
  auto trainer = CnnTrainer::Create(model, options);
  if (!trainer.ok()) {
    std::fprintf(stderr, "%s\n", trainer.status().ToString().c_str());
    return 1;
  }
  const Dataset data = SyntheticDataset(2048, 3);
  const std::vector<int64_t> order = ShuffledOrder(data.size(), 1);
  const Cnn& m = (*trainer)->model();
  std::vector<StepTrace> traces;
  for (int i = 0; i < steps + 3; ++i) {
    const int64_t begin = (i * batch) % (data.size() - batch + 1);
    std::array<Tensor, 2> feeds =
        GatherBatch(data, std::span<const int64_t>(order).subspan(begin, batch));
    RunOptions run_options;
    run_options.trace = i >= 3;  // the first steps build plans and grow the pool
    RunMetadata metadata;
    absl::Status s = (*trainer)
                         ->session()
                         .Run(run_options, {{m.images, feeds[0]}, {m.labels, feeds[1]}},
                              {m.loss, m.correct}, {m.train}, &metadata)
                         .status();
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
    if (run_options.trace) traces.push_back(std::move(metadata.trace));
  }
  double step_us = 0;
  for (const StepTrace& t : traces) step_us += t.step_ns * 1e-3 / traces.size();
  std::printf("%s, batch %lld, intra-op %d: mean step %.0f us over %d traced steps\n%s\n",
              fused ? "fused conv layers" : "unfused conv layers",
              static_cast<long long>(batch), intra_op, step_us, steps,
              OpStatsTable(SummarizeNodes(traces)).c_str());
  return 0;
}

// Rounds of the FMA chains (bench/compare/fma_chains.h) per iteration.
constexpr int64_t kRounds = 1 << 16;

void BM_FmaPeak(benchmark::State& state) {
  int lanes = 1;
  if (__builtin_cpu_supports("avx512f")) lanes = 16;
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) lanes = 8;
  float seed = static_cast<float>(state.thread_index());
  for (auto _ : state) {
    float r = 0;
    if (lanes == 16) r = bench::FmaChainsAvx512(seed, kRounds);
    else if (lanes == 8) r = bench::FmaChainsAvx2(seed, kRounds);
    else {
      for (int64_t i = 0; i < kRounds * bench::kFmaChains; ++i) r = r * 0.999999f + 1e-7f;
    }
    benchmark::DoNotOptimize(r);
  }
  // Per thread: the framework sums rates over threads.
  state.counters["GFLOP"] = benchmark::Counter(2.0 * kRounds * bench::kFmaChains * lanes * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["isa"] = 32 * lanes / state.threads();
}

// Takes --threads, --batch, --inter-op and --op-table out of argv (the rest goes to
// Google Benchmark); false on a bad value.
bool ParseOwnFlags(int& argc, char** argv, std::vector<int>& threads, int64_t& batch,
                   int& inter_op, int& op_table) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    const bool own = arg.rfind("--threads", 0) == 0 || arg.rfind("--batch", 0) == 0 ||
                     arg.rfind("--inter-op", 0) == 0 || arg.rfind("--op-table", 0) == 0;
    if (!own) {
      argv[kept++] = argv[i];
      continue;
    }
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return false;
    }
    bool ok = true;
    if (arg == "--threads") {
      threads.clear();
      for (absl::string_view t : absl::StrSplit(value, ',')) {
        int n = 0;
        ok = ok && absl::SimpleAtoi(t, &n) && n > 0;
        threads.push_back(n);
      }
    } else if (arg == "--batch") {
      ok = absl::SimpleAtoi(value, &batch) && batch > 0;
    } else if (arg == "--op-table") {
      ok = absl::SimpleAtoi(value, &op_table) && op_table > 0;
    } else if (arg == "--inter-op") {
      ok = absl::SimpleAtoi(value, &inter_op) && inter_op > 0;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "bad flag or value: %s %s\n", arg.c_str(), value.c_str());
      return false;
    }
  }
  argc = kept;
  return true;
}

}  // namespace
}  // namespace graphrt::mnist

int main(int argc, char** argv) {
  std::vector<int> threads = {1, 2};
  int64_t batch = 64;
  int inter_op = 1, op_table = 0;
  if (!graphrt::mnist::ParseOwnFlags(argc, argv, threads, batch, inter_op, op_table)) {
    std::fprintf(stderr, "usage: cnn_step_bench [--threads 1,2] [--batch 64] [--inter-op 1] "
                         "[--op-table STEPS] [benchmark flags]\n");
    return 2;
  }
  if (op_table > 0) {
    for (int n : threads) {
      for (bool fused : {true, false}) {
        if (int rc = graphrt::mnist::PrintOpTable(batch, inter_op, n, op_table, fused)) return rc;
      }
    }
    return 0;
  }
  for (int n : threads) {
    benchmark::RegisterBenchmark(
        absl::StrCat("BM_CnnTrainStep/", batch, "/", inter_op, "/", n).c_str(),
        [=](benchmark::State& s) { graphrt::mnist::CnnTrainStep(s, batch, inter_op, n, true); })
        ->Unit(benchmark::kMillisecond)
        ->MeasureProcessCPUTime()
        ->UseRealTime();
    benchmark::RegisterBenchmark(
        absl::StrCat("BM_CnnTrainStepUnfused/", batch, "/", inter_op, "/", n).c_str(),
        [=](benchmark::State& s) {
          graphrt::mnist::CnnTrainStep(s, batch, inter_op, n, false);
        })
        ->Unit(benchmark::kMillisecond)
        ->MeasureProcessCPUTime()
        ->UseRealTime();
  }
  for (int n : threads) {
    benchmark::RegisterBenchmark("BM_FmaPeak", graphrt::mnist::BM_FmaPeak)
        ->Threads(n)
        ->UseRealTime()
        ->MinTime(0.2);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
