// How fast a stopped step returns (docs/cancellation.md). Scenarios:
//   BM_Cancellation_Latency/T/0  a kernel loops polling ctx.cancelled();
//                                another thread calls token.Cancel() once it
//                                runs: time from Cancel() to Run's return
//   BM_Cancellation_Latency/T/1  the same kernel under a 1 ms deadline: time
//                                from the deadline to Run's return (how late
//                                the timer thread and the step are)
// T = inter-op threads (1: the looping kernel runs on the Run caller).
// Manual time is the latency; counters median_us and p99_us over the
// iterations. The step is x -> Spin -> Neg, fetched through RunCallable.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "bench/executor/bench_util.h"
#include "core/executor/kernel_registry.h"
#include "core/executor/session.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<int64_t> spins_started{0};

// Loops until its step is cancelled, yielding between polls.
class BenchSpinKernel final : public OpKernel {
 public:
  explicit BenchSpinKernel(const OpKernelConstruction& c) : OpKernel(c) {}
  absl::Status Compute(OpKernelContext& ctx) override {
    spins_started.fetch_add(1, std::memory_order_release);
    while (!ctx.cancelled()) std::this_thread::yield();
    return absl::CancelledError("BenchSpin stopped");
  }
  int64_t CostEstimateNs(std::span<const Tensor* const>) const override { return 1'000'000; }
};

const KernelRegistry* Kernels() {
  static KernelRegistry* r = [] {
    (void)OpRegistry::Global().Register(
        OpDefBuilder("BenchSpin").Input("in: float32").Output("out: float32").Shape(ScalarShape));
    auto* reg = new KernelRegistry(&KernelRegistry::Global(), {kDeviceCpu});
    reg->Register<BenchSpinKernel>("BenchSpin", kDeviceCpu);
    return reg;
  }();
  return r;
}

void BM_Cancellation_Latency(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const bool deadline = state.range(1) == 1;
  const KernelRegistry* kernels = Kernels();
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, PartialShape::Scalar(), "x");
  Output spin = b.Op("BenchSpin", std::vector<Output>{x}, {}, "spin");
  Output y = ops::Neg(spin, "y");
  SessionOptions o;
  o.inter_op_threads = threads;
  o.intra_op_threads = 1;
  o.kernels = kernels;
  auto session = Session::Create(b.Build().value(), o);
  if (!session.ok()) {
    state.SkipWithError(std::string(session.status().message()).c_str());
    return;
  }
  auto h = (*session)->MakeCallable({x}, {y}).value();
  Tensor feed = Tensor::Scalar<float>(1.0f);
  std::vector<double> latencies_us;
  for (auto _ : state) {
    CancellationToken token;
    RunOptions options;
    Clock::time_point stop_at;
    std::thread canceller;
    if (deadline) {
      options.timeout_ms = 1;
      stop_at = Clock::now() + std::chrono::milliseconds(1);
    } else {
      options.cancellation = &token;
      const int64_t before = spins_started.load(std::memory_order_acquire);
      canceller = std::thread([&] {
        while (spins_started.load(std::memory_order_acquire) == before) std::this_thread::yield();
        stop_at = Clock::now();
        token.Cancel();
      });
    }
    auto out = (*session)->RunCallable(options, h, std::span<const Tensor>(&feed, 1));
    const Clock::time_point returned = Clock::now();
    if (canceller.joinable()) canceller.join();
    const absl::StatusCode want =
        deadline ? absl::StatusCode::kDeadlineExceeded : absl::StatusCode::kCancelled;
    if (out.status().code() != want) {
      state.SkipWithError("the step was not stopped as expected");
      break;
    }
    const double seconds = std::chrono::duration<double>(returned - stop_at).count();
    state.SetIterationTime(std::max(seconds, 0.0));
    latencies_us.push_back(seconds * 1e6);
  }
  if (latencies_us.empty()) return;
  std::sort(latencies_us.begin(), latencies_us.end());
  state.counters["median_us"] = latencies_us[latencies_us.size() / 2];
  state.counters["p99_us"] = latencies_us[latencies_us.size() * 99 / 100];
}

BENCHMARK(BM_Cancellation_Latency)->ArgsProduct({{1, 2}, {0, 1}})->UseManualTime();

}  // namespace
}  // namespace graphrt

BENCHMARK_MAIN();
