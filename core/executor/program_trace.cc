// Program traces (step_trace.h: SetProgramTracePath, GRAPHRT_TRACE): every
// step of every session on one timeline, streamed to one file in bounded
// memory.
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
#include "core/base/sync.h"
#include "core/executor/step_trace.h"
#include "core/executor/trace_events.h"

namespace graphrt {

using trace_internal::AppendEvent;
using trace_internal::kStreamTid;
using trace_internal::ProcessName;
using trace_internal::ThreadName;
using trace_internal::Us;

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

}  // namespace graphrt
