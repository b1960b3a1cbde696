// Cast's CUDA kernel (see cast_kernels.h): one grid-stride kernel per
// (source, destination) pair, the conversion mirroring kernels/cpu/cast_op.cc.
#include <type_traits>

#include "kernels/gpu/cast_kernels.h"
#include "kernels/gpu/launch_util.cuh"

namespace graphrt {
namespace {

// The range of an integer destination, with its bounds as floats: the lower
// bound is exact, the upper one is max + 1 (also exact).
template <typename To>
struct IntRange;
template <>
struct IntRange<int32_t> {
  __device__ static constexpr float Lo() { return -2147483648.0f; }
  __device__ static constexpr float HiExclusive() { return 2147483648.0f; }
  __device__ static constexpr int32_t Min() { return -2147483647 - 1; }
  __device__ static constexpr int32_t Max() { return 2147483647; }
};
template <>
struct IntRange<int64_t> {
  __device__ static constexpr float Lo() { return -9223372036854775808.0f; }
  __device__ static constexpr float HiExclusive() { return 9223372036854775808.0f; }
  __device__ static constexpr int64_t Min() { return -9223372036854775807LL - 1; }
  __device__ static constexpr int64_t Max() { return 9223372036854775807LL; }
};
template <>
struct IntRange<uint8_t> {
  __device__ static constexpr float Lo() { return 0.0f; }
  __device__ static constexpr float HiExclusive() { return 256.0f; }
  __device__ static constexpr uint8_t Min() { return 0; }
  __device__ static constexpr uint8_t Max() { return 255; }
};

template <typename From, typename To>
__device__ To Convert(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    using R = IntRange<To>;
    if (!(x == x)) return To(0);
    if (x >= R::HiExclusive()) return R::Max();
    if (x <= R::Lo()) return R::Min();
    return static_cast<To>(x);
  } else if constexpr (std::is_integral_v<From> && std::is_integral_v<To> &&
                       !std::is_same_v<From, bool>) {
    // Modulo 2^bits, through the unsigned type (defined for every value).
    return static_cast<To>(static_cast<std::make_unsigned_t<To>>(x));
  } else {
    return static_cast<To>(x);
  }
}

template <typename From, typename To>
__global__ void CastKernel(const From* in, To* out, int64_t n) {
  for (int64_t i = gpu::GlobalThread(); i < n; i += gpu::GridThreads()) {
    out[i] = Convert<From, To>(in[i]);
  }
}

template <typename From, typename To>
void Run(const void* in, void* out, int64_t n, cudaStream_t stream) {
  CastKernel<From, To><<<gpu::BlocksFor(n), gpu::kThreads, 0, stream>>>(
      static_cast<const From*>(in), static_cast<To*>(out), n);
}

template <typename From>
void CastFrom(GpuCastType dst, const void* in, void* out, int64_t n, cudaStream_t stream) {
  switch (dst) {
    case GpuCastType::kFloat32: return Run<From, float>(in, out, n, stream);
    case GpuCastType::kInt32: return Run<From, int32_t>(in, out, n, stream);
    case GpuCastType::kInt64: return Run<From, int64_t>(in, out, n, stream);
    case GpuCastType::kUint8: return Run<From, uint8_t>(in, out, n, stream);
    case GpuCastType::kBool: return Run<From, bool>(in, out, n, stream);
  }
}

}  // namespace

void LaunchCast(GpuCastType src, GpuCastType dst, const void* in, void* out, int64_t n,
                cudaStream_t stream) {
  if (n <= 0) return;
  switch (src) {
    case GpuCastType::kFloat32: return CastFrom<float>(dst, in, out, n, stream);
    case GpuCastType::kInt32: return CastFrom<int32_t>(dst, in, out, n, stream);
    case GpuCastType::kInt64: return CastFrom<int64_t>(dst, in, out, n, stream);
    case GpuCastType::kUint8: return CastFrom<uint8_t>(dst, in, out, n, stream);
    case GpuCastType::kBool: return CastFrom<bool>(dst, in, out, n, stream);
  }
}

}  // namespace graphrt
