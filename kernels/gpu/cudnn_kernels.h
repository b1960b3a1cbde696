// The small CUDA kernels around the cuDNN calls (cudnn_pool_ops.cc,
// cudnn_batch_norm_ops.cc): what cuDNN does not do in TF's terms.
//
// Every Launch* enqueues on `stream` and returns at once, launching nothing
// for empty work; the caller makes the device current and checks the launch
// (CheckLaunch). Pointers are device pointers, float32, NHWC.
// Includes no graphrt header: nvcc compiles the .cu side as C++17.
#ifndef GRAPHRT_KERNELS_GPU_CUDNN_KERNELS_H_
#define GRAPHRT_KERNELS_GPU_CUDNN_KERNELS_H_

#include <cstdint>

#include <cuda_runtime_api.h>

namespace graphrt {

// Note [AvgPool's asymmetric padding through cuDNN] (cudnn_pool_ops.cc): the
// pool ran over an input padded explicitly by (top, left) before and
// (padded - in - top/left) after, with cuDNN's own symmetric padding sym_*;
// cuDNN divided each window's sum by the cells inside the explicitly padded
// input, TF divides by the cells inside the real input. Multiplies each
// value of v [n, out_h, out_w, c] by the ratio of the two counts.
struct AvgPoolCounts {
  int64_t n = 0, out_h = 0, out_w = 0, c = 0;
  int64_t window_h = 0, window_w = 0, stride_h = 1, stride_w = 1;
  int64_t sym_h = 0, sym_w = 0;         // cuDNN's padding, both sides
  int64_t padded_h = 0, padded_w = 0;  // the explicitly padded input
  int64_t top = 0, left = 0, in_h = 0, in_w = 0;  // the real input inside it
};
void LaunchAvgPoolRescale(float* v, const AvgPoolCounts& p, cudaStream_t stream);

// inv_std[i] = 1 / sqrt(var[i] + epsilon), or back: var[i] = 1 / inv_std[i]^2
// - epsilon (cuDNN keeps the inverse standard deviation; graphrt's
// reserve_space_2 holds the variance, as the CPU kernel does).
void LaunchInvStd(const float* var, float epsilon, float* inv_std, int64_t c,
                  cudaStream_t stream);
void LaunchVarFromInvStd(const float* inv_std, float epsilon, float* var, int64_t c,
                         cudaStream_t stream);

// FusedBatchNormGradV3 with is_training false (the statistics are constants):
// dx = dy * scale * inv_std, dscale = sum(dy * (x - mean)) * inv_std,
// doffset = sum(dy), sums over the rows of [rows, c] in double, one block per
// channel (deterministic).
void LaunchBatchNormGradInference(const float* dy, const float* x, const float* scale,
                                  const float* mean, const float* var, float epsilon,
                                  int64_t rows, int64_t c, float* dx, float* dscale,
                                  float* doffset, cudaStream_t stream);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_CUDNN_KERNELS_H_
