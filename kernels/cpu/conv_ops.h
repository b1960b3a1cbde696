// Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter and FusedConv2D (Conv2D
// + BiasAdd (+ Relu) in one pass: core/graph/ops/conv_ops.h) on the CPU
// (float32, NHWC input, [FH, FW, C, OC] filter), as im2col (kernels/cpu/im2col.h)
// plus the CPU GEMM (kernels/cpu/gemm.h: AVX-512 or AVX2 chosen at run time,
// Eigen elsewhere). See Note [Conv as im2col on our GEMM] in conv_ops.cc for
// why not oneDNN, and for how the work is split over the intra-op pool.
//
// Results are deterministic: every split is fixed by the shapes, never by
// the number of threads, and partial filter gradients are summed in order.
//
// Errors (kernels/common/conv_shape.h): INVALID_ARGUMENT naming the shapes
// for bad ranks, channels that differ, a filter larger than the padded input,
// bad strides, dilations or paddings, or an out_backprop that does not match
// the forward output; the executor adds the node's name.
// Thread-safety: Compute is thread-safe (the kernels keep only their attrs).
#ifndef GRAPHRT_KERNELS_CPU_CONV_OPS_H_
#define GRAPHRT_KERNELS_CPU_CONV_OPS_H_

#include <cstdint>
#include <span>

#include "core/executor/op_kernel.h"
#include "kernels/common/conv_shape.h"

namespace graphrt {

// The three kernels share their attrs and cost.
class ConvKernelBase : public OpKernel {
 public:
  explicit ConvKernelBase(const OpKernelConstruction& c) : OpKernel(c) {}
  absl::Status Init(const OpKernelConstruction& c);
  // 2 * output pixels * FH * FW * C * OC flops at ~50 flops/ns.
  int64_t CostEstimateNs(std::span<const Tensor* const> inputs) const override;

 protected:
  WindowAttrs attrs_;
};

class Conv2DOp final : public ConvKernelBase {
 public:
  using ConvKernelBase::ConvKernelBase;
  absl::Status Compute(OpKernelContext& ctx) override;
};

// Conv2D with BiasAdd and the activation applied to each output tile while
// it is in cache (Note [Fused conv epilogue] in conv_ops.cc).
class FusedConv2DOp final : public ConvKernelBase {
 public:
  using ConvKernelBase::ConvKernelBase;
  absl::Status Init(const OpKernelConstruction& c);
  absl::Status Compute(OpKernelContext& ctx) override;

 private:
  bool relu_ = false;
};

class Conv2DBackpropInputOp final : public ConvKernelBase {
 public:
  using ConvKernelBase::ConvKernelBase;
  absl::Status Compute(OpKernelContext& ctx) override;
};

class Conv2DBackpropFilterOp final : public ConvKernelBase {
 public:
  using ConvKernelBase::ConvKernelBase;
  absl::Status Compute(OpKernelContext& ctx) override;
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_CONV_OPS_H_
