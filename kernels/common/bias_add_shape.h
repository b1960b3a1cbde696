// BiasAdd's and BiasAddGrad's shape rules and messages, shared by every
// device's kernels (kernels/cpu/bias_add_op.h, kernels/gpu/bias_ops.cc):
// value [..., C] + bias [C]; out_backprop of rank >= 1 summed to [C].
// Thread-safety: pure functions.
#ifndef GRAPHRT_KERNELS_COMMON_BIAS_ADD_SHAPE_H_
#define GRAPHRT_KERNELS_COMMON_BIAS_ADD_SHAPE_H_

#include "absl/status/status.h"
#include "core/graph/tensor.h"

namespace graphrt {

// INVALID_ARGUMENT naming both shapes unless value is [..., C] and bias [C].
absl::Status CheckBiasAddShapes(const Tensor& value, const Tensor& bias);

// INVALID_ARGUMENT naming the shape unless out_backprop has rank >= 1.
absl::Status CheckBiasAddGradShape(const Tensor& out_backprop);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_BIAS_ADD_SHAPE_H_
