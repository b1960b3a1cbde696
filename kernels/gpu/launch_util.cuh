// Device-side helpers shared by the .cu files of kernels/gpu: launch sizes
// for grid-stride loops, the block size of one-block-per-row kernels, and a
// block-wide reduction. Included by .cu files only (nvcc, C++17): no graphrt
// header, no host state.
#ifndef GRAPHRT_KERNELS_GPU_LAUNCH_UTIL_CUH_
#define GRAPHRT_KERNELS_GPU_LAUNCH_UTIL_CUH_

#include <cstdint>

#include <cuda_runtime.h>

namespace graphrt {
namespace gpu {

// Threads per block of elementwise kernels, and the most threads of a
// one-block-per-row kernel (a power of two: BlockReduce halves it).
constexpr int kThreads = 256;
// Grid-stride loops cover any n; more blocks than this add nothing.
constexpr int64_t kMaxBlocks = 65535;

// Blocks for a grid-stride loop over n > 0 elements (or rows).
inline int BlocksFor(int64_t n, int64_t per_block = kThreads) {
  const int64_t blocks = (n + per_block - 1) / per_block;
  return static_cast<int>(blocks < kMaxBlocks ? blocks : kMaxBlocks);
}

// Threads of a block that handles one row of n elements: the least power of
// two >= n, between 32 (a warp) and kThreads.
inline int RowThreads(int64_t n) {
  int t = 32;
  while (t < kThreads && t < n) t *= 2;
  return t;
}

__device__ inline int64_t GlobalThread() {
  return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ inline int64_t GridThreads() {
  return static_cast<int64_t>(gridDim.x) * blockDim.x;
}

struct SumFn {
  template <typename T>
  __device__ T operator()(T a, T b) const { return a + b; }
};

// The larger value; a NaN in either operand wins (as the CPU kernels' Max).
struct MaxFn {
  template <typename T>
  __device__ T operator()(T a, T b) const { return (b > a || b != b) ? b : a; }
};

// Combines one value per thread of the block with `fn` and returns the result
// to every thread. blockDim.x must be a power of two and `smem` must hold
// blockDim.x values. Synchronises the block: every thread must call it, and
// the same number of times. The combination order depends on blockDim.x
// only, so results are deterministic.
template <typename T, typename Fn>
__device__ T BlockReduce(T v, T* smem, Fn fn) {
  const int t = threadIdx.x;
  smem[t] = v;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s /= 2) {
    if (t < s) smem[t] = fn(smem[t], smem[t + s]);
    __syncthreads();
  }
  const T result = smem[0];
  __syncthreads();  // smem may be written again right after
  return result;
}

}  // namespace gpu
}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_LAUNCH_UTIL_CUH_
