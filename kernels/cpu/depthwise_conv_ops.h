// DepthwiseConv2dNative and its gradients DepthwiseConv2dNativeBackpropInput
// and DepthwiseConv2dNativeBackpropFilter on the CPU (float32, NHWC input,
// [FH, FW, C, M] filter, C * M output channels with channel c's at c*M + m).
//
// Direct loops over output pixels, vectorised along the channels (a
// depthwise convolution does FH*FW multiply-adds per output: it is memory-
// bound, and im2col would only add traffic). The forward pass splits rows of
// output pixels over the intra-op pool, the input gradient whole images (their
// scatters never overlap), the filter gradient a number of chunks fixed by
// the shapes whose partials are summed in order: results do not depend on the
// thread count.
//
// Errors: as kernels/cpu/conv_ops.h (kernels/common/conv_shape.h).
// Thread-safety: Compute is thread-safe (the kernels keep only their attrs).
#ifndef GRAPHRT_KERNELS_CPU_DEPTHWISE_CONV_OPS_H_
#define GRAPHRT_KERNELS_CPU_DEPTHWISE_CONV_OPS_H_

#include "core/executor/op_kernel.h"
#include "kernels/common/conv_shape.h"

namespace graphrt {

class DepthwiseKernelBase : public OpKernel {
 public:
  explicit DepthwiseKernelBase(const OpKernelConstruction& c) : OpKernel(c) {}
  absl::Status Init(const OpKernelConstruction& c);

 protected:
  WindowAttrs attrs_;
};

class DepthwiseConv2dNativeOp final : public DepthwiseKernelBase {
 public:
  using DepthwiseKernelBase::DepthwiseKernelBase;
  absl::Status Compute(OpKernelContext& ctx) override;
};

class DepthwiseConv2dNativeBackpropInputOp final : public DepthwiseKernelBase {
 public:
  using DepthwiseKernelBase::DepthwiseKernelBase;
  absl::Status Compute(OpKernelContext& ctx) override;
};

class DepthwiseConv2dNativeBackpropFilterOp final : public DepthwiseKernelBase {
 public:
  using DepthwiseKernelBase::DepthwiseKernelBase;
  absl::Status Compute(OpKernelContext& ctx) override;
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_DEPTHWISE_CONV_OPS_H_
