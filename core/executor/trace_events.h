// Pieces of Chrome trace-event JSON shared by step traces (step_trace.cc)
// and program traces (program_trace.cc). Internal to the executor.
//
// Thread-safety: pure functions.
#ifndef GRAPHRT_CORE_EXECUTOR_TRACE_EVENTS_H_
#define GRAPHRT_CORE_EXECUTOR_TRACE_EVENTS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace graphrt::trace_internal {

// Nanoseconds as the format's microseconds.
inline double Us(int64_t ns) { return static_cast<double>(ns) / 1000.0; }
// Appends `event` to a comma-separated list of events.
void AppendEvent(std::string& out, const std::string& event);
// The metadata event naming process `pid` (one per device).
std::string ProcessName(int pid, absl::string_view name);
// Asynchronous devices' queues (a GPU's compute stream) get a track of their
// own, under this tid.
inline constexpr int kStreamTid = 1 << 30;
// The metadata event naming track `tid` of process `pid`.
std::string ThreadName(int pid, int tid);

}  // namespace graphrt::trace_internal

#endif  // GRAPHRT_CORE_EXECUTOR_TRACE_EVENTS_H_
