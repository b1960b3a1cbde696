// A grid-stride float fill (see fill.h).
#include "kernels/gpu/fill.h"

#include "kernels/gpu/launch_util.cuh"

namespace graphrt {
namespace {

__global__ void FillKernel(float* out, int64_t n, float value) {
  for (int64_t i = gpu::GlobalThread(); i < n; i += gpu::GridThreads()) out[i] = value;
}

}  // namespace

void LaunchFill(float* out, int64_t n, float value, cudaStream_t stream) {
  if (n <= 0) return;
  FillKernel<<<gpu::BlocksFor(n), gpu::kThreads, 0, stream>>>(out, n, value);
}

}  // namespace graphrt
