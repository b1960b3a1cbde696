// ExecutorPlan::StopStatus: what a step that was cancelled or passed its
// deadline returns. It names the nodes that were running when it stopped
// (the ones that kept it: a kernel that never returns, or one that does not
// poll ctx.cancelled()) and says how to avoid it. Called once per stopped
// step, from the thread that stopped it (Note [Stopping a step] in
// executor.cc).
#include <string>

#include "absl/strings/str_cat.h"
#include "core/executor/executor.h"

namespace graphrt {
namespace {

// At most this many nodes are named; the rest are counted.
constexpr int kMaxNamed = 8;

}  // namespace

absl::Status ExecutorPlan::StopStatus(absl::StatusCode code, int64_t step_id,
                                      int64_t timeout_ms,
                                      const std::atomic<bool>* running) const {
  const bool deadline = code == absl::StatusCode::kDeadlineExceeded;
  std::string what =
      deadline ? absl::StrCat("step ", step_id, " passed its deadline of ", timeout_ms, " ms")
               : absl::StrCat("step ", step_id, " was cancelled (RunOptions::cancellation)");
  if (running == nullptr) {
    absl::StrAppend(&what, " before it started: the token was already cancelled (use a fresh "
                           "CancellationToken for each step that may be cancelled on its own)");
    return absl::Status(code, what);
  }
  std::string nodes;
  int named = 0, more = 0;
  for (size_t i = 0; i < items_.size(); ++i) {
    if (!running[i].load(std::memory_order_relaxed)) continue;
    if (named == kMaxNamed) {
      ++more;
      continue;
    }
    absl::StrAppend(&nodes, named == 0 ? "" : ", ", items_[i].node->DebugName(), " on ",
                    env_.devices[items_[i].device]->name());
    ++named;
  }
  if (more > 0) absl::StrAppend(&nodes, " and ", more, " more");
  if (named == 0) {
    absl::StrAppend(&what, "; no node was running (the step was between nodes)");
  } else {
    absl::StrAppend(&what, "; still running: ", nodes,
                    "; no further node was started and the step waited for these to return");
  }
  if (deadline) {
    absl::StrAppend(&what, ". If the step needs longer, raise RunOptions::timeout_ms (or "
                           "SessionOptions::timeout_ms, the session's default)");
  }
  return absl::Status(code, what);
}

}  // namespace graphrt
