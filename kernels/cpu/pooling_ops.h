// MaxPool, AvgPool, MaxPoolGrad and AvgPoolGrad on the CPU (float32, NHWC;
// semantics in core/graph/ops/pooling_ops.h).
//
// Plain loops over output pixels, vectorised along the channels. Forward
// passes split output pixels over the intra-op pool; the gradients split
// whole images (windows of one image overlap, different images never do).
// MaxPoolGrad gives each gradient to the first maximum of its window in
// row-major order, as TF's CPU kernel; NaNs never win.
//
// Errors (kernels/common/conv_shape.h): INVALID_ARGUMENT naming the shapes
// for a bad rank, a window larger than the padded input, padding not smaller
// than the window, or a gradient whose shape is not the forward output's.
// Thread-safety: Compute is thread-safe (the kernels keep only their attrs).
#ifndef GRAPHRT_KERNELS_CPU_POOLING_OPS_H_
#define GRAPHRT_KERNELS_CPU_POOLING_OPS_H_

#include "core/executor/op_kernel.h"
#include "kernels/common/conv_shape.h"

namespace graphrt {

class PoolKernelBase : public OpKernel {
 public:
  explicit PoolKernelBase(const OpKernelConstruction& c) : OpKernel(c) {}
  absl::Status Init(const OpKernelConstruction& c);

 protected:
  WindowAttrs attrs_;
};

class MaxPoolOp final : public PoolKernelBase {
 public:
  using PoolKernelBase::PoolKernelBase;
  absl::Status Compute(OpKernelContext& ctx) override;
};

class AvgPoolOp final : public PoolKernelBase {
 public:
  using PoolKernelBase::PoolKernelBase;
  absl::Status Compute(OpKernelContext& ctx) override;
};

class MaxPoolGradOp final : public PoolKernelBase {
 public:
  using PoolKernelBase::PoolKernelBase;
  absl::Status Compute(OpKernelContext& ctx) override;
};

class AvgPoolGradOp final : public PoolKernelBase {
 public:
  using PoolKernelBase::PoolKernelBase;
  absl::Status Compute(OpKernelContext& ctx) override;
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_POOLING_OPS_H_
