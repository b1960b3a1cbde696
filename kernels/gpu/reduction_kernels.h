// Reduction CUDA kernels: Sum, Mean and Max of float32 over a set of axes,
// and ArgMax along one axis. Called by reduction_ops.cc and bias_ops.cc.
//
// Numerics mirror the CPU kernels: Sum and Mean accumulate in double (Mean
// divides the double sum by the count), Max propagates NaN; ArgMax keeps the
// first index of the maximum, a NaN counting as the maximum. Results are
// deterministic: the combination order depends on the shapes only.
//
// Every Launch* enqueues on `stream`, launches nothing when there is no
// output element, and returns at once; the caller makes the device current
// and checks the launch (CheckLaunch). Pointers are device memory.
// Includes no graphrt header: nvcc compiles the .cu side as C++17.
#ifndef GRAPHRT_KERNELS_GPU_REDUCTION_KERNELS_H_
#define GRAPHRT_KERNELS_GPU_REDUCTION_KERNELS_H_

#include <cstdint>

#include <cuda_runtime_api.h>

namespace graphrt {

enum class GpuReduceOp { kSum, kMean, kMax };

// in viewed as [outer, n, inner] -> out [outer, inner], n >= 1: each output
// folds the n elements of its column (kMean divides by n).
void LaunchReduceMiddle(GpuReduceOp op, const float* in, int64_t outer, int64_t n, int64_t inner,
                        float* out, cudaStream_t stream);

constexpr int kMaxReduceGroups = 8;

// Any other layout: the input's dims as groups (outermost first), each kept
// or reduced, with its element stride in the input. Outputs are the kept
// groups' elements in row-major order; each folds `reduced_count` >= 1
// elements.
struct ReduceLayout {
  int num_kept = 0;
  int64_t kept_sizes[kMaxReduceGroups] = {};
  int64_t kept_strides[kMaxReduceGroups] = {};
  int num_reduced = 0;
  int64_t reduced_sizes[kMaxReduceGroups] = {};
  int64_t reduced_strides[kMaxReduceGroups] = {};
};

void LaunchReduceGeneral(GpuReduceOp op, const float* in, const ReduceLayout& layout,
                         int64_t outputs, int64_t reduced_count, float* out,
                         cudaStream_t stream);

// in viewed as [outer, n, inner] -> out [outer, inner] of int32 (out64
// false) or int64: the index in [0, n) of each column's maximum. n >= 1.
void LaunchArgMax(const float* in, int64_t outer, int64_t n, int64_t inner, void* out, bool out64,
                  cudaStream_t stream);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_REDUCTION_KERNELS_H_
