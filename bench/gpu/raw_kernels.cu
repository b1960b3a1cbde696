#include "bench/gpu/raw_kernels.h"

namespace graphrt::bench {
namespace {

__global__ void AddOne(float* data, int64_t n) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) data[i] += 1.0f;
}

}  // namespace

cudaError_t LaunchAddOneChain(float* data, int64_t elements, int launches, cudaStream_t stream) {
  const unsigned blocks = static_cast<unsigned>((elements + 255) / 256);
  for (int i = 0; i < launches; ++i) {
    AddOne<<<blocks, 256, 0, stream>>>(data, elements);
    const cudaError_t e = cudaGetLastError();
    if (e != cudaSuccess) return e;
  }
  return cudaSuccess;
}

}  // namespace graphrt::bench
