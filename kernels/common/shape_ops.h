// The shape kernels' family (ExpandDims, BroadcastLike, Size), shared by
// every device: the ExpandDims kernel itself (kernels/common/register.h; it
// shares the input's buffer under the new shape, so any device runs it), and
// the shape rules and messages of BroadcastLike and Size, whose kernels are
// per device (kernels/cpu/shape_ops.cc, kernels/gpu/shape_ops.cc).
//
//   ExpandDims(x, axis)    x with a dim of 1 inserted at axis (in [-rank-1, rank]).
//   BroadcastLike(x, like) x broadcast (numpy rules) to like's shape.
//   Size(x)                x's element count as an int32 or int64 scalar.
//
// Errors (INVALID_ARGUMENT, naming the shapes): an axis out of range, a shape
// that does not broadcast to like's, a count that does not fit an int32.
// Thread-safety: pure functions; the kernel keeps only its attr.
#ifndef GRAPHRT_KERNELS_COMMON_SHAPE_OPS_H_
#define GRAPHRT_KERNELS_COMMON_SHAPE_OPS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/graph/tensor.h"
#include "core/graph/tensor_shape.h"
#include "core/graph/types.h"
#include "kernels/common/cwise_shape.h"

namespace graphrt {

// `shape` with a dim of 1 inserted at `axis` (in [-rank-1, rank]).
absl::StatusOr<TensorShape> ExpandedShape(const TensorShape& shape, int64_t axis);

// The plan of BroadcastLike(x, like) onto `target` (like's shape); INVALID_ARGUMENT naming both.
absl::StatusOr<BroadcastPlan> BroadcastLikePlan(const Tensor& x, const TensorShape& target);

// OK when Size's count `n` fits `out_type`, whose largest value is `max`; else INVALID_ARGUMENT.
absl::Status CheckSizeFits(int64_t n, int64_t max, DataType out_type);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_SHAPE_OPS_H_
