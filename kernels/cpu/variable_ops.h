// Variable kernels on the CPU (kernels/cpu/variable_ops.cc), and the pieces
// the GPU's variable kernels share with them: the variable behind a handle,
// VarHandleOp and ReadVariableOp.
// Thread-safety: all are safe to call concurrently (the resource manager and
// the variable lock themselves).
#ifndef GRAPHRT_KERNELS_CPU_VARIABLE_OPS_H_
#define GRAPHRT_KERNELS_CPU_VARIABLE_OPS_H_

#include <memory>

#include "absl/status/statusor.h"
#include "core/executor/op_kernel.h"
#include "core/executor/resource_mgr.h"
#include "core/graph/tensor.h"

namespace graphrt {

// The variable behind input 0, a resource handle (the op defs say so) made by VarHandleOp.
VariableResource* VariableOf(const OpKernelContext& ctx);

// Creates the variable (named like the node) when the session is created,
// initialised from attr initial_value copied to the node's device, and
// outputs its handle. Device-independent: every device registers it.
class VarHandleOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c);
  absl::Status Compute(OpKernelContext& ctx) override { return ctx.set_output(0, handle_); }
  bool IsAlwaysCheap() const override { return true; }

 private:
  Tensor handle_;
};

// The ReadVariable kernel; it outputs the variable's value tensor, so every device registers it.
class ReadVariableOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override;
  bool IsAlwaysCheap() const override { return true; }
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_VARIABLE_OPS_H_
