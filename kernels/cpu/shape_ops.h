// Shape kernels on the CPU, mostly for gradients: ExpandDims, BroadcastLike
// and Size, for any dtype.
//
//   ExpandDims(x, axis)    x with a dim of 1 inserted; shares x's buffer.
//   BroadcastLike(x, like) x broadcast (numpy rules) to like's shape; like's
//                          elements are never read. Split over the intra-op
//                          pool at about 1 ns per element.
//   Size(x)                x's element count as an int32 or int64 scalar;
//                          INVALID_ARGUMENT when it does not fit an int32.
//
// Errors (INVALID_ARGUMENT, naming the shapes): an axis out of range, a shape
// that does not broadcast to like's.
// Thread-safety: Compute is thread-safe (kernels keep only their attrs).
#ifndef GRAPHRT_KERNELS_CPU_SHAPE_OPS_H_
#define GRAPHRT_KERNELS_CPU_SHAPE_OPS_H_

#include "absl/status/statusor.h"
#include "core/executor/op_kernel.h"
#include "core/graph/tensor_shape.h"
#include "kernels/cpu/cwise_binary.h"

namespace graphrt {

// `shape` with a dim of 1 inserted at `axis` (in [-rank-1, rank]).
absl::StatusOr<TensorShape> ExpandedShape(const TensorShape& shape, int64_t axis);

// The plan of BroadcastLike(x, like) onto `target` (like's shape); INVALID_ARGUMENT naming both.
absl::StatusOr<BroadcastPlan> BroadcastLikePlan(const Tensor& x, const TensorShape& target);

// OK when Size's count `n` fits `out_type`, whose largest value is `max`; else INVALID_ARGUMENT.
absl::Status CheckSizeFits(int64_t n, int64_t max, DataType out_type);

// The ExpandDims kernel; it never touches the elements, so every device registers it.
class ExpandDimsOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c);
  absl::Status Compute(OpKernelContext& ctx) override;
  bool IsAlwaysCheap() const override { return true; }

 private:
  int64_t axis_ = 0;
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_SHAPE_OPS_H_
