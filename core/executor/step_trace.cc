#include "core/executor/step_trace.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/memory/json.h"

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace graphrt {
namespace {

double Us(int64_t ns) { return static_cast<double>(ns) / 1000.0; }

bool InvariantTsc() {
#if defined(__x86_64__)
  static const bool invariant = [] {
    std::FILE* f = std::fopen("/proc/cpuinfo", "r");
    if (f == nullptr) return false;
    char line[4096];
    bool constant = false, nonstop = false;
    while (std::fgets(line, sizeof(line), f) != nullptr) {
      if (std::strncmp(line, "flags", 5) != 0) continue;
      constant = std::strstr(line, " constant_tsc") != nullptr;
      nonstop = std::strstr(line, " nonstop_tsc") != nullptr;
      break;
    }
    std::fclose(f);
    return constant && nonstop;
  }();
  return invariant;
#else
  return false;
#endif
}

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int64_t TraceNowTicks() {
#if defined(__x86_64__)
  if (InvariantTsc()) return static_cast<int64_t>(__rdtsc());
#endif
  return SteadyNs();
}

double TraceNsPerTick() {
  static const double ns_per_tick = [] {
    if (!InvariantTsc()) return 1.0;
    const int64_t n0 = SteadyNs(), t0 = TraceNowTicks();
    int64_t n1 = n0;
    while (n1 - n0 < 5'000'000) n1 = SteadyNs();
    const int64_t t1 = TraceNowTicks();
    return t1 > t0 ? static_cast<double>(n1 - n0) / static_cast<double>(t1 - t0) : 1.0;
  }();
  return ns_per_tick;
}

int32_t CurrentThreadIndex() {
  static std::atomic<int32_t> next{0};
  thread_local const int32_t index = next.fetch_add(1, std::memory_order_relaxed);
  return index;
}

std::string StepTrace::ToChromeJson() const {
  std::string out = "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n";
  bool first = true;
  auto sep = [&] {
    if (!first) out += ",\n";
    first = false;
  };
  for (size_t d = 0; d < devices.size(); ++d) {
    sep();
    absl::StrAppend(&out, "  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": ", d,
                    ", \"args\": {\"name\": ", JsonQuote(devices[d]), "}}");
  }
  std::set<std::pair<int32_t, int32_t>> tracks;
  for (const NodeTraceEvent& e : events) {
    if (tracks.emplace(e.device, e.thread).second) {
      sep();
      absl::StrAppend(&out, "  {\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": ", e.device,
                      ", \"tid\": ", e.thread, ", \"args\": {\"name\": \"thread ", e.thread,
                      "\"}}");
    }
    sep();
    absl::StrAppendFormat(&out,
                          "  {\"name\": %s, \"cat\": %s, \"ph\": \"X\", \"pid\": %d, "
                          "\"tid\": %d, \"ts\": %.3f, \"dur\": %.3f, \"args\": {\"op\": %s, "
                          "\"ready_us\": %.3f, \"queued_us\": %.3f}}",
                          JsonQuote(e.node), JsonQuote(e.op), e.device, e.thread, Us(e.start_ns),
                          Us(e.end_ns - e.start_ns), JsonQuote(e.op), Us(e.ready_ns),
                          Us(e.start_ns - e.ready_ns));
  }
  return out + "\n]}\n";
}

std::vector<OpStats> SummarizeOps(std::span<const StepTrace> traces) {
  struct Acc {
    std::vector<double> us;
    std::string device;
  };
  absl::flat_hash_map<std::string, Acc> by_op;
  for (const StepTrace& t : traces) {
    for (const NodeTraceEvent& e : t.events) {
      Acc& a = by_op[std::string(e.op)];
      a.us.push_back(Us(e.end_ns - e.start_ns));
      const std::string& device = t.devices[e.device];
      if (a.device.empty()) {
        a.device = device;
      } else if (a.device != device) {
        a.device = "mixed";
      }
    }
  }
  std::vector<OpStats> out;
  for (auto& [op, a] : by_op) {
    std::sort(a.us.begin(), a.us.end());
    OpStats s;
    s.op = op;
    s.device = a.device;
    s.count = static_cast<int64_t>(a.us.size());
    for (double v : a.us) s.total_us += v;
    s.mean_us = s.total_us / static_cast<double>(s.count);
    auto pct = [&](double p) {
      return a.us[std::min(a.us.size() - 1, static_cast<size_t>(p * (a.us.size() - 1) + 0.5))];
    };
    s.p50_us = pct(0.50);
    s.p99_us = pct(0.99);
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const OpStats& a, const OpStats& b) { return a.total_us > b.total_us; });
  return out;
}

std::string OpStatsTable(std::span<const OpStats> stats) {
  std::string out = absl::StrFormat("%-28s %8s %12s %10s %10s %10s  %s\n", "op", "count",
                                    "total_us", "mean_us", "p50_us", "p99_us", "device");
  for (const OpStats& s : stats) {
    absl::StrAppendFormat(&out, "%-28s %8d %12.1f %10.2f %10.2f %10.2f  %s\n", s.op, s.count,
                          s.total_us, s.mean_us, s.p50_us, s.p99_us, s.device);
  }
  return out;
}

}  // namespace graphrt
