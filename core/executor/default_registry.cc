#include "core/executor/kernel_registry.h"
#include "kernels/cpu/register.h"

#if GRAPHRT_HAVE_GPU_KERNELS
#include "kernels/gpu/register.h"
#endif

namespace graphrt {

KernelRegistry& DefaultKernelRegistry() {
  static KernelRegistry* registry = [] {
    auto* r = new KernelRegistry();
    RegisterCpuKernels(*r);
#if GRAPHRT_HAVE_GPU_KERNELS
    RegisterGpuKernels(*r);
#endif
    return r;
  }();
  return *registry;
}

}  // namespace graphrt
