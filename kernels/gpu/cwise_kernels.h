// Elementwise CUDA kernels: binary ops with numpy broadcasting, Equal,
// unary float ops, and a broadcasting copy (BroadcastLike). Called by
// cwise_binary_ops.cc, cwise_unary_ops.cc and shape_ops.cc.
//
// Every Launch* enqueues on `stream` and returns at once; it launches nothing
// when n <= 0. The caller checks the launch (CheckLaunch) and, before
// launching, makes the stream's device current. Inputs and outputs are device
// pointers; `out` may equal an input that has the output's element count
// (each element is read and written by the same thread), and must not
// otherwise overlap the inputs.
//
// Includes no graphrt header: nvcc compiles the .cu side as C++17.
#ifndef GRAPHRT_KERNELS_GPU_CWISE_KERNELS_H_
#define GRAPHRT_KERNELS_GPU_CWISE_KERNELS_H_

#include <cstdint>

#include <cuda_runtime_api.h>

namespace graphrt {

constexpr int kMaxBroadcastRank = 8;

// How the inputs of a broadcast map onto the output: the output's dims,
// outermost first, and each input's element stride along them (0 where it is
// broadcast). rank 1 with strides 0 or 1 is the flat fast path (equal shapes,
// or one operand a scalar).
struct BroadcastIndex {
  int rank = 0;
  int64_t dims[kMaxBroadcastRank] = {};
  int64_t x_strides[kMaxBroadcastRank] = {};
  int64_t y_strides[kMaxBroadcastRank] = {};
};

// Float binary ops. kReluGrad(gradients, features): the gradient where the
// feature is > 0, else 0. kMaximum propagates NaN. kDiv is IEEE division.
enum class GpuBinaryOp { kAdd, kSub, kMul, kDiv, kMaximum, kReluGrad };

// out[i] = op(x[..], y[..]) for the n output elements described by `index`.
void LaunchBinary(GpuBinaryOp op, const float* x, const float* y, float* out, int64_t n,
                  const BroadcastIndex& index, cudaStream_t stream);

// Element types Equal compares.
enum class GpuCompareType { kFloat32, kInt32, kInt64 };

// out[i] = (x[..] == y[..]); false against NaN. `out` holds bools (1 byte).
void LaunchEqual(GpuCompareType type, const void* x, const void* y, bool* out, int64_t n,
                 const BroadcastIndex& index, cudaStream_t stream);

enum class GpuUnaryOp { kNeg, kRelu, kExp, kLog, kTanh, kSigmoid, kSqrt, kRsqrt, kSquare };

// out[i] = op(in[i]); `out` may equal `in`.
void LaunchUnary(GpuUnaryOp op, const float* in, float* out, int64_t n, cudaStream_t stream);

// out[i] = x[..] for the n output elements of `index` (its y strides are
// ignored); elements of `element_bytes` 1, 4 or 8, moved as raw bits.
// Returns false (launching nothing) for another element size.
bool LaunchBroadcastCopy(int element_bytes, const void* x, void* out, int64_t n,
                         const BroadcastIndex& index, cudaStream_t stream);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_CWISE_KERNELS_H_
