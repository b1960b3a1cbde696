// SparseSoftmaxCrossEntropyWithLogits on the CPU: features [B, C] float32,
// labels [B] int32 or int64 (attr Tlabels). Outputs
//   loss[b]        = logsumexp(features[b]) - features[b, labels[b]]
//   backprop[b, c] = softmax(features[b])[c] - (c == labels[b])
// computed stably (the row max is subtracted before exp). Rows are split
// over the intra-op pool.
//
// Errors: INVALID_ARGUMENT naming the shapes when features is not a matrix,
// labels is not a vector, or their batch sizes differ (CheckXentShapes in
// kernels/common/xent_shape.h, shared with the GPU); INVALID_ARGUMENT
// naming the batch index, the label and C for a label outside [0, C) (checked
// before anything is computed, as TensorFlow does on the CPU).
// Thread-safety: Compute is thread-safe (the kernel holds no state).
#ifndef GRAPHRT_KERNELS_CPU_XENT_OP_H_
#define GRAPHRT_KERNELS_CPU_XENT_OP_H_

#include <cstdint>

#include "core/executor/op_kernel.h"
#include "kernels/common/xent_shape.h"

namespace graphrt {

// Label is int32_t or int64_t.
template <typename Label>
class SparseXentOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override;
};

extern template class SparseXentOp<int32_t>;
extern template class SparseXentOp<int64_t>;

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_XENT_OP_H_
