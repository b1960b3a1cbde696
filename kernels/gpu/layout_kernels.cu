// The layout ops' CUDA kernels (see layout_kernels.h): grid-stride loops, one
// thread per output element, coordinates found by division.
#include "kernels/gpu/layout_kernels.h"

#include <type_traits>

#include "kernels/gpu/launch_util.cuh"

namespace graphrt {
namespace {

using gpu::BlocksFor;
using gpu::GlobalThread;
using gpu::GridThreads;
using gpu::kThreads;

template <typename T>
__global__ void BoxCopyKernel(const T* in, T* out, int64_t n, BoxIndex index, const T* fill) {
  const T value = fill == nullptr ? T(0) : *fill;
  for (int64_t i = GlobalThread(); i < n; i += GridThreads()) {
    int64_t rem = i, src = 0, stride = 1;
    bool inside = true;
#pragma unroll
    for (int d = kMaxLayoutRank - 1; d >= 0; --d) {
      if (d < index.rank) {
        const int64_t c = rem % index.out_dims[d] - index.offset[d];
        rem /= index.out_dims[d];
        inside = inside && c >= 0 && c < index.in_dims[d];
        src += c * stride;
        stride *= index.in_dims[d];
      }
    }
    out[i] = inside ? in[src] : value;
  }
}

// Element i of the piece is element j of the joined tensor; to_joined copies
// src[i] to dst[j], else src[j] to dst[i].
template <typename T>
__global__ void CopyColumnsKernel(const T* src, T* dst, int64_t outer, int64_t width,
                                  int64_t total, int64_t start, bool to_joined) {
  const int64_t n = outer * width;
  for (int64_t i = GlobalThread(); i < n; i += GridThreads()) {
    const int64_t j = (i / width) * total + start + i % width;
    if (to_joined) {
      dst[j] = src[i];
    } else {
      dst[i] = src[j];
    }
  }
}

template <typename T>
__global__ void TransposeKernel(const T* in, T* out, int64_t n, TransposeIndex index) {
  for (int64_t i = GlobalThread(); i < n; i += GridThreads()) {
    int64_t rem = i, src = 0;
#pragma unroll
    for (int d = kMaxLayoutRank - 1; d >= 0; --d) {
      if (d < index.rank) {
        src += (rem % index.out_dims[d]) * index.in_strides[d];
        rem /= index.out_dims[d];
      }
    }
    out[i] = in[src];
  }
}

// Calls fn with a null pointer of the unsigned type of `bytes` (1, 4, 8).
template <typename Fn>
bool BySize(int bytes, Fn fn) {
  switch (bytes) {
    case 1: fn(static_cast<uint8_t*>(nullptr)); return true;
    case 4: fn(static_cast<uint32_t*>(nullptr)); return true;
    case 8: fn(static_cast<uint64_t*>(nullptr)); return true;
    default: return false;
  }
}

}  // namespace

bool LaunchBoxCopy(int element_bytes, const void* in, void* out, int64_t n, const BoxIndex& index,
                   const void* fill, cudaStream_t stream) {
  return BySize(element_bytes, [&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    if (n <= 0) return;
    BoxCopyKernel<<<BlocksFor(n), kThreads, 0, stream>>>(
        static_cast<const T*>(in), static_cast<T*>(out), n, index, static_cast<const T*>(fill));
  });
}

bool LaunchCopyColumns(int element_bytes, void* piece, void* joined, int64_t outer,
                       int64_t width, int64_t total, int64_t start, bool to_joined,
                       cudaStream_t stream) {
  return BySize(element_bytes, [&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    if (outer <= 0 || width <= 0) return;
    const T* src = static_cast<const T*>(to_joined ? piece : joined);
    T* dst = static_cast<T*>(to_joined ? joined : piece);
    CopyColumnsKernel<<<BlocksFor(outer * width), kThreads, 0, stream>>>(src, dst, outer, width,
                                                                         total, start, to_joined);
  });
}

bool LaunchTranspose(int element_bytes, const void* in, void* out, int64_t n,
                     const TransposeIndex& index, cudaStream_t stream) {
  return BySize(element_bytes, [&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    if (n <= 0) return;
    TransposeKernel<<<BlocksFor(n), kThreads, 0, stream>>>(static_cast<const T*>(in),
                                                           static_cast<T*>(out), n, index);
  });
}

}  // namespace graphrt
