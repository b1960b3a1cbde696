// Softmax and cross-entropy CUDA kernels (see softmax_kernels.h). A block
// loops over rows (grid-stride over rows, uniform in the block, so every
// thread reaches each BlockReduce); its threads stride over the row's
// elements. Between passes the block synchronises (inside BlockReduce), and
// the last pass reads and writes each element in the same thread, so the
// output may alias the input.
#include <cmath>

#include "kernels/gpu/launch_util.cuh"
#include "kernels/gpu/softmax_kernels.h"

namespace graphrt {
namespace {

using gpu::BlockReduce;
using gpu::kThreads;

// The row's max and sum of exp(x - max), every thread getting both.
struct RowStats {
  float max;
  float sum;
};

__device__ RowStats Stats(const float* x, int64_t n, float* smem) {
  float m = -INFINITY;
  for (int64_t j = threadIdx.x; j < n; j += blockDim.x) m = gpu::MaxFn{}(m, x[j]);
  m = BlockReduce(m, smem, gpu::MaxFn{});
  float s = 0.0f;
  for (int64_t j = threadIdx.x; j < n; j += blockDim.x) s += expf(x[j] - m);
  s = BlockReduce(s, smem, gpu::SumFn{});
  return {m, s};
}

template <bool kLog>
__global__ void SoftmaxKernel(const float* in, float* out, int64_t rows, int64_t n) {
  __shared__ float smem[kThreads];
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const float* x = in + row * n;
    float* y = out + row * n;
    const RowStats st = Stats(x, n, smem);
    if constexpr (kLog) {
      // (x - max) - log(sum), kept apart so large logits keep their precision.
      const float log_sum = logf(st.sum);
      for (int64_t j = threadIdx.x; j < n; j += blockDim.x) y[j] = (x[j] - st.max) - log_sum;
    } else {
      const float inv = 1.0f / st.sum;
      for (int64_t j = threadIdx.x; j < n; j += blockDim.x) y[j] = expf(x[j] - st.max) * inv;
    }
  }
}

template <typename Label>
__global__ void SparseXentKernel(const float* logits, const Label* labels, int64_t batch,
                                 int64_t classes, float* loss, float* backprop) {
  __shared__ float smem[kThreads];
  for (int64_t row = blockIdx.x; row < batch; row += gridDim.x) {
    const float* x = logits + row * classes;
    float* g = backprop + row * classes;
    const int64_t label = static_cast<int64_t>(labels[row]);  // the same in every thread
    if (label < 0 || label >= classes) {
      for (int64_t j = threadIdx.x; j < classes; j += blockDim.x) g[j] = NAN;
      if (threadIdx.x == 0) loss[row] = NAN;
      continue;
    }
    const RowStats st = Stats(x, classes, smem);
    const float inv = 1.0f / st.sum;
    for (int64_t j = threadIdx.x; j < classes; j += blockDim.x) {
      g[j] = expf(x[j] - st.max) * inv - (j == label ? 1.0f : 0.0f);
    }
    // log(sum) - (x[label] - max): stays accurate when the logits are large.
    if (threadIdx.x == 0) loss[row] = logf(st.sum) - (x[label] - st.max);
  }
}

}  // namespace

void LaunchSoftmax(const float* in, float* out, int64_t rows, int64_t n, bool log,
                   cudaStream_t stream) {
  if (rows <= 0 || n <= 0) return;
  const int blocks = gpu::BlocksFor(rows, 1), threads = gpu::RowThreads(n);
  if (log) {
    SoftmaxKernel<true><<<blocks, threads, 0, stream>>>(in, out, rows, n);
  } else {
    SoftmaxKernel<false><<<blocks, threads, 0, stream>>>(in, out, rows, n);
  }
}

void LaunchSparseXent(const float* logits, const void* labels, bool labels64, int64_t batch,
                      int64_t classes, float* loss, float* backprop, cudaStream_t stream) {
  if (batch <= 0 || classes <= 0) return;
  const int blocks = gpu::BlocksFor(batch, 1), threads = gpu::RowThreads(classes);
  if (labels64) {
    SparseXentKernel<<<blocks, threads, 0, stream>>>(
        logits, static_cast<const int64_t*>(labels), batch, classes, loss, backprop);
  } else {
    SparseXentKernel<<<blocks, threads, 0, stream>>>(
        logits, static_cast<const int32_t*>(labels), batch, classes, loss, backprop);
  }
}

}  // namespace graphrt
