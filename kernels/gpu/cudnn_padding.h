// How the cuDNN kernels split TF's padding of one spatial dimension into
// cuDNN's symmetric padding and explicit rows/columns (Note [Asymmetric
// padding and filter layout for cuDNN] in cudnn_conv.h; the pools the same
// way). Plain arithmetic, no cuDNN type: tested without a GPU.
// Thread-safety: pure functions.
#ifndef GRAPHRT_KERNELS_GPU_CUDNN_PADDING_H_
#define GRAPHRT_KERNELS_GPU_CUDNN_PADDING_H_

#include <algorithm>
#include <cstdint>

namespace graphrt {

struct PaddingSplit {
  int64_t symmetric = 0;     // cuDNN pads this much on both sides
  int64_t extra_before = 0;  // made real before the input
  int64_t extra_after = 0;   // made real after it
};

// One dimension of `in` cells giving `out` windows of `window` cells
// (dilated extent) every `stride`, the first starting `pad_before` cells
// before the input. Only the padding after that the last window reaches
// counts (VALID's unread rows and unused EXPLICIT padding are dropped), so
// cuDNN's output size (in + extras + 2 * symmetric - window) / stride + 1 is
// `out`.
inline PaddingSplit SplitPadding(int64_t in, int64_t out, int64_t window, int64_t stride,
                                 int64_t pad_before) {
  if (out <= 0) return {};
  const int64_t after = std::max<int64_t>(0, (out - 1) * stride + window - in - pad_before);
  const int64_t symmetric = std::min(pad_before, after);
  return {symmetric, pad_before - symmetric, after - symmetric};
}

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_CUDNN_PADDING_H_
