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
// to `path` at exit (or at FlushProgramTrace).
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

namespace graphrt {

struct RunOptions {
  bool trace = false;  // record a StepTrace into RunMetadata
};

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

// Program traces (see the top of this file). Thread-safe. SetProgramTracePath
// ("" turns them off) takes precedence over GRAPHRT_TRACE, which is read at
// the first step. FlushProgramTrace writes what was recorded so far (the
// file is rewritten whole each time) and returns an error naming the path
// when it cannot be written.
void SetProgramTracePath(std::string path);
bool ProgramTraceEnabled();
void AppendToProgramTrace(const StepTrace& trace);
absl::Status FlushProgramTrace();

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
