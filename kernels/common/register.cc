// RegisterNeutralKernels: every family of this folder, for one device type.
// Called by the device kernel libraries' own registrations (the CPU's and the
// GPU's register.cc); this library registers nothing by itself.
#include "kernels/common/register.h"

namespace graphrt {

std::vector<TypeConstraint> NeutralConstraint(const char* attr, const NeutralDTypes& dtypes) {
  if (!dtypes.has_value()) return {};
  return {{attr, *dtypes}};
}

void RegisterNeutralKernels(KernelRegistry& r, const std::string& device_type,
                            const NeutralKernelTypes& types) {
  RegisterNeutralConstantKernels(r, device_type, types);
  RegisterNeutralCopyKernels(r, device_type);
  RegisterNeutralReshapeKernels(r, device_type, types);
  RegisterNeutralShapeKernels(r, device_type, types);
  RegisterNeutralVariableKernels(r, device_type, types);
  RegisterNeutralLayoutKernels(r, device_type, types);
}

}  // namespace graphrt
