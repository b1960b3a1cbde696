// SparseSoftmaxCrossEntropyWithLogits's shape rule and message, shared by
// every device's kernels (kernels/cpu/xent_op.h, kernels/gpu/softmax_ops.cc):
// features [batch, classes] and labels [batch].
// Thread-safety: pure function.
#ifndef GRAPHRT_KERNELS_COMMON_XENT_SHAPE_H_
#define GRAPHRT_KERNELS_COMMON_XENT_SHAPE_H_

#include "absl/status/status.h"
#include "core/graph/tensor.h"

namespace graphrt {

// INVALID_ARGUMENT naming both shapes unless features is [batch, classes] and labels [batch].
absl::Status CheckXentShapes(const Tensor& features, const Tensor& labels);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_XENT_SHAPE_H_
