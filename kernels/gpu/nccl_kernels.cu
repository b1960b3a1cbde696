// The integer mean's division (see nccl_kernels.h).
#include "kernels/gpu/nccl_kernels.h"

#include "kernels/gpu/launch_util.cuh"

namespace graphrt {
namespace {

template <typename T>
__global__ void DivideKernel(T* data, int64_t n, T divisor) {
  for (int64_t i = gpu::GlobalThread(); i < n; i += gpu::GridThreads()) data[i] /= divisor;
}

template <typename T>
void Launch(T* data, int64_t n, T divisor, cudaStream_t stream) {
  if (n <= 0) return;
  DivideKernel<T><<<gpu::BlocksFor(n), gpu::kThreads, 0, stream>>>(data, n, divisor);
}

}  // namespace

void LaunchDivideInPlace(int32_t* data, int64_t n, int32_t divisor, cudaStream_t stream) {
  Launch(data, n, divisor, stream);
}
void LaunchDivideInPlace(int64_t* data, int64_t n, int64_t divisor, cudaStream_t stream) {
  Launch(data, n, divisor, stream);
}

}  // namespace graphrt
