// graphrt_soak: runtimes and sessions made and destroyed from many threads
// for a time budget, every result checked, memory watched (bench/README.md).
//
//   graphrt_soak [--seconds 60] [--threads 8] [--keep_results_past_runtime[=true|false]]
//                [--max_rss_growth_mb 64] [--window_seconds W] [--hang_seconds 120]
//
// Each thread runs iterations of the workloads in turn (bench/soak/
// workloads.h), each on a runtime and session of its own. Memory is sampled
// every W/20 s; the report compares the first window [0, W) with the last
// [T - W, T], W = --window_seconds or else T/6 capped at 60 s (a minute for
// runs of 6 minutes and more). The default of --keep_results_past_runtime:
// Note [Keeping results past the runtime].
//
// Exit status: 0 when every result was right and neither the median
// resident set nor the host pool's reserved bytes grew by more than
// --max_rss_growth_mb from the first window to the last; 1 on a wrong result,
// an unexpected error or that growth (the message says which); 2 for bad
// flags; 3 when a thread is still in an iteration --hang_seconds after the
// budget ran out (the message names the thread and the workload).
// --inject_fault=wrong_result|memory_growth are the self-tests that show the
// result and memory checks fail when they must (ctests soak_detects_*).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/soak/memory_monitor.h"
#include "bench/soak/workloads.h"
#include "core/base/sync.h"

namespace graphrt::soak {
namespace {

using Clock = std::chrono::steady_clock;

// Note [Keeping results past the runtime]
// A tensor fetched from a memory-limited CPU device outlived its runtime's
// pool before the fix in core/memory/bfc_allocator* and
// core/executor/device.cc (a segfault at the first kOom iteration). With
// pools retired rather than deleted (Note [Retired allocators] in
// core/memory/allocator.cc) it is on by default, so the ctests check it.
constexpr bool kKeepResultsPastRuntimeByDefault = true;

struct Flags {
  double seconds = 60;
  int threads = 8;
  SoakOptions soak{kKeepResultsPastRuntimeByDefault};
  double max_growth_mb = 64;
  double window_seconds = 0;  // 0: seconds / 6, at most 60
  double hang_seconds = 120;
  // Self-tests that show the soak's checks can fail: "wrong_result"
  // corrupts the references, "memory_growth" holds 64 MiB more each second.
  std::string inject_fault;
};

constexpr char kUsage[] =
    "usage: graphrt_soak [--seconds N] [--threads N] [--keep_results_past_runtime[=true|false]]\n"
    "                    [--max_rss_growth_mb N] [--window_seconds N] [--hang_seconds N]\n"
    "                    [--inject_fault=wrong_result|memory_growth]\n";

bool ParseFlags(int argc, char** argv, Flags& f) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto next = [&](double& out, double min) {
      if (!has_value) {
        if (i + 1 >= argc) return false;
        value = argv[++i];
      }
      return absl::SimpleAtod(value, &out) && out >= min;
    };
    double number = 0;
    if (arg == "--seconds") {
      if (!next(f.seconds, 0.1)) return false;
    } else if (arg == "--threads") {
      if (!next(number, 1) || number > 256) return false;
      f.threads = static_cast<int>(number);
    } else if (arg == "--max_rss_growth_mb") {
      if (!next(f.max_growth_mb, 0)) return false;
    } else if (arg == "--window_seconds") {
      if (!next(f.window_seconds, 0.1)) return false;
    } else if (arg == "--hang_seconds") {
      if (!next(f.hang_seconds, 1)) return false;
    } else if (arg == "--keep_results_past_runtime") {
      if (has_value && !absl::SimpleAtob(value, &f.soak.keep_results_past_runtime)) return false;
      if (!has_value) f.soak.keep_results_past_runtime = true;
    } else if (arg == "--inject_fault") {
      if (!has_value) {
        if (i + 1 >= argc) return false;
        value = argv[++i];
      }
      if (value != "wrong_result" && value != "memory_growth") return false;
      f.inject_fault = value;
    } else if (arg == "--nokeep_results_past_runtime") {
      f.soak.keep_results_past_runtime = false;
    } else {
      return false;
    }
  }
  return true;
}

double MiB(int64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

// What each thread is doing, for the hang report.
struct ThreadState {
  std::atomic<int> kind{-1};
  std::atomic<int64_t> since_ms{0};  // when its iteration began, ms since the start
  std::atomic<bool> done{false};
};

class Failure {
 public:
  void Set(std::string message) {
    MutexLock lock(&mu_);
    if (message_.empty()) message_ = std::move(message);
    failed_.store(true, std::memory_order_release);
  }
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  std::string message() const {
    MutexLock lock(&mu_);
    return message_;
  }

 private:
  mutable Mutex mu_;
  std::string message_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> failed_{false};
};

std::string Steps(const Counters& c) {
  std::string out;
  for (int k = 0; k < kNumKinds; ++k) {
    absl::StrAppend(&out, k == 0 ? "" : ", ", KindName(static_cast<Kind>(k)), " ",
                    c.steps[k].load(), " (", c.iterations[k].load(), " iterations)");
  }
  return out;
}

void PrintWindow(const char* name, const WindowSummary& w) {
  std::printf(
      "%s window [%.1f, %.1f] s, %d samples: RSS median %.1f MiB (min %.1f, max %.1f); "
      "host pool reserved max %.2f MiB; limited CPU pool reserved max %.2f MiB\n",
      name, w.begin, w.end, w.samples, MiB(w.rss_median), MiB(w.rss_min), MiB(w.rss_max),
      MiB(w.host_pool_max), MiB(w.limited_pool_max));
}

int Main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) {
    std::fprintf(stderr, "graphrt_soak: bad flags\n%s", kUsage);
    return 2;
  }
  std::printf("graphrt_soak: %.1f s, %d threads, keep_results_past_runtime=%s\n", flags.seconds,
              flags.threads, flags.soak.keep_results_past_runtime ? "true" : "false");
  const Clock::time_point setup = Clock::now();
  absl::StatusOr<std::unique_ptr<Workloads>> workloads = Workloads::Create(flags.inject_fault == "wrong_result");
  if (!workloads.ok()) {
    std::printf("FAIL: computing the references: %s\n", workloads.status().ToString().c_str());
    return 1;
  }
  std::printf("references computed in %.2f s; RSS %.1f MiB\n",
              std::chrono::duration<double>(Clock::now() - setup).count(),
              MiB(ResidentBytes()));
  std::fflush(stdout);

  const double window =
      flags.window_seconds > 0 ? flags.window_seconds : std::min(60.0, flags.seconds / 6);
  Counters counters;
  Failure failure;
  MemoryMonitor monitor(
      std::chrono::milliseconds(std::max<int64_t>(10, static_cast<int64_t>(window * 50))),
      &counters);
  std::vector<ThreadState> states(flags.threads);
  std::atomic<bool> stop{false};
  const Clock::time_point start = Clock::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  };
  monitor.Start();
  std::vector<std::thread> threads;
  for (int t = 0; t < flags.threads; ++t) {
    threads.emplace_back([&, t] {
      ThreadState& state = states[t];
      for (uint64_t i = 0; !stop.load(std::memory_order_acquire); ++i) {
        const Kind kind = static_cast<Kind>((t + i) % kNumKinds);
        state.since_ms.store(elapsed_ms(), std::memory_order_relaxed);
        state.kind.store(static_cast<int>(kind), std::memory_order_relaxed);
        absl::Status s =
            (*workloads)->RunIteration(kind, uint64_t(t) * 1'000'003 + i, flags.soak, counters);
        if (!s.ok()) {
          failure.Set(absl::StrCat("thread ", t, ", iteration ", i, ": ", s.ToString()));
          stop.store(true, std::memory_order_release);
        }
      }
      state.done.store(true, std::memory_order_release);
    });
  }

  // Progress once a window; stop at the budget or the first failure.
  const int64_t budget_ms = static_cast<int64_t>(flags.seconds * 1000);
  int64_t next_report_ms = static_cast<int64_t>(window * 1000);
  std::vector<std::vector<char>> injected;  // --inject_fault=memory_growth
  while (!stop.load(std::memory_order_acquire) && elapsed_ms() < budget_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (flags.inject_fault == "memory_growth") {
      injected.emplace_back((size_t{64} << 20) / 50, 1);  // 64 MiB/s, touched
    }
    if (elapsed_ms() >= next_report_ms && flags.seconds >= 60) {
      const MemorySample m = monitor.latest();
      std::printf("[%6.1f s] RSS %.1f MiB, host pool %.2f MiB; steps: %s\n",
                  elapsed_ms() / 1000.0, MiB(m.rss), MiB(m.host_pool_reserved),
                  Steps(counters).c_str());
      std::fflush(stdout);
      next_report_ms += static_cast<int64_t>(window * 1000);
    }
  }
  stop.store(true, std::memory_order_release);
  const double ran = elapsed_ms() / 1000.0;
  const int64_t hang_deadline = elapsed_ms() + static_cast<int64_t>(flags.hang_seconds * 1000);
  for (;;) {
    bool all_done = true;
    for (const ThreadState& s : states) all_done &= s.done.load(std::memory_order_acquire);
    if (all_done) break;
    if (elapsed_ms() > hang_deadline) {
      std::printf("FAIL: hang: %.0f s after the budget ran out, still running:\n",
                  flags.hang_seconds);
      for (int t = 0; t < flags.threads; ++t) {
        if (states[t].done.load()) continue;
        const int kind = states[t].kind.load();
        std::printf("  thread %d in a %s iteration begun at %.1f s\n", t,
                    kind < 0 ? "(none)" : KindName(static_cast<Kind>(kind)),
                    states[t].since_ms.load() / 1000.0);
      }
      std::fflush(stdout);
      std::_Exit(3);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (std::thread& t : threads) t.join();
  monitor.Stop();

  // The report.
  const std::vector<MemorySample>& samples = monitor.samples();
  const double end = samples.empty() ? ran : samples.back().seconds;
  const double w = std::min(window, end / 2);
  const WindowSummary first = Summarize(samples, 0, w);
  const WindowSummary last = Summarize(samples, end - w, end);
  std::printf("ran %.1f s; steps by kind: %s\n", ran, Steps(counters).c_str());
  std::printf(
      "runtimes %lld, sessions %lld, expected OOMs %lld, results kept past their runtime %lld\n",
      static_cast<long long>(counters.runtimes.load()),
      static_cast<long long>(counters.sessions.load()),
      static_cast<long long>(counters.expected_ooms.load()),
      static_cast<long long>(counters.kept_past_runtime.load()));
  PrintWindow("first", first);
  PrintWindow("last ", last);
  const double rss_growth = MiB(last.rss_median - first.rss_median);
  const double pool_growth = MiB(last.host_pool_max - first.host_pool_max);
  std::printf("growth first -> last window: RSS median %+.1f MiB, host pool reserved %+.2f MiB "
              "(bound %.0f MiB)\n",
              rss_growth, pool_growth, flags.max_growth_mb);
  if (failure.failed()) {
    std::printf("FAIL: %s\n", failure.message().c_str());
    return 1;
  }
  if (rss_growth > flags.max_growth_mb || pool_growth > flags.max_growth_mb) {
    std::printf("FAIL: memory grew by more than %.0f MiB from the first window to the last "
                "(RSS %+.1f MiB, host pool %+.2f MiB): a leak, or raise --max_rss_growth_mb if "
                "this build's allocator legitimately holds more\n",
                flags.max_growth_mb, rss_growth, pool_growth);
    return 1;
  }
  int64_t total_steps = 0;
  for (const auto& s : counters.steps) total_steps += s.load();
  if (total_steps == 0) {
    std::printf("FAIL: no step ran in %.1f s\n", ran);
    return 1;
  }
  std::printf("PASS\n");
  return 0;
}

}  // namespace
}  // namespace graphrt::soak

int main(int argc, char** argv) { return graphrt::soak::Main(argc, argv); }
