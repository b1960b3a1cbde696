// Step traces and per-op statistics.
//
//   RunOptions options;
//   options.trace = true;
//   RunMetadata metadata;
//   session->Run(options, feeds, fetches, targets, &metadata);
//   WriteFile("step.json", metadata.trace.ToChromeJson());  // Perfetto, chrome://tracing
//   std::cout << OpStatsTable(SummarizeOps({metadata.trace}));
//
// A trace records, per node run: its device, the thread that ran it (a small
// index, stable within the process), when it became ready, when it started
// and ended (ns from the start of the step), the bytes its outputs allocated,
// its device allocator's bytes in use when it ended, for a copy between
// devices (`_Copy`) the device it copied from, and for a GPU node when its
// work ran on the device's compute stream. Tracing off costs one
// predictable branch per node.
//
// Whole programs: GRAPHRT_TRACE=path (or SetProgramTracePath) traces every
// step of every session and writes them, one after another on one timeline,
// to `path` as they come, in bounded memory: the first
// GRAPHRT_TRACE_MAX_STEPS steps (default kDefaultProgramTraceMaxSteps), then
// only a count of the steps left out.
//
// Thread-safety: plain values; a StepTrace is written by one step.
#ifndef GRAPHRT_CORE_EXECUTOR_STEP_TRACE_H_
#define GRAPHRT_CORE_EXECUTOR_STEP_TRACE_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/executor/run_options.h"  // RunOptions::trace asks for a StepTrace

namespace graphrt {

// Names view the session's graph: valid while the session lives.
struct NodeTraceEvent {
  absl::string_view node;
  absl::string_view op;
  int32_t device = 0;     // index into StepTrace::devices
  int32_t thread = 0;     // CurrentThreadIndex() of the thread that ran it
  int64_t ready_ns = 0;   // when its last input finished (step start for roots)
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t bytes_allocated = 0;   // by allocate_output, this node's outputs
  int64_t bytes_in_use = -1;     // the device allocator's, when the node ended
  int32_t source_device = -1;    // _Copy nodes: the device of the copied tensor
  // GPU nodes: when the work the node launched ran on the device's compute
  // stream, in ns from the step start (CUDA events; see Note [GPU op
  // timing] in executor.cc); -1 elsewhere or when unknown.
  int64_t device_start_ns = -1;
  int64_t device_end_ns = -1;
};

struct StepTrace {
  std::vector<std::string> devices;    // full names
  std::vector<NodeTraceEvent> events;  // one per node run, in no particular order
  int64_t step_ns = 0;                 // the step's wall time
  int64_t start_ns = 0;                // steady_clock ns when the step began

  // Chrome trace-event JSON: one process per device, one track per thread
  // (plus a "compute stream" track for GPU devices, with each node's device-
  // side span), a complete ("X") event per node with op, ready time, queueing delay,
  // bytes allocated (and for copies the source and destination devices), and
  // a counter track per device of its allocator's bytes in use.
  std::string ToChromeJson() const;
  // The events alone (no enclosing object), each "ts" shifted by
  // `offset_us`, each device d written as pid pids[d]. For program traces.
  std::string ChromeEvents(double offset_us, std::span<const int> pids) const;
};

struct RunMetadata {
  StepTrace trace;  // filled when RunOptions::trace
};

// Per op type, over every node event of the traces.
struct OpStats {
  std::string op;
  std::string device;  // the device of its events ("mixed" when several)
  int64_t count = 0;
  double total_us = 0, mean_us = 0, p50_us = 0, p99_us = 0;
};
std::vector<OpStats> SummarizeOps(std::span<const StepTrace> traces);
// The same per node: OpStats::op holds "node (Op)".
std::vector<OpStats> SummarizeNodes(std::span<const StepTrace> traces);
// A fixed-width table, most total time first.
std::string OpStatsTable(std::span<const OpStats> stats);

// Program traces (see the top of this file). Thread-safe.
//
// SetProgramTracePath ("" turns them off) takes precedence over
// GRAPHRT_TRACE, which is read at the first step. Setting another path
// completes and closes the old file; the new one is a trace of its own,
// created at its first step (the same path again changes nothing).
//
// Bounded: the file is written as steps are appended, and memory holds at
// most 64 KiB of events plus one step's. The file is a complete, valid
// Chrome trace after every write to it: whenever 64 KiB of events have
// collected, at FlushProgramTrace, at a path change and at exit (a crash
// loses only the events not yet written). GRAPHRT_TRACE_MAX_STEPS=n (read when the file is created; 0 = no
// limit; an invalid value is reported on stderr and ignored) caps the
// steps written: later steps are counted, not written, and the trace ends
// with a global instant event "program trace truncated" whose args give
// max_steps, steps_traced and steps_left_out.
//
// FlushProgramTrace writes what was recorded so far and returns an error
// naming the path when the file could not be created or written (a
// failure is kept until the path changes; later steps are left out).
void SetProgramTracePath(std::string path);
bool ProgramTraceEnabled();
void AppendToProgramTrace(const StepTrace& trace);
absl::Status FlushProgramTrace();

// The default of GRAPHRT_TRACE_MAX_STEPS. A step writes about two events per
// node (a span and a memory counter, ~300 bytes together), so 1,000 steps
// of a 50-node graph are ~100k events and ~15 MB, and graphs up to ~500
// nodes stay under the ~1M events and 256 MB that chrome://tracing loads
// (Perfetto in a browser has ~2 GB for the parsed trace). A thousand steps
// show warm-up and the steady state; later steps repeat them.
inline constexpr int64_t kDefaultProgramTraceMaxSteps = 1000;

// The current program trace file, for tests and progress reports.
struct ProgramTraceStats {
  std::string path;            // "" when program traces are off
  int64_t max_steps = 0;       // the cap in force (0 = none)
  int64_t steps_traced = 0;    // steps written or about to be
  int64_t steps_left_out = 0;  // past the cap, or after a write error
  int64_t buffered_bytes = 0;  // events in memory, not yet in the file
  int64_t file_bytes = 0;      // the file's size after its last write
};
ProgramTraceStats GetProgramTraceStats();

// A small index for the calling thread, assigned on first use.
int32_t CurrentThreadIndex();

// Trace timestamps: the CPU's time-stamp counter where it runs at a constant
// rate across cores (x86-64 with constant_tsc and nonstop_tsc; ~12 ns to
// read here, against ~34 ns for steady_clock), else steady_clock ns.
int64_t TraceNowTicks();
// Nanoseconds per tick, calibrated against steady_clock once per process
// (the first call busy-waits ~5 ms).
double TraceNsPerTick();

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_STEP_TRACE_H_
