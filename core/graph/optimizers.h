// Optimisers: the update ops that train variables, built from gradients
// (core/graph/gradients.h).
//
//   ASSIGN_OR_RETURN(Output train, MinimizeWithSgd(loss, {w1, b1, w2, b2}, 0.01f));
//   session->Run({{x, batch}, {y, labels}}, {loss}, {train});
//
// MinimizeWithSgd adds d(loss)/d(v) for every variable, one
// ApplyGradientDescent (v -= learning_rate * gradient) per variable, and a
// NoOp named `name` that runs after them all: the target to run each step.
// The updates come after every read of their variable added before them
// (the builder orders stateful ops on one resource), and a read value never
// changes under its reader (copy-on-write, core/executor/resource_mgr.h), so
// the gradients of a step all see the variables as the step began.
//
// Errors: those of AddVariableGradients (a variable the loss does not depend
// on is named).
// Thread-safety: like GraphBuilder.
#ifndef GRAPHRT_CORE_GRAPH_OPTIMIZERS_H_
#define GRAPHRT_CORE_GRAPH_OPTIMIZERS_H_

#include <span>

#include "absl/status/statusor.h"
#include "core/graph/builder.h"

namespace graphrt {

// `learning_rate` is a float32 scalar Output (a Const, or a Placeholder for a
// schedule).
absl::StatusOr<Output> MinimizeWithSgd(Output loss, std::span<const Variable> variables,
                                       Output learning_rate, absl::string_view name = "train");
// The same with a constant learning rate.
absl::StatusOr<Output> MinimizeWithSgd(Output loss, std::span<const Variable> variables,
                                       float learning_rate, absl::string_view name = "train");

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPTIMIZERS_H_
