// A float fill kernel: the first CUDA code, proving that kernels/gpu builds
// with nvcc and links; GPU op kernels arrive with the GPU execution work.
#include <cuda_runtime.h>

#include "kernels/gpu/fill.h"

namespace graphrt {

__global__ void FillKernel(float* out, long long n, float value) {
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
       i += (long long)gridDim.x * blockDim.x) {
    out[i] = value;
  }
}

int LaunchFill(float* device_out, long long n, float value, void* stream) {
  if (n <= 0) return 0;
  const int threads = 256;
  const int blocks = static_cast<int>((n + threads - 1) / threads < 4096 ? (n + threads - 1) / threads : 4096);
  FillKernel<<<blocks, threads, 0, static_cast<cudaStream_t>(stream)>>>(device_out, n, value);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace graphrt
