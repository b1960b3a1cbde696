// Optimisers: the update ops that train variables, built from gradients
// (core/graph/gradients.h).
//
//   ASSIGN_OR_RETURN(Output train, MinimizeWithSgd(loss, {w1, b1, w2, b2}, 0.01f));
//   ASSIGN_OR_RETURN(Output train, MinimizeWithAdam(loss, vars, AdamOptions{.learning_rate = 1e-3f}));
//   session->Run({{x, batch}, {y, labels}}, {loss}, {train});
//
// Each Minimize* adds d(loss)/d(v) for every variable, one update op per
// variable, and a NoOp named `name` that runs after them all: the target to
// run each step.
//   SGD       ApplyGradientDescent: v -= learning_rate * gradient.
//   Momentum  ApplyMomentum (TF's ResourceApplyMomentum, formulas in
//             core/graph/ops/training_ops.h) with one slot per variable,
//             "<var>/momentum", zeros.
//   Adam      ApplyAdam (TF's ResourceApplyAdam, with TF's bias correction
//             and placement of epsilon: Note [Where Adam's epsilon goes] in
//             core/graph/ops/training_ops.cc) with slots "<var>/adam_m" and
//             "<var>/adam_v" (zeros), and two scalar variables per call,
//             "<name>/beta1_power" and "<name>/beta2_power", initialised to
//             beta1 and beta2 and multiplied by them after every step's
//             updates (TF1's AdamOptimizer; at step t they hold beta^t).
// ApplyGradientsWith* build the same updates from gradients already computed
// (one per variable, each shaped like it): the distribution strategies
// (core/graph/distribute/) average gradients across replicas first.
// ApplyGradients picks one by the OptimizerOptions it is given.
// Slots are ordinary variables, so Session checkpoints save them
// (core/executor/checkpoint.h). Each slot is made under
// GraphBuilder::ColocateWith its variable (and the update takes both
// handles), so the placer puts a variable and its slots on one device; the
// beta powers are colocated with the first variable.
// The updates come after every read of their variable added before them
// (the builder orders stateful ops on one resource), and a read value never
// changes under its reader (copy-on-write, core/executor/resource_mgr.h), so
// the gradients of a step all see the variables as the step began.
//
// Errors: those of AddVariableGradients (a variable the loss does not depend
// on is named); Momentum and Adam also name a variable that is not float32 or
// whose shape is not fully known (its slots need one).
// Thread-safety: like GraphBuilder.
#ifndef GRAPHRT_CORE_GRAPH_OPTIMIZERS_H_
#define GRAPHRT_CORE_GRAPH_OPTIMIZERS_H_

#include <span>
#include <variant>

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

// var -= learning_rate * gradient for each (variable, gradient) pair.
absl::StatusOr<Output> ApplyGradientsWithSgd(std::span<const Variable> variables,
                                             std::span<const Output> gradients,
                                             Output learning_rate,
                                             absl::string_view name = "train");

struct SgdOptions {
  float learning_rate = 0.01f;
};

struct MomentumOptions {
  float learning_rate = 0.01f;
  float momentum = 0.9f;    // accum = momentum * accum + grad
  bool use_nesterov = false;  // var -= lr * grad + lr * momentum * accum
};
absl::StatusOr<Output> MinimizeWithMomentum(Output loss, std::span<const Variable> variables,
                                            const MomentumOptions& options = {},
                                            absl::string_view name = "train");

absl::StatusOr<Output> ApplyGradientsWithMomentum(std::span<const Variable> variables,
                                                  std::span<const Output> gradients,
                                                  const MomentumOptions& options = {},
                                                  absl::string_view name = "train");

// Defaults are Keras's (tf.keras.optimizers.Adam).
struct AdamOptions {
  float learning_rate = 0.001f;
  float beta1 = 0.9f;    // decay of the first moment m
  float beta2 = 0.999f;  // decay of the second moment v
  float epsilon = 1e-7f;  // added to sqrt(v): TF's "epsilon hat"
};
absl::StatusOr<Output> MinimizeWithAdam(Output loss, std::span<const Variable> variables,
                                        const AdamOptions& options = {},
                                        absl::string_view name = "train");

absl::StatusOr<Output> ApplyGradientsWithAdam(std::span<const Variable> variables,
                                              std::span<const Output> gradients,
                                              const AdamOptions& options = {},
                                              absl::string_view name = "train");

// One of the optimisers above, with its options.
using OptimizerOptions = std::variant<SgdOptions, MomentumOptions, AdamOptions>;
// The ApplyGradientsWith* that `options` holds (SGD: a Const learning rate).
absl::StatusOr<Output> ApplyGradients(const OptimizerOptions& options,
                                      std::span<const Variable> variables,
                                      std::span<const Output> gradients,
                                      absl::string_view name = "train");
// The name of the optimiser `options` holds: "SGD", "Momentum" or "Adam".
absl::string_view OptimizerName(const OptimizerOptions& options);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPTIMIZERS_H_
