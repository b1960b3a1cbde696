// Test ops for executor tests: "Record" (sums its float inputs plus one and
// logs when it ran) and a registry holding the CPU kernels plus Record's.
//
// Record attrs: `fail` (bool) makes it fail; `sleep_us` (int) makes it slow;
// `cheap` (bool) makes it run inline. The log keeps a global sequence
// number at each start and end, and the highest number of Records running
// at once.
//
// "Spin" (inputs N * float32, one float32 output) never finishes on its
// own: it runs until its step is cancelled (ctx.cancelled()), polling
// every 20 us, or with `block` true waits on a condition variable that a
// callback on ctx.cancellation() wakes. It then returns CANCELLED. Spin's
// counters: how many started and how many returned.
#ifndef GRAPHRT_TESTS_EXECUTOR_TEST_OPS_H_
#define GRAPHRT_TESTS_EXECUTOR_TEST_OPS_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "core/executor/kernel_registry.h"
#include "core/graph/builder.h"
#include "core/graph/shape_inference.h"

namespace graphrt::testing {

struct RunRecord {
  int64_t start = 0, end = 0;
  int count = 0;
};

class RecordLog {
 public:
  static RecordLog& Get() {
    static RecordLog log;
    return log;
  }
  void Reset() {
    std::lock_guard<std::mutex> l(mu_);
    runs_.clear();
    running_ = 0;
    max_running_ = 0;
  }
  int64_t Start(const std::string& name) {
    int now = ++running_;
    int seen = max_running_.load();
    while (now > seen && !max_running_.compare_exchange_weak(seen, now)) {
    }
    std::lock_guard<std::mutex> l(mu_);
    RunRecord& r = runs_[name];
    r.start = ++seq_;
    ++r.count;
    return r.start;
  }
  void End(const std::string& name) {
    --running_;
    std::lock_guard<std::mutex> l(mu_);
    runs_[name].end = ++seq_;
  }
  std::map<std::string, RunRecord> runs() {
    std::lock_guard<std::mutex> l(mu_);
    return runs_;
  }
  int max_running() const { return max_running_.load(); }

 private:
  std::mutex mu_;
  std::map<std::string, RunRecord> runs_;
  int64_t seq_ = 0;
  std::atomic<int> running_{0};
  std::atomic<int> max_running_{0};
};

class RecordKernel final : public OpKernel {
 public:
  explicit RecordKernel(const OpKernelConstruction& c) : OpKernel(c) {
    fail_ = c.attr<bool>("fail").value_or(false);
    cheap_ = c.attr<bool>("cheap").value_or(false);
    sleep_us_ = c.attr<int64_t>("sleep_us").value_or(0);
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    RecordLog::Get().Start(name());
    if (sleep_us_ > 0) std::this_thread::sleep_for(std::chrono::microseconds(sleep_us_));
    float sum = 1.0f;
    for (int i = 0; i < ctx.num_inputs(); ++i) sum += ctx.input(i).scalar<float>();
    RecordLog::Get().End(name());
    if (fail_) return absl::InternalError("Record was told to fail");
    auto out = ctx.allocate_output(0, TensorShape{});
    if (!out.ok()) return out.status();
    (*out)->data<float>()[0] = sum;
    return absl::OkStatus();
  }
  bool IsAlwaysCheap() const override { return cheap_; }
  int64_t CostEstimateNs(std::span<const Tensor* const>) const override {
    cost_estimates().fetch_add(1, std::memory_order_relaxed);
    return 1'000'000;
  }
  // How often the executor asked any Record for its cost.
  static std::atomic<int64_t>& cost_estimates() {
    static std::atomic<int64_t> n{0};
    return n;
  }

 private:
  bool fail_ = false, cheap_ = false;
  int64_t sleep_us_ = 0;
};

class SpinKernel final : public OpKernel {
 public:
  explicit SpinKernel(const OpKernelConstruction& c) : OpKernel(c) {
    block_ = c.attr<bool>("block").value_or(false);
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    started().fetch_add(1);
    if (!block_) {
      while (!ctx.cancelled()) std::this_thread::sleep_for(std::chrono::microseconds(20));
    } else {
      std::mutex mu;
      std::condition_variable cv;
      bool woken = false;
      const CancellationToken::CallbackKey key = ctx.cancellation()->RegisterCallback([&] {
        std::lock_guard<std::mutex> l(mu);
        woken = true;
        cv.notify_all();
      });
      if (key != CancellationToken::kAlreadyCancelled) {
        std::unique_lock<std::mutex> l(mu);
        cv.wait(l, [&] { return woken; });
        l.unlock();
        ctx.cancellation()->DeregisterCallback(key);  // waits if the callback still runs
      }
    }
    returned().fetch_add(1);
    return absl::CancelledError("Spin stopped: its step was cancelled");
  }
  int64_t CostEstimateNs(std::span<const Tensor* const>) const override { return 1'000'000; }
  static std::atomic<int>& started() {
    static std::atomic<int> n{0};
    return n;
  }
  static std::atomic<int>& returned() {
    static std::atomic<int> n{0};
    return n;
  }

 private:
  bool block_ = false;
};

inline void RegisterTestOps() {
  static bool done = [] {
    (void)OpRegistry::Global().Register(OpDefBuilder("Record")
                                            .Input("in: N * float32")
                                            .Output("out: float32")
                                            .Attr("N", AttrType::kInt)
                                            .Attr("fail", AttrType::kBool, false)
                                            .Attr("cheap", AttrType::kBool, false)
                                            .Attr("sleep_us", AttrType::kInt, int64_t{0})
                                            .Shape(ScalarShape));
    (void)OpRegistry::Global().Register(OpDefBuilder("Spin")
                                            .Input("in: N * float32")
                                            .Output("out: float32")
                                            .Attr("N", AttrType::kInt)
                                            .Attr("block", AttrType::kBool, false)
                                            .Shape(ScalarShape));
    (void)OpRegistry::Global().Register(OpDefBuilder("NoKernelOp").Output("out: float32"));
    return true;
  }();
  (void)done;
}

inline const KernelRegistry* TestKernels() {
  static KernelRegistry* r = [] {
    // The CPU kernels linked into the test, and Record.
    auto* reg = new KernelRegistry(&KernelRegistry::Global(), {kDeviceCpu});
    reg->Register<RecordKernel>("Record", kDeviceCpu);
    reg->Register<SpinKernel>("Spin", kDeviceCpu);
    return reg;
  }();
  return r;
}

// A Record node named `name` over `inputs`.
inline Output Record(GraphBuilder& b, const std::string& name, std::vector<Output> inputs,
                     AttrMap attrs = {}) {
  return b.Op("Record", inputs, std::move(attrs), name);
}

}  // namespace graphrt::testing

#endif  // GRAPHRT_TESTS_EXECUTOR_TEST_OPS_H_
