// RegisterGpuKernels: every GPU kernel, registered in one place. Built only
// when CUDA is on (GRAPHRT_CUDA); the GPU execution work fills it in.
#ifndef GRAPHRT_KERNELS_GPU_REGISTER_H_
#define GRAPHRT_KERNELS_GPU_REGISTER_H_

#include <string>

#include "core/executor/kernel_registry.h"

namespace graphrt {

void RegisterGpuKernels(KernelRegistry& registry);

// The number of CUDA devices the runtime reports, 0 when there is no GPU or
// no driver (CUDA errors 35 and 100 are "no GPU", never a failure).
int CudaDeviceCount();

// "NVIDIA H100 80GB HBM3, pci bus id 0000:3B:00.0, compute capability 9.0,
// 79.1 GiB" for CUDA device `id` (as the CUDA runtime orders them), or the
// CUDA error when it cannot be queried.
std::string CudaDeviceDescription(int id);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_REGISTER_H_
