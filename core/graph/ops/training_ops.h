// Training ops: the fused optimiser updates (TF's ResourceApplyMomentum and
// ResourceApplyAdam), as op functions and their OpDefs. Users normally reach
// them through core/graph/optimizers.h, which makes the slots and beta powers.
//
//   ApplyMomentum(var, accum, lr, grad, momentum; use_nesterov)
//     accum = momentum * accum + grad
//     var  -= lr * accum                                  (use_nesterov false)
//     var  -= lr * grad + lr * momentum * accum           (use_nesterov true)
//   ApplyAdam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad)
//     lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power)
//     m    = beta1 * m + (1 - beta1) * grad
//     v    = beta2 * v + (1 - beta2) * grad * grad
//     var -= lr_t * m / (sqrt(v) + epsilon)
//   (Note [Where Adam's epsilon goes] in training_ops.cc.)
//
// var, accum, m and v are float32 variable handles of one shape; the other
// inputs are float32 scalars except grad, shaped like var. Accum, m and v are
// taken after the update (accum and m, v at step t, not t - 1). The ops have
// no outputs: run them as targets. Each takes several handles, so the placer
// puts the variable and its slots in one colocation group, and the builder
// orders them after earlier accesses of every handle it takes.
//
// Thread-safety: like GraphBuilder.
#ifndef GRAPHRT_CORE_GRAPH_OPS_TRAINING_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_TRAINING_OPS_H_

#include "core/graph/builder.h"

namespace graphrt::ops {

Output ApplyMomentum(const Variable& var, const Variable& accum, Output lr, Output grad,
                     Output momentum, bool use_nesterov = false, absl::string_view name = {});

Output ApplyAdam(const Variable& var, const Variable& m, const Variable& v, Output beta1_power,
                 Output beta2_power, Output lr, Output beta1, Output beta2, Output epsilon,
                 Output grad, absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterTrainingOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_TRAINING_OPS_H_
