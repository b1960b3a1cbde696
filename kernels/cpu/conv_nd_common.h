// What the CPU ConvNd and ConvTransposeNd kernels share (conv_nd_ops.cc,
// conv_transpose_nd_op.cc): their attributes, the bias check, the output
// dims, and the walk over a window's taps that im2col and col2im both make.
//
// The walk: for one tap (kernel position) the window reads, from every
// position p of the stepped grid, the position p * stride + origin of the
// windowed grid, per axis. Im2Col steps over the output and reads the input;
// Col2Im steps over the input and writes the output. Both go a line (the
// last axis) at a time: LineStart places the line, NextLine advances.
//
// Internal to kernels/cpu; header-only and inline, as the walk sits in the
// kernels' inner loops. Thread-safety: pure functions.
#ifndef GRAPHRT_KERNELS_CPU_CONV_ND_COMMON_H_
#define GRAPHRT_KERNELS_CPU_CONV_ND_COMMON_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "core/graph/ops/conv_nd_window.h"

namespace graphrt::conv_nd {

// The attributes both ops carry (core/graph/ops/conv_nd_ops.h).
struct Attrs {
  NdWindowAttrs window;
  int64_t group = 1;
};

inline absl::StatusOr<Attrs> ReadAttrs(const OpKernelConstruction& c) {
  Attrs a;
  ASSIGN_OR_RETURN(a.window, ReadNdWindowAttrs(c.node().attrs()));
  ASSIGN_OR_RETURN(a.group, c.attr<int64_t>("group"));
  return a;
}

// An empty bias means none; otherwise it must be [m].
inline absl::Status CheckBias(const Tensor& b, int64_t m) {
  if (b.num_elements() != 0 && (b.rank() != 1 || b.dim(0) != m)) {
    return absl::InvalidArgumentError(absl::StrCat("bias ", b.shape().DebugString(),
                                                   " must be [", m, "] (or [0] for none)"));
  }
  return absl::OkStatus();
}

// The spatial dims of a channels-first tensor: all but the first two.
inline std::vector<int64_t> SpatialDims(const Tensor& t) {
  return std::vector<int64_t>(t.shape().dims().begin() + 2, t.shape().dims().end());
}

// [batch, channels, win.out...].
inline TensorShape OutputShape(int64_t batch, int64_t channels, const NdWindow& win) {
  std::vector<int64_t> dims{batch, channels};
  dims.insert(dims.end(), win.out.begin(), win.out.end());
  return TensorShape(dims);
}

// Row-major strides of `dims`.
inline std::vector<int64_t> Strides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

// origin[i] = where tap `kpos` (row-major over w.kernel, whose strides are
// `k_stride`) reads on axis i from stepped position 0: its dilated offset
// less the leading padding.
inline void TapOrigin(const NdWindow& w, const std::vector<int64_t>& k_stride, int64_t kpos,
                      std::vector<int64_t>& origin) {
  for (int i = 0; i < w.rank(); ++i) {
    origin[i] = (kpos / k_stride[i]) % w.kernel[i] * w.dilations[i] - w.pad_begin[i];
  }
}

// For the line at stepped position `idx` (all axes but the last), sets `off`
// to the offset of the windowed grid's line it reaches (`dims`, row-major
// strides `dim_stride`), and returns whether that line lies inside it.
inline bool LineStart(const NdWindow& w, const std::vector<int64_t>& idx,
                      const std::vector<int64_t>& origin, const std::vector<int64_t>& dims,
                      const std::vector<int64_t>& dim_stride, int64_t& off) {
  off = 0;
  bool inside = true;
  for (int i = 0; i < w.rank() - 1; ++i) {
    const int64_t coord = idx[i] * w.strides[i] + origin[i];
    inside = inside && coord >= 0 && coord < dims[i];
    off += coord * dim_stride[i];
  }
  return inside;
}

// Advances `idx` to the next line of a grid of `dims` (an odometer over all
// axes but the last).
inline void NextLine(std::vector<int64_t>& idx, const std::vector<int64_t>& dims) {
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) {
    if (++idx[i] < dims[i]) return;
    idx[i] = 0;
  }
}

}  // namespace graphrt::conv_nd

#endif  // GRAPHRT_KERNELS_CPU_CONV_ND_COMMON_H_
