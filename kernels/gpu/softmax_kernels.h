// Softmax, LogSoftmax and sparse softmax cross-entropy CUDA kernels: one
// block per row of the last dim, the row max subtracted before exp (stable
// for large logits), block-wide shared-memory reductions. Called by
// softmax_ops.cc.
//
// Each Launch* enqueues on `stream` and launches nothing when there is no
// row; the caller makes the device current and checks the launch
// (CheckLaunch). Pointers are device memory. Includes no graphrt header.
#ifndef GRAPHRT_KERNELS_GPU_SOFTMAX_KERNELS_H_
#define GRAPHRT_KERNELS_GPU_SOFTMAX_KERNELS_H_

#include <cstdint>

#include <cuda_runtime_api.h>

namespace graphrt {

// out[r, :] = softmax(in[r, :]) (log: its log) for rows of n >= 1 elements.
// `out` may equal `in`. A row of all -inf gives NaN, as on the CPU.
void LaunchSoftmax(const float* in, float* out, int64_t rows, int64_t n, bool log,
                   cudaStream_t stream);

// For each of `batch` rows of `classes` >= 1 logits, with labels int32
// (labels64 false) or int64:
//   loss[b]        = logsumexp(logits[b]) - logits[b, labels[b]]
//   backprop[b, c] = softmax(logits[b])[c] - (c == labels[b])
// A label outside [0, classes) cannot be reported from the device: its row's
// loss and backprop are NaN (TensorFlow's GPU kernel does the same; the CPU
// kernel returns INVALID_ARGUMENT).
void LaunchSparseXent(const float* logits, const void* labels, bool labels64, int64_t batch,
                      int64_t classes, float* loss, float* backprop, cudaStream_t stream);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_SOFTMAX_KERNELS_H_
