// RegisterGpuKernels (every family of this folder), run into
// KernelRegistry::Global() when the program starts.
#include "kernels/gpu/register.h"

namespace graphrt {

void RegisterGpuKernels(KernelRegistry& r) {
  RegisterConstantGpuKernels(r);
  RegisterShapeGpuKernels(r);
  RegisterCwiseBinaryGpuKernels(r);
  RegisterCwiseUnaryGpuKernels(r);
  RegisterCastGpuKernels(r);
  RegisterMatMulGpuKernels(r);
  RegisterBiasAddGpuKernels(r);
  RegisterReductionGpuKernels(r);
  RegisterSoftmaxGpuKernels(r);
  RegisterVariableGpuKernels(r);
}

GRAPHRT_REGISTER_KERNELS(gpu, RegisterGpuKernels);

// Referenced by the linker flag graphrt::kernels_gpu exports (-u), so that
// static links keep this file and its registration.
extern "C" void graphrt_link_kernels_gpu() {}

}  // namespace graphrt
