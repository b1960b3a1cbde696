// BiasAdd's CUDA kernel (see bias_kernels.h): a grid-stride loop.
#include "kernels/gpu/bias_kernels.h"

#include "kernels/gpu/launch_util.cuh"

namespace graphrt {
namespace {

__global__ void BiasAddKernel(const float* in, const float* bias, float* out, int64_t n,
                              int64_t channels) {
  for (int64_t i = gpu::GlobalThread(); i < n; i += gpu::GridThreads()) {
    out[i] = in[i] + bias[i % channels];
  }
}

}  // namespace

void LaunchBiasAdd(const float* in, const float* bias, float* out, int64_t n, int64_t channels,
                   cudaStream_t stream) {
  if (n <= 0 || channels <= 0) return;
  BiasAddKernel<<<gpu::BlocksFor(n), gpu::kThreads, 0, stream>>>(in, bias, out, n, channels);
}

}  // namespace graphrt
