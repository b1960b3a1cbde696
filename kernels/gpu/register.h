// RegisterGpuKernels: every GPU kernel, registered in one place. Built only
// when CUDA is on (GRAPHRT_CUDA); the GPU execution work fills it in.
#ifndef GRAPHRT_KERNELS_GPU_REGISTER_H_
#define GRAPHRT_KERNELS_GPU_REGISTER_H_

#include "core/executor/kernel_registry.h"

namespace graphrt {

void RegisterGpuKernels(KernelRegistry& registry);

// The number of CUDA devices the runtime reports, 0 when there is no GPU or
// no driver (CUDA errors 35 and 100 are "no GPU", never a failure).
int CudaDeviceCount();

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_REGISTER_H_
