// The variable kernels' family, shared by every device: VarHandleOp and
// ReadVariable themselves (kernels/common/register.h), and VariableOf, which
// the per-device update kernels (AssignVariable, AssignAddVariable,
// ApplyGradientDescent in kernels/cpu/variable_ops.cc and
// kernels/gpu/variable_ops.cc) use to reach the variable.
//
//   VarHandleOp   creates the variable (named like the node) when the session
//                 is created, initialised from attr initial_value copied to
//                 the node's device (OpKernelConstruction::CopyToDevice), and
//                 outputs its handle. A variable's value lives on its device.
//   ReadVariable  outputs the variable's value tensor (shared; see
//                 core/executor/resource_mgr.h for the copy-on-write rule
//                 that keeps reads stable).
//
// Thread-safety: all are safe to call concurrently (the resource manager and
// the variable lock themselves).
#ifndef GRAPHRT_KERNELS_COMMON_VARIABLE_OPS_H_
#define GRAPHRT_KERNELS_COMMON_VARIABLE_OPS_H_

#include "core/executor/op_kernel.h"
#include "core/executor/resource_mgr.h"

namespace graphrt {

// The variable behind input 0, a resource handle (the op defs say so) made by VarHandleOp.
VariableResource* VariableOf(const OpKernelContext& ctx);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_VARIABLE_OPS_H_
