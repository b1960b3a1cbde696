#include "kernels/gpu/register.h"

#include <cuda_runtime_api.h>

namespace graphrt {

void RegisterGpuKernels(KernelRegistry& registry) {
  // No GPU kernels yet: placement falls back to the CPU for every op.
  (void)registry;
}

int CudaDeviceCount() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky error; no GPU here
    return 0;
  }
  return count;
}

}  // namespace graphrt
