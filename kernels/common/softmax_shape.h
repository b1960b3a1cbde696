// Softmax's and LogSoftmax's shape rule and message, shared by every
// device's kernels (kernels/cpu/softmax_ops.h, kernels/gpu/softmax_ops.cc):
// logits of rank >= 1, softmax along the last axis.
// Thread-safety: pure function.
#ifndef GRAPHRT_KERNELS_COMMON_SOFTMAX_SHAPE_H_
#define GRAPHRT_KERNELS_COMMON_SOFTMAX_SHAPE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/graph/tensor.h"

namespace graphrt {

// INVALID_ARGUMENT naming `op` and the logits' shape unless they have rank >= 1.
absl::Status CheckSoftmaxLogits(absl::string_view op, const Tensor& logits);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_SOFTMAX_SHAPE_H_
