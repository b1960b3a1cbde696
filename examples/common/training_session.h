// The session plumbing the Fashion-MNIST training examples share
// (fashion_mnist_mlp, fashion_mnist_cnn): session options from the common
// flags, and the --placement-dot and --trace outputs.
//
// Thread-safety: called from main() only.
#ifndef GRAPHRT_EXAMPLES_COMMON_TRAINING_SESSION_H_
#define GRAPHRT_EXAMPLES_COMMON_TRAINING_SESSION_H_

#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/executor/session.h"
#include "core/executor/step_trace.h"
#include "examples/common/training_flags.h"

namespace graphrt::examples {

// The threads and device-placement log from `f`; with --cpu-devices N > 1,
// a runtime of its own whose host CPU is split into N logical devices.
absl::StatusOr<SessionOptions> SessionOptionsFromFlags(const TrainingFlags& f);

// Writes `session`'s graph, filled by device, as Graphviz DOT to `path`, and
// says so on stdout. NotFound when `path` cannot be written.
absl::Status WritePlacementDot(const Session& session, const std::string& path);

// Writes the last of `traces` as a Chrome trace to `path` and prints the
// per-op times of them all. InvalidArgument when there is none.
absl::Status WriteLastTrace(std::span<const StepTrace> traces, const std::string& path);

}  // namespace graphrt::examples

#endif  // GRAPHRT_EXAMPLES_COMMON_TRAINING_SESSION_H_
