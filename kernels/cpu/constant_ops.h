// Const, Placeholder, Identity and NoOp kernels. Const, Identity and NoOp
// are device-independent (Const keeps its value through
// OpKernelConstruction::CopyToDevice): the GPU registers them too.
//
// Placeholder's kernel only reports that no value was fed: the executor fills
// fed placeholders itself and never runs their kernel.
#ifndef GRAPHRT_KERNELS_CPU_CONSTANT_OPS_H_
#define GRAPHRT_KERNELS_CPU_CONSTANT_OPS_H_

#include "core/executor/op_kernel.h"

namespace graphrt {

class ConstOp final : public OpKernel {
 public:
  explicit ConstOp(const OpKernelConstruction& c) : OpKernel(c) {}
  absl::Status Init(const OpKernelConstruction& c);
  absl::Status Compute(OpKernelContext& ctx) override;
  bool IsAlwaysCheap() const override { return true; }

 private:
  Tensor value_;
};

// The input, shared: nothing to run, on any device.
class IdentityOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override { return ctx.set_output(0, ctx.input(0)); }
  bool IsAlwaysCheap() const override { return true; }
};

class NoOpKernel final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext&) override { return absl::OkStatus(); }
  bool IsAlwaysCheap() const override { return true; }
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_CONSTANT_OPS_H_
