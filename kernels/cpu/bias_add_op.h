// BiasAdd on the CPU: output[..., c] = value[..., c] + bias[c] for float32;
// and its bias gradient BiasAddGrad: output[c] = sum over the leading axes of
// out_backprop[..., c] (float accumulation, the same for any thread count).
//
// The output takes over the value's buffer when the executor allows it
// (forward_input_or_allocate_output), so a MatMul -> BiasAdd chain adds in
// place. Rows of the value are split over the intra-op pool.
//
// Errors: INVALID_ARGUMENT naming both shapes when value is a scalar, bias is
// not a vector, or bias's length differs from value's last dimension
// (kernels/common/bias_add_shape.h, shared with the GPU).
// Thread-safety: Compute is thread-safe (the kernel holds no state).
#ifndef GRAPHRT_KERNELS_CPU_BIAS_ADD_OP_H_
#define GRAPHRT_KERNELS_CPU_BIAS_ADD_OP_H_

#include "core/executor/op_kernel.h"
#include "kernels/common/bias_add_shape.h"

namespace graphrt {

class BiasAddOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override;
};

class BiasAddGradOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override;
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_BIAS_ADD_OP_H_
