// CUDA kernels of the layout ops (Pad, PadV2, SliceLike, ConcatV2, SplitLike,
// Transpose), called by layout_ops.cc with the plans of
// kernels/common/layout_shape.h flattened into the structs below.
//
// Every Launch* enqueues on `stream` and returns at once; it launches nothing
// when there is nothing to move, and returns false (launching nothing) for an
// element size other than 1, 4 or 8 bytes (elements move as raw bits). The
// caller makes the stream's device current and checks the launch. Pointers
// are device pointers; outputs must not overlap inputs.
//
// Includes no graphrt header: nvcc compiles the .cu side as C++17.
#ifndef GRAPHRT_KERNELS_GPU_LAYOUT_KERNELS_H_
#define GRAPHRT_KERNELS_GPU_LAYOUT_KERNELS_H_

#include <cstdint>

#include <cuda_runtime_api.h>

namespace graphrt {

constexpr int kMaxLayoutRank = 8;

// A box copy (BoxPlan): output element o reads input element o - offset
// where that is inside in_dims, else the fill value.
struct BoxIndex {
  int rank = 0;
  int64_t in_dims[kMaxLayoutRank] = {};
  int64_t out_dims[kMaxLayoutRank] = {};
  int64_t offset[kMaxLayoutRank] = {};
};

// n output elements; `fill` is a device pointer to one element, or null for
// zero bits.
bool LaunchBoxCopy(int element_bytes, const void* in, void* out, int64_t n, const BoxIndex& index,
                   const void* fill, cudaStream_t stream);

// One piece of a ConcatV2 / SplitLike: the piece is [outer, width], the
// joined tensor [outer, total]; the piece owns columns [start, start + width).
// to_joined: piece -> joined (ConcatV2), else joined -> piece (SplitLike):
// then `piece` is written (and `joined` only read).
bool LaunchCopyColumns(int element_bytes, void* piece, void* joined, int64_t outer,
                       int64_t width, int64_t total, int64_t start, bool to_joined,
                       cudaStream_t stream);

// Transpose: output dim i has size out_dims[i] and steps in_strides[i]
// elements in the input (the collapsed plan).
struct TransposeIndex {
  int rank = 0;
  int64_t out_dims[kMaxLayoutRank] = {};
  int64_t in_strides[kMaxLayoutRank] = {};
};

bool LaunchTranspose(int element_bytes, const void* in, void* out, int64_t n,
                     const TransposeIndex& index, cudaStream_t stream);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_LAYOUT_KERNELS_H_
