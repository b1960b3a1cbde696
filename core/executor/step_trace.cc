#include "core/executor/step_trace.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/json.h"
#include "core/base/sync.h"
#include "core/executor/trace_events.h"

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace graphrt {
namespace {

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

namespace trace_internal {

void AppendEvent(std::string& out, const std::string& event) {
  if (!out.empty()) out += ",\n";
  out += event;
}

std::string ProcessName(int pid, absl::string_view name) {
  return absl::StrCat("  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": ", pid,
                      ", \"args\": {\"name\": ", JsonQuote(name), "}}");
}

std::string ThreadName(int pid, int tid) {
  const std::string name = tid == kStreamTid ? "compute stream" : absl::StrCat("thread ", tid);
  return absl::StrCat("  {\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": ", pid,
                      ", \"tid\": ", tid, ", \"args\": {\"name\": \"", name, "\"}}");
}

}  // namespace trace_internal

using trace_internal::AppendEvent;
using trace_internal::kStreamTid;
using trace_internal::ProcessName;
using trace_internal::ThreadName;
using trace_internal::Us;

std::string StepTrace::ChromeEvents(double offset_us, std::span<const int> pids) const {
  std::string out;
  // Counters in time order: Chrome draws a counter track as steps between samples.
  std::vector<const NodeTraceEvent*> by_end;
  for (const NodeTraceEvent& e : events) {
    const int pid = pids[e.device];
    std::string args = absl::StrFormat(
        "\"op\": %s, \"ready_us\": %.3f, \"queued_us\": %.3f, \"bytes_allocated\": %d",
        JsonQuote(e.op), Us(e.ready_ns), Us(e.start_ns - e.ready_ns), e.bytes_allocated);
    if (e.source_device >= 0) {
      absl::StrAppend(&args, ", \"from\": ", JsonQuote(devices[e.source_device]),
                      ", \"to\": ", JsonQuote(devices[e.device]));
    }
    AppendEvent(out, absl::StrFormat(
                         "  {\"name\": %s, \"cat\": %s, \"ph\": \"X\", \"pid\": %d, "
                         "\"tid\": %d, \"ts\": %.3f, \"dur\": %.3f, \"args\": {%s}}",
                         JsonQuote(e.node), JsonQuote(e.op), pid, e.thread,
                         offset_us + Us(e.start_ns), Us(e.end_ns - e.start_ns), args));
    if (e.device_start_ns >= 0 && e.device_end_ns >= e.device_start_ns) {
      AppendEvent(out, absl::StrFormat(
                           "  {\"name\": %s, \"cat\": %s, \"ph\": \"X\", \"pid\": %d, "
                           "\"tid\": %d, \"ts\": %.3f, \"dur\": %.3f, \"args\": "
                           "{\"op\": %s, \"launched_us\": %.3f}}",
                           JsonQuote(e.node), JsonQuote(e.op), pid, kStreamTid,
                           offset_us + Us(e.device_start_ns),
                           Us(e.device_end_ns - e.device_start_ns), JsonQuote(e.op),
                           Us(e.start_ns)));
    }
    if (e.bytes_in_use >= 0) by_end.push_back(&e);
  }
  std::sort(by_end.begin(), by_end.end(), [](const NodeTraceEvent* a, const NodeTraceEvent* b) {
    return a->end_ns < b->end_ns;
  });
  for (const NodeTraceEvent* e : by_end) {
    AppendEvent(out, absl::StrFormat("  {\"name\": \"bytes in use\", \"ph\": \"C\", "
                                     "\"pid\": %d, \"ts\": %.3f, \"args\": {\"bytes\": %d}}",
                                     pids[e->device], offset_us + Us(e->end_ns),
                                     e->bytes_in_use));
  }
  return out;
}

std::string StepTrace::ToChromeJson() const {
  std::string out;
  std::vector<int> pids(devices.size());
  for (size_t d = 0; d < devices.size(); ++d) {
    pids[d] = static_cast<int>(d);
    AppendEvent(out, ProcessName(static_cast<int>(d), devices[d]));
  }
  std::set<std::pair<int32_t, int32_t>> tracks;
  for (const NodeTraceEvent& e : events) {
    if (tracks.emplace(e.device, e.thread).second) AppendEvent(out, ThreadName(e.device, e.thread));
    if (e.device_start_ns >= 0 && tracks.emplace(e.device, kStreamTid).second) {
      AppendEvent(out, ThreadName(e.device, kStreamTid));
    }
  }
  AppendEvent(out, ChromeEvents(0, pids));
  return "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n" + out + "\n]}\n";
}

namespace {

template <typename KeyFn>
std::vector<OpStats> Summarize(std::span<const StepTrace> traces, KeyFn key) {
  struct Acc {
    std::vector<double> us;
    std::string device;
  };
  absl::flat_hash_map<std::string, Acc> by_op;
  for (const StepTrace& t : traces) {
    for (const NodeTraceEvent& e : t.events) {
      Acc& a = by_op[key(e)];
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
    const std::vector<double>& us = a.us;  // (clang 14 cannot capture a structured binding)
    auto pct = [&us](double p) {
      return us[std::min(us.size() - 1, static_cast<size_t>(p * (us.size() - 1) + 0.5))];
    };
    s.p50_us = pct(0.50);
    s.p99_us = pct(0.99);
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const OpStats& a, const OpStats& b) { return a.total_us > b.total_us; });
  return out;
}

}  // namespace

std::vector<OpStats> SummarizeOps(std::span<const StepTrace> traces) {
  return Summarize(traces, [](const NodeTraceEvent& e) { return std::string(e.op); });
}

std::vector<OpStats> SummarizeNodes(std::span<const StepTrace> traces) {
  return Summarize(traces,
                   [](const NodeTraceEvent& e) { return absl::StrCat(e.node, " (", e.op, ")"); });
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
