// The CUDA kernels of cudnn_kernels.h.
#include "kernels/gpu/cudnn_kernels.h"

#include "kernels/gpu/launch_util.cuh"

namespace graphrt {
namespace {

// Cells of [start, start + window) inside [lo, hi).
__device__ inline int64_t Overlap(int64_t start, int64_t window, int64_t lo, int64_t hi) {
  const int64_t a = start > lo ? start : lo;
  const int64_t b = start + window < hi ? start + window : hi;
  return b > a ? b - a : 0;
}

__global__ void AvgPoolRescaleKernel(float* v, int64_t total, AvgPoolCounts p) {
  for (int64_t i = gpu::GlobalThread(); i < total; i += gpu::GridThreads()) {
    const int64_t ow = (i / p.c) % p.out_w, oh = (i / p.c / p.out_w) % p.out_h;
    const int64_t h0 = oh * p.stride_h - p.sym_h, w0 = ow * p.stride_w - p.sym_w;
    const int64_t counted = Overlap(h0, p.window_h, 0, p.padded_h) *
                            Overlap(w0, p.window_w, 0, p.padded_w);
    const int64_t real = Overlap(h0, p.window_h, p.top, p.top + p.in_h) *
                         Overlap(w0, p.window_w, p.left, p.left + p.in_w);
    // real >= 1: TF's padding is smaller than the window (MakePoolGeometry).
    v[i] *= static_cast<float>(counted) / static_cast<float>(real);
  }
}

__global__ void InvStdKernel(const float* var, float epsilon, float* inv_std, int64_t c) {
  for (int64_t i = gpu::GlobalThread(); i < c; i += gpu::GridThreads()) {
    inv_std[i] = rsqrtf(var[i] + epsilon);
  }
}

__global__ void VarFromInvStdKernel(const float* inv_std, float epsilon, float* var, int64_t c) {
  for (int64_t i = gpu::GlobalThread(); i < c; i += gpu::GridThreads()) {
    const double s = inv_std[i];
    var[i] = static_cast<float>(1.0 / (s * s) - epsilon);
  }
}

// One block per channel: the sums of the channel, then its dscale/doffset.
__global__ void BatchNormGradSumsKernel(const float* dy, const float* x, const float* mean,
                                        const float* var, float epsilon, int64_t rows, int64_t c,
                                        float* dscale, float* doffset) {
  __shared__ double smem[gpu::kThreads];
  const int64_t ch = blockIdx.x;
  double s_dy = 0, s_dyx = 0;
  for (int64_t r = threadIdx.x; r < rows; r += blockDim.x) {
    const double d = dy[r * c + ch];
    s_dy += d;
    s_dyx += d * (static_cast<double>(x[r * c + ch]) - mean[ch]);
  }
  s_dy = gpu::BlockReduce(s_dy, smem, gpu::SumFn());
  s_dyx = gpu::BlockReduce(s_dyx, smem, gpu::SumFn());
  if (threadIdx.x == 0) {
    doffset[ch] = static_cast<float>(s_dy);
    dscale[ch] = static_cast<float>(s_dyx / sqrt(static_cast<double>(var[ch]) + epsilon));
  }
}

__global__ void BatchNormGradDxKernel(const float* dy, const float* scale, const float* var,
                                      float epsilon, int64_t total, int64_t c, float* dx) {
  for (int64_t i = gpu::GlobalThread(); i < total; i += gpu::GridThreads()) {
    const int64_t ch = i % c;
    dx[i] = dy[i] * scale[ch] * rsqrtf(var[ch] + epsilon);
  }
}

}  // namespace

void LaunchAvgPoolRescale(float* v, const AvgPoolCounts& p, cudaStream_t stream) {
  const int64_t total = p.n * p.out_h * p.out_w * p.c;
  if (total <= 0) return;
  AvgPoolRescaleKernel<<<gpu::BlocksFor(total), gpu::kThreads, 0, stream>>>(v, total, p);
}

void LaunchInvStd(const float* var, float epsilon, float* inv_std, int64_t c,
                  cudaStream_t stream) {
  if (c <= 0) return;
  InvStdKernel<<<gpu::BlocksFor(c), gpu::kThreads, 0, stream>>>(var, epsilon, inv_std, c);
}

void LaunchVarFromInvStd(const float* inv_std, float epsilon, float* var, int64_t c,
                         cudaStream_t stream) {
  if (c <= 0) return;
  VarFromInvStdKernel<<<gpu::BlocksFor(c), gpu::kThreads, 0, stream>>>(inv_std, epsilon, var, c);
}

void LaunchBatchNormGradInference(const float* dy, const float* x, const float* scale,
                                  const float* mean, const float* var, float epsilon,
                                  int64_t rows, int64_t c, float* dx, float* dscale,
                                  float* doffset, cudaStream_t stream) {
  if (c <= 0) return;
  BatchNormGradSumsKernel<<<static_cast<unsigned>(c), gpu::kThreads, 0, stream>>>(
      dy, x, mean, var, epsilon, rows, c, dscale, doffset);
  const int64_t total = rows * c;
  if (total > 0) {
    BatchNormGradDxKernel<<<gpu::BlocksFor(total), gpu::kThreads, 0, stream>>>(
        dy, scale, var, epsilon, total, c, dx);
  }
}

}  // namespace graphrt
