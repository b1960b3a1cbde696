// Device-neutral kernels and how a device's kernel library registers them.
//
// Some kernels never touch their tensors' elements, or only through the
// Device interface (core/executor/device.h), so one implementation serves
// every device type: Const (its value reaches the device through
// OpKernelConstruction::CopyToDevice), Placeholder (it only reports a
// missing feed), Identity, NoOp, _Copy (Device::CopyFrom), Reshape,
// ExpandDims and Squeeze (the input's buffer under another shape), VarHandleOp and
// ReadVariable (the variable's value tensor lives on its device).
// graphrt::kernels_common registers nothing itself: each device's kernel
// library calls RegisterNeutralKernels from its own registration, for its
// device type and with the dtypes it can hold (kernels/cpu/register.cc,
// kernels/gpu/register.cc). Nothing here includes a CUDA header.
//
// Thread-safety: as KernelRegistry::Register (thread-safe); the kernels'
// Compute is thread-safe (they keep only their attrs or a held value).
#ifndef GRAPHRT_KERNELS_COMMON_REGISTER_H_
#define GRAPHRT_KERNELS_COMMON_REGISTER_H_

#include <optional>
#include <string>
#include <vector>

#include "core/executor/kernel_registry.h"
#include "core/graph/types.h"

namespace graphrt {

// The dtypes one device registers a neutral kernel for: std::nullopt (the
// default) registers it without a type constraint, i.e. for every dtype; a
// list registers it for those dtypes only.
using NeutralDTypes = std::optional<std::vector<DataType>>;

// What a device registers, by kernel. NoOp and _Copy are always registered
// and take any dtype (_Copy refuses resource handles when it runs).
struct NeutralKernelTypes {
  NeutralDTypes constant;   // Const (attr dtype)
  NeutralDTypes data;       // Identity, Reshape, ExpandDims, Squeeze (attr T)
  NeutralDTypes variable;   // VarHandleOp, ReadVariable (attr dtype): a dtype
                            // left out keeps such variables on other devices
  bool placeholder = false; // Placeholder: only on the device fed values are
                            // placed on (the CPU: feeds are host tensors)
};

// Registers the neutral kernels into `r` for `device_type` with `types`.
void RegisterNeutralKernels(KernelRegistry& r, const std::string& device_type,
                            const NeutralKernelTypes& types);

// The families (kernels/common/<family>.cc), each registering its neutral kernels.
void RegisterNeutralConstantKernels(KernelRegistry& r, const std::string& device_type,
                                    const NeutralKernelTypes& types);  // Const Placeholder
                                                                       // Identity NoOp
void RegisterNeutralCopyKernels(KernelRegistry& r, const std::string& device_type);  // _Copy
void RegisterNeutralReshapeKernels(KernelRegistry& r, const std::string& device_type,
                                   const NeutralKernelTypes& types);  // Reshape
void RegisterNeutralShapeKernels(KernelRegistry& r, const std::string& device_type,
                                 const NeutralKernelTypes& types);  // ExpandDims
void RegisterNeutralLayoutKernels(KernelRegistry& r, const std::string& device_type,
                                  const NeutralKernelTypes& types);  // Squeeze
void RegisterNeutralVariableKernels(KernelRegistry& r, const std::string& device_type,
                                    const NeutralKernelTypes& types);  // VarHandleOp
                                                                       // ReadVariable

// {{attr, *dtypes}}, or no constraint when `dtypes` is std::nullopt.
std::vector<TypeConstraint> NeutralConstraint(const char* attr, const NeutralDTypes& dtypes);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_REGISTER_H_
