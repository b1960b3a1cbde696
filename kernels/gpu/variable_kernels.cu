// The variable update kernel (see variable_kernels.h): a grid-stride loop.
#include "kernels/gpu/launch_util.cuh"
#include "kernels/gpu/variable_kernels.h"

namespace graphrt {
namespace {

__global__ void VariableUpdateKernel(const float* value, const float* delta, const float* alpha,
                                     float* out, int64_t n) {
  const float scale = alpha == nullptr ? 1.0f : -*alpha;
  for (int64_t i = gpu::GlobalThread(); i < n; i += gpu::GridThreads()) {
    out[i] = value[i] + scale * delta[i];
  }
}

}  // namespace

void LaunchVariableUpdate(const float* value, const float* delta, const float* alpha, float* out,
                          int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  VariableUpdateKernel<<<gpu::BlocksFor(n), gpu::kThreads, 0, stream>>>(value, delta, alpha, out,
                                                                        n);
}

}  // namespace graphrt
