// RunOptions: what one Session::Run (or RunCallable) is told besides its
// feeds and fetches: tracing, a deadline, a cancellation token.
//
//   CancellationToken token;
//   RunOptions options;
//   options.timeout_ms = 500;        // DEADLINE_EXCEEDED after 0.5 s
//   options.cancellation = &token;   // CANCELLED once token.Cancel() is called
//   auto out = session->Run(options, feeds, fetches, targets, &metadata);
//
// A step that is cancelled or passes its deadline dispatches no further
// node, waits for the kernels already running to return (kernels that loop
// or block poll ctx.cancelled() or are woken by the token: a kernel cannot
// be interrupted, only asked), frees the step's tensors and returns
// CANCELLED or DEADLINE_EXCEEDED naming the nodes that were still running.
// The session is unaffected: its next step runs normally. See
// docs/cancellation.md.
//
// Thread-safety: plain values. The token is not owned; it must outlive the
// call.
#ifndef GRAPHRT_CORE_EXECUTOR_RUN_OPTIONS_H_
#define GRAPHRT_CORE_EXECUTOR_RUN_OPTIONS_H_

#include <cstdint>

#include "core/executor/cancellation.h"

namespace graphrt {

struct RunOptions {
  // Record a StepTrace into RunMetadata (core/executor/step_trace.h).
  bool trace = false;
  // The step's deadline in ms from the start of Run. 0: the session's
  // (SessionOptions::timeout_ms); negative: none for this step, whatever
  // the session's.
  int64_t timeout_ms = 0;
  // Cancels the step when cancelled (before or while it runs). Not owned;
  // null: none.
  CancellationToken* cancellation = nullptr;
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_RUN_OPTIONS_H_
