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

namespace {

void AppendEvent(std::string& out, const std::string& event) {
  if (!out.empty()) out += ",\n";
  out += event;
}

std::string ProcessName(int pid, absl::string_view name) {
  return absl::StrCat("  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": ", pid,
                      ", \"args\": {\"name\": ", JsonQuote(name), "}}");
}

// GPU devices' compute streams get a track of their own, under this tid.
constexpr int kStreamTid = 1 << 30;

std::string ThreadName(int pid, int tid) {
  const std::string name = tid == kStreamTid ? "compute stream" : absl::StrCat("thread ", tid);
  return absl::StrCat("  {\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": ", pid,
                      ", \"tid\": ", tid, ", \"args\": {\"name\": \"", name, "\"}}");
}

}  // namespace

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

// Program traces: every step of every session, on one timeline, streamed to
// the file. See Note [A program trace in bounded memory].
namespace {

// Note [A program trace in bounded memory]
//
// Rationale: a program trace used to hold every step's JSON until exit, so a
// long training run with GRAPHRT_TRACE set grew without bound, and a crash
// lost the whole trace.
//
// Approach: the file is opened at the first step after the path is set and
// always holds a complete document: the header, the events so far, and a
// tail that closes the array ("\n]}\n", plus the truncation event below once
// steps are left out). Steps' events collect in `pending_`; when it passes
// kSpillBytes, and at every Flush, they are written over the old tail
// (fseek back to `events_end_`) followed by a new tail, and flushed. So the
// file is valid JSON after every write, memory holds at most kSpillBytes
// plus one step's events, and a crash loses at most that. The tail only
// grows (the truncation event is added once, after the last events, and
// its counts only grow), so the new tail always covers the old one and the
// file needs no truncating.
//
// Metadata events (process and thread names) are written when a device or
// track first appears in this file; the trace-event format allows them
// anywhere in the array.
//
// After `max_steps_` steps (GRAPHRT_TRACE_MAX_STEPS, read when the file is
// opened) further steps are counted, not written; the tail then holds a
// global instant event "program trace truncated" at the first left-out
// step's start, whose args say how many steps were traced and left out.
//
// Limitations: the devices and tracks seen so far are kept, to name each
// once: a handful per device, unless a program starts threads without end.
// Steps are written in the order they are appended, not of their start.
constexpr size_t kSpillBytes = size_t{64} << 10;

int64_t ReadMaxStepsEnv() {
  int64_t max_steps = kDefaultProgramTraceMaxSteps;
  const char* env = std::getenv("GRAPHRT_TRACE_MAX_STEPS");
  if (env == nullptr || *env == '\0') return max_steps;
  int64_t n = 0;
  if (!absl::SimpleAtoi(env, &n) || n < 0) {
    std::fprintf(stderr,
                 "graphrt: ignoring GRAPHRT_TRACE_MAX_STEPS=\"%s\": expected a step count "
                 "(0 = no limit); tracing at most %lld steps\n",
                 env, static_cast<long long>(max_steps));
    return max_steps;
  }
  return n;
}

class ProgramTrace {
 public:
  static ProgramTrace& Get() {
    static ProgramTrace* trace = new ProgramTrace;
    return *trace;
  }

  // The old file, if any, is completed and closed; the new one is opened at
  // the next step. The same path again changes nothing.
  void SetPath(std::string path) {
    MutexLock lock(&mu_);
    configured_ = true;
    if (path != path_) {
      if (absl::Status s = Close(); !s.ok()) {
        std::fprintf(stderr, "graphrt: %s\n", s.ToString().c_str());
      }
      path_ = std::move(path);
    }
    Configure();
  }

  // Lock-free once configured: every Run asks.
  bool Enabled() {
    const int state = state_.load(std::memory_order_acquire);
    if (state != kUnknown) return state == kOn;
    MutexLock lock(&mu_);
    Configure();
    return !path_.empty();
  }

  void Append(const StepTrace& t) {
    MutexLock lock(&mu_);
    Configure();
    if (path_.empty()) return;
    if (!opened_) Open();
    if (file_ == nullptr || (max_steps_ > 0 && steps_traced_ >= max_steps_)) {
      if (steps_left_out_++ == 0 && first_start_ns_ >= 0) {
        truncated_at_us_ = Us(t.start_ns - first_start_ns_);
      }
      return;
    }
    std::vector<int> pids;
    for (const std::string& device : t.devices) {
      auto [it, added] = pids_.try_emplace(device, static_cast<int>(pids_.size()));
      if (added) AddEvents(ProcessName(it->second, device));
      pids.push_back(it->second);
    }
    for (const NodeTraceEvent& e : t.events) {
      if (tracks_.emplace(pids[e.device], e.thread).second) {
        AddEvents(ThreadName(pids[e.device], e.thread));
      }
      if (e.device_start_ns >= 0 && tracks_.emplace(pids[e.device], kStreamTid).second) {
        AddEvents(ThreadName(pids[e.device], kStreamTid));
      }
    }
    if (first_start_ns_ < 0) first_start_ns_ = t.start_ns;
    if (!t.events.empty()) AddEvents(t.ChromeEvents(Us(t.start_ns - first_start_ns_), pids));
    ++steps_traced_;
    if (pending_.size() >= kSpillBytes) {
      if (absl::Status s = WriteOut(); !s.ok()) {
        std::fprintf(stderr, "graphrt: %s\n", s.ToString().c_str());
      }
    }
  }

  absl::Status Flush() {
    MutexLock lock(&mu_);
    return WriteOut();
  }

  ProgramTraceStats Stats() {
    MutexLock lock(&mu_);
    ProgramTraceStats s;
    s.path = path_;
    s.max_steps = max_steps_;
    s.steps_traced = steps_traced_;
    s.steps_left_out = steps_left_out_;
    s.buffered_bytes = static_cast<int64_t>(pending_.size());
    s.file_bytes = file_bytes_;
    return s;
  }

 private:
  ProgramTrace() = default;

  // GRAPHRT_TRACE is read once, unless SetPath came first; the trace is then
  // flushed at exit.
  void Configure() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!configured_) {
      configured_ = true;
      if (const char* env = std::getenv("GRAPHRT_TRACE"); env != nullptr) path_ = env;
    }
    state_.store(path_.empty() ? kOff : kOn, std::memory_order_release);
    if (!path_.empty() && !registered_) {
      registered_ = true;
      std::atexit([] {
        absl::Status s = ProgramTrace::Get().Flush();
        if (!s.ok()) std::fprintf(stderr, "graphrt: %s\n", s.ToString().c_str());
      });
    }
  }

  // At the first step for this path; a failure is kept in `error_` and the
  // steps are then left out. Not retried: the file is never reopened (and
  // so never truncated) for the same path.
  void Open() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    opened_ = true;
    max_steps_ = ReadMaxStepsEnv();
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ == nullptr) {
      error_ = absl::NotFoundError(absl::StrCat("cannot write the program trace to ", path_,
                                                " (GRAPHRT_TRACE): ", std::strerror(errno)));
    } else {
      const absl::string_view header = "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n";
      events_end_ = static_cast<int64_t>(header.size());
      if (std::fwrite(header.data(), 1, header.size(), file_) != header.size()) {
        (void)Fail();
      } else {
        (void)WriteOut();  // the empty array: the file is valid from the start
      }
    }
    if (!error_.ok()) std::fprintf(stderr, "graphrt: %s\n", error_.ToString().c_str());
  }

  void AddEvents(const std::string& events) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (has_events_) pending_ += ",\n";
    pending_ += events;
    has_events_ = true;
  }

  // The end of the document; see Note [A program trace in bounded memory].
  std::string Tail() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::string tail;
    if (steps_left_out_ > 0) {
      tail = absl::StrFormat(
          "%s  {\"name\": \"program trace truncated\", \"ph\": \"i\", \"s\": \"g\", "
          "\"pid\": 0, \"tid\": 0, \"ts\": %.3f, \"args\": {\"max_steps\": %d, "
          "\"steps_traced\": %d, \"steps_left_out\": %d, "
          "\"limit\": \"GRAPHRT_TRACE_MAX_STEPS\"}}",
          has_events_ ? ",\n" : "", truncated_at_us_, max_steps_, steps_traced_,
          steps_left_out_);
    }
    return tail + "\n]}\n";
  }

  // Writes the pending events and the tail over the old tail, and flushes:
  // the file is then complete up to now.
  absl::Status WriteOut() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (file_ == nullptr) return error_;
    const std::string tail = Tail();
    if (std::fseek(file_, static_cast<long>(events_end_), SEEK_SET) != 0 ||
        std::fwrite(pending_.data(), 1, pending_.size(), file_) != pending_.size() ||
        std::fwrite(tail.data(), 1, tail.size(), file_) != tail.size() ||
        std::fflush(file_) != 0) {
      return Fail();
    }
    events_end_ += static_cast<int64_t>(pending_.size());
    file_bytes_ = events_end_ + static_cast<int64_t>(tail.size());
    pending_.clear();
    if (pending_.capacity() > 4 * kSpillBytes) std::string().swap(pending_);  // a huge step
    return absl::OkStatus();
  }

  absl::Status Fail() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    error_ = absl::DataLossError(absl::StrCat("writing the program trace to ", path_,
                                              " failed: ", std::strerror(errno)));
    std::fclose(file_);
    file_ = nullptr;
    std::string().swap(pending_);
    return error_;
  }

  // Completes and closes the file and forgets it: the next path starts a
  // trace of its own. Returns a new error only (an old one was reported).
  absl::Status Close() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    absl::Status s = file_ != nullptr ? WriteOut() : absl::OkStatus();
    if (file_ != nullptr && std::fclose(file_) != 0 && s.ok()) {
      s = absl::DataLossError(absl::StrCat("closing the program trace ", path_,
                                           " failed: ", std::strerror(errno)));
    }
    file_ = nullptr;
    opened_ = false;
    error_ = absl::OkStatus();
    pids_.clear();
    tracks_.clear();
    std::string().swap(pending_);
    has_events_ = false;
    events_end_ = file_bytes_ = 0;
    first_start_ns_ = -1;
    max_steps_ = kDefaultProgramTraceMaxSteps;
    steps_traced_ = steps_left_out_ = 0;
    truncated_at_us_ = 0;
    return s;
  }

  static constexpr int kUnknown = 0, kOff = 1, kOn = 2;
  std::atomic<int> state_{kUnknown};
  Mutex mu_;
  std::string path_ ABSL_GUARDED_BY(mu_);
  bool configured_ ABSL_GUARDED_BY(mu_) = false;
  bool registered_ ABSL_GUARDED_BY(mu_) = false;
  // The current file (see Note [A program trace in bounded memory]).
  bool opened_ ABSL_GUARDED_BY(mu_) = false;   // Open ran for path_
  std::FILE* file_ ABSL_GUARDED_BY(mu_) = nullptr;  // null before Open or after an error
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int> pids_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<int, int32_t>> tracks_ ABSL_GUARDED_BY(mu_);
  std::string pending_ ABSL_GUARDED_BY(mu_);  // events not yet written
  bool has_events_ ABSL_GUARDED_BY(mu_) = false;  // written or pending
  int64_t events_end_ ABSL_GUARDED_BY(mu_) = 0;   // file offset where the tail starts
  int64_t file_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t first_start_ns_ ABSL_GUARDED_BY(mu_) = -1;
  int64_t max_steps_ ABSL_GUARDED_BY(mu_) = kDefaultProgramTraceMaxSteps;
  int64_t steps_traced_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t steps_left_out_ ABSL_GUARDED_BY(mu_) = 0;
  double truncated_at_us_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

void SetProgramTracePath(std::string path) { ProgramTrace::Get().SetPath(std::move(path)); }
bool ProgramTraceEnabled() { return ProgramTrace::Get().Enabled(); }
void AppendToProgramTrace(const StepTrace& trace) { ProgramTrace::Get().Append(trace); }
absl::Status FlushProgramTrace() { return ProgramTrace::Get().Flush(); }
ProgramTraceStats GetProgramTraceStats() { return ProgramTrace::Get().Stats(); }

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
