// The checks and messages the CPU and GPU training kernels share (ApplyMomentum,
// ApplyAdam: kernels/cpu/training_ops.cc, kernels/gpu/training_ops.cc; op
// definitions in core/graph/ops/training_ops.h). The executor prefixes every
// error with the node's name and device.
// Thread-safety: pure functions (the resources are only compared, not read).
#ifndef GRAPHRT_KERNELS_COMMON_TRAINING_CHECKS_H_
#define GRAPHRT_KERNELS_COMMON_TRAINING_CHECKS_H_

#include <initializer_list>
#include <vector>

#include "absl/status/statusor.h"
#include "core/executor/op_kernel.h"
#include "core/executor/resource_mgr.h"

namespace graphrt {

struct ScalarArg {
  int index;         // input index
  const char* name;  // the op def's name for it
};

// INVALID_ARGUMENT naming the first of `args` that is not a one-element tensor.
absl::Status CheckScalarArgs(const OpKernelContext& ctx, std::initializer_list<ScalarArg> args);

// The variables behind resource inputs `indices` (the op defs make them
// handles). INVALID_ARGUMENT when two are the same variable: the kernels lock
// each one and would wait on themselves.
absl::StatusOr<std::vector<VariableResource*>> DistinctVariables(
    const OpKernelContext& ctx, std::initializer_list<int> indices);

// INVALID_ARGUMENT unless `value` (the current value of `var`) is float32 and
// shaped like `grad`.
absl::Status CheckTrainedValue(const VariableResource& var, const Tensor& value,
                               const Tensor& grad);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_TRAINING_CHECKS_H_
