// Softmax and LogSoftmax on the CPU, float32, along the last axis.
//
// Numerically stable: each row has its maximum subtracted before exp, so
// logits of 1000 give finite results. A row of all -inf gives NaN (as in
// TensorFlow). The output may take over the input's buffer; rows are split
// over the intra-op pool.
//
// Errors: INVALID_ARGUMENT for a scalar input.
// Thread-safety: Compute is thread-safe (the kernel holds only its mode).
#ifndef GRAPHRT_KERNELS_CPU_SOFTMAX_OPS_H_
#define GRAPHRT_KERNELS_CPU_SOFTMAX_OPS_H_

#include "absl/strings/string_view.h"
#include "core/executor/op_kernel.h"

namespace graphrt {

// INVALID_ARGUMENT naming `op` and the logits' shape unless they have rank >= 1.
absl::Status CheckSoftmaxLogits(absl::string_view op, const Tensor& logits);

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
