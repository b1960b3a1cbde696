// StatelessRandomUniformLike's CUDA kernel (see random_kernels.h): one
// thread per block of four elements.
#include "kernels/gpu/random_kernels.h"

#include "kernels/common/philox.h"
#include "kernels/gpu/launch_util.cuh"

namespace graphrt {
namespace {

template <typename Seed>
__global__ void UniformKernel(const Seed* seed, float* out, int64_t n) {
  // Sign-extended, as on the CPU.
  const uint64_t s0 = static_cast<uint64_t>(static_cast<int64_t>(seed[0]));
  const uint64_t s1 = static_cast<uint64_t>(static_cast<int64_t>(seed[1]));
  const int64_t blocks = (n + 3) / 4;
  for (int64_t b = gpu::GlobalThread(); b < blocks; b += gpu::GridThreads()) {
    const philox::Block r = philox::UniformBlock(static_cast<uint64_t>(b), s0, s1);
    for (int k = 0; k < 4 && b * 4 + k < n; ++k) out[b * 4 + k] = philox::ToUniform(r.v[k]);
  }
}

}  // namespace

void LaunchUniform(const void* seed, bool seed_is_int64, float* out, int64_t n,
                   cudaStream_t stream) {
  if (n <= 0) return;
  const int blocks = gpu::BlocksFor((n + 3) / 4);
  if (seed_is_int64) {
    UniformKernel<<<blocks, gpu::kThreads, 0, stream>>>(static_cast<const int64_t*>(seed), out, n);
  } else {
    UniformKernel<<<blocks, gpu::kThreads, 0, stream>>>(static_cast<const int32_t*>(seed), out, n);
  }
}

}  // namespace graphrt
