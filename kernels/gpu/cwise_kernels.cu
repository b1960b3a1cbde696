// Elementwise CUDA kernels (see cwise_kernels.h): one flat and one strided
// grid-stride kernel per operation, the operation a functor.
#include "kernels/gpu/cwise_kernels.h"

#include "kernels/gpu/launch_util.cuh"

namespace graphrt {
namespace {

using gpu::BlocksFor;
using gpu::GlobalThread;
using gpu::GridThreads;
using gpu::kThreads;

// out[i] = fn(x[i * xs], y[i * ys]): xs and ys are 0 (a scalar) or 1.
template <typename In, typename Out, typename Fn>
__global__ void FlatKernel(const In* x, int64_t xs, const In* y, int64_t ys, Out* out, int64_t n,
                           Fn fn) {
  for (int64_t i = GlobalThread(); i < n; i += GridThreads()) out[i] = fn(x[i * xs], y[i * ys]);
}

// out[i] = fn(x[xo], y[yo]) with xo, yo found from i's coordinates in
// index.dims (innermost last).
template <typename In, typename Out, typename Fn>
__global__ void StridedKernel(const In* x, const In* y, Out* out, int64_t n, BroadcastIndex index,
                              Fn fn) {
  for (int64_t i = GlobalThread(); i < n; i += GridThreads()) {
    int64_t rem = i, xo = 0, yo = 0;
#pragma unroll
    for (int d = kMaxBroadcastRank - 1; d >= 0; --d) {
      if (d < index.rank) {
        const int64_t c = rem % index.dims[d];
        rem /= index.dims[d];
        xo += c * index.x_strides[d];
        yo += c * index.y_strides[d];
      }
    }
    out[i] = fn(x[xo], y[yo]);
  }
}

template <typename In, typename Out, typename Fn>
void Run(const In* x, const In* y, Out* out, int64_t n, const BroadcastIndex& index, Fn fn,
         cudaStream_t stream) {
  if (n <= 0) return;
  if (index.rank == 1) {
    FlatKernel<<<BlocksFor(n), kThreads, 0, stream>>>(x, index.x_strides[0], y,
                                                      index.y_strides[0], out, n, fn);
  } else {
    StridedKernel<<<BlocksFor(n), kThreads, 0, stream>>>(x, y, out, n, index, fn);
  }
}

template <GpuBinaryOp Op>
struct BinaryFn {
  __device__ float operator()(float a, float b) const {
    if constexpr (Op == GpuBinaryOp::kAdd) return a + b;
    if constexpr (Op == GpuBinaryOp::kSub) return a - b;
    if constexpr (Op == GpuBinaryOp::kMul) return a * b;
    if constexpr (Op == GpuBinaryOp::kDiv) return a / b;
    if constexpr (Op == GpuBinaryOp::kMaximum) return (a > b || a != a) ? a : b;
    if constexpr (Op == GpuBinaryOp::kReluGrad) return b > 0.0f ? a : 0.0f;
    return 0.0f;  // not reached
  }
};

struct EqualFn {
  template <typename T>
  __device__ bool operator()(T a, T b) const { return a == b; }
};

struct FirstFn {
  template <typename T>
  __device__ T operator()(T a, T) const { return a; }
};

template <GpuUnaryOp Op>
struct UnaryFn {
  __device__ float operator()(float x) const {
    if constexpr (Op == GpuUnaryOp::kNeg) return -x;
    if constexpr (Op == GpuUnaryOp::kRelu) return x < 0.0f ? 0.0f : x;  // NaN stays NaN
    if constexpr (Op == GpuUnaryOp::kExp) return expf(x);
    if constexpr (Op == GpuUnaryOp::kLog) return logf(x);
    if constexpr (Op == GpuUnaryOp::kTanh) return tanhf(x);
    if constexpr (Op == GpuUnaryOp::kSigmoid) return 1.0f / (1.0f + expf(-x));  // 0 for -inf
    // Correctly rounded, as on the CPU (rsqrtf is an approximation).
    if constexpr (Op == GpuUnaryOp::kSqrt) return __fsqrt_rn(x);
    if constexpr (Op == GpuUnaryOp::kRsqrt) return __frcp_rn(__fsqrt_rn(x));
    if constexpr (Op == GpuUnaryOp::kSquare) return x * x;
    return 0.0f;  // not reached
  }
};

template <typename Fn>
__global__ void UnaryKernel(const float* in, float* out, int64_t n, Fn fn) {
  for (int64_t i = GlobalThread(); i < n; i += GridThreads()) out[i] = fn(in[i]);
}

template <GpuUnaryOp Op>
void RunUnary(const float* in, float* out, int64_t n, cudaStream_t stream) {
  UnaryKernel<<<BlocksFor(n), kThreads, 0, stream>>>(in, out, n, UnaryFn<Op>{});
}

template <typename T>
void RunCopy(const void* x, void* out, int64_t n, const BroadcastIndex& index,
             cudaStream_t stream) {
  BroadcastIndex x_only = index;
  for (int64_t& s : x_only.y_strides) s = 0;  // y is x again, its first element unused
  const T* in = static_cast<const T*>(x);
  Run(in, in, static_cast<T*>(out), n, x_only, FirstFn{}, stream);
}

}  // namespace

void LaunchBinary(GpuBinaryOp op, const float* x, const float* y, float* out, int64_t n,
                  const BroadcastIndex& index, cudaStream_t stream) {
  using B = GpuBinaryOp;
  switch (op) {
    case B::kAdd: return Run(x, y, out, n, index, BinaryFn<B::kAdd>{}, stream);
    case B::kSub: return Run(x, y, out, n, index, BinaryFn<B::kSub>{}, stream);
    case B::kMul: return Run(x, y, out, n, index, BinaryFn<B::kMul>{}, stream);
    case B::kDiv: return Run(x, y, out, n, index, BinaryFn<B::kDiv>{}, stream);
    case B::kMaximum: return Run(x, y, out, n, index, BinaryFn<B::kMaximum>{}, stream);
    case B::kReluGrad: return Run(x, y, out, n, index, BinaryFn<B::kReluGrad>{}, stream);
  }
}

void LaunchEqual(GpuCompareType type, const void* x, const void* y, bool* out, int64_t n,
                 const BroadcastIndex& index, cudaStream_t stream) {
  switch (type) {
    case GpuCompareType::kFloat32:
      return Run(static_cast<const float*>(x), static_cast<const float*>(y), out, n, index,
                 EqualFn{}, stream);
    case GpuCompareType::kInt32:
      return Run(static_cast<const int32_t*>(x), static_cast<const int32_t*>(y), out, n, index,
                 EqualFn{}, stream);
    case GpuCompareType::kInt64:
      return Run(static_cast<const int64_t*>(x), static_cast<const int64_t*>(y), out, n, index,
                 EqualFn{}, stream);
  }
}

void LaunchUnary(GpuUnaryOp op, const float* in, float* out, int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  using U = GpuUnaryOp;
  switch (op) {
    case U::kNeg: return RunUnary<U::kNeg>(in, out, n, stream);
    case U::kRelu: return RunUnary<U::kRelu>(in, out, n, stream);
    case U::kExp: return RunUnary<U::kExp>(in, out, n, stream);
    case U::kLog: return RunUnary<U::kLog>(in, out, n, stream);
    case U::kTanh: return RunUnary<U::kTanh>(in, out, n, stream);
    case U::kSigmoid: return RunUnary<U::kSigmoid>(in, out, n, stream);
    case U::kSqrt: return RunUnary<U::kSqrt>(in, out, n, stream);
    case U::kRsqrt: return RunUnary<U::kRsqrt>(in, out, n, stream);
    case U::kSquare: return RunUnary<U::kSquare>(in, out, n, stream);
  }
}

bool LaunchBroadcastCopy(int element_bytes, const void* x, void* out, int64_t n,
                         const BroadcastIndex& index, cudaStream_t stream) {
  switch (element_bytes) {
    case 1: RunCopy<uint8_t>(x, out, n, index, stream); return true;
    case 4: RunCopy<uint32_t>(x, out, n, index, stream); return true;
    case 8: RunCopy<uint64_t>(x, out, n, index, stream); return true;
    default: return false;
  }
}

}  // namespace graphrt
