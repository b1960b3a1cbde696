// Softmax and LogSoftmax on the CPU, float32, along the last axis.
//
// Numerically stable: each row has its maximum subtracted before exp, so
// logits of 1000 give finite results. A row of all -inf gives NaN (as in
// TensorFlow). The output may take over the input's buffer; rows are split
// over the intra-op pool.
//
// Errors: INVALID_ARGUMENT for a scalar input (kernels/common/softmax_shape.h,
// shared with the GPU).
// Thread-safety: Compute is thread-safe (the kernel holds only its mode).
#ifndef GRAPHRT_KERNELS_CPU_SOFTMAX_OPS_H_
#define GRAPHRT_KERNELS_CPU_SOFTMAX_OPS_H_

#include "core/executor/op_kernel.h"
#include "kernels/common/softmax_shape.h"

namespace graphrt {

// One kernel for both ops: LogSoftmax when the node's op is "LogSoftmax".
class SoftmaxOp final : public OpKernel {
 public:
  explicit SoftmaxOp(const OpKernelConstruction& c)
      : OpKernel(c), log_(c.node().op() == "LogSoftmax") {}
  absl::Status Compute(OpKernelContext& ctx) override;

 private:
  const bool log_;
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_SOFTMAX_OPS_H_
