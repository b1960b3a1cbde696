// The data movement of a convolution as a GEMM (Note [Conv as im2col on our
// GEMM] in conv_ops.cc): im2col lays each output pixel's receptive field out
// as a row of cols [rows, K = FH*FW*C] (or, for C = 1, as a column of
// cols_t [K, rows]); col2im scatters such rows back, adding. Output pixel m
// is (image, oh, ow) in row-major order over [batch, out_h, out_w]; cells
// that fall in the padding are zeros (and are skipped by col2im).
// Thread-safety: pure functions; concurrent calls writing disjoint outputs
// are safe (Col2ImAdd writes the input pixels of its rows' fields, so
// callers split it by whole images).
#ifndef GRAPHRT_KERNELS_CPU_IM2COL_H_
#define GRAPHRT_KERNELS_CPU_IM2COL_H_

#include <cstdint>

#include "kernels/common/conv_shape.h"

namespace graphrt {

// K = FH * FW * C.
inline int64_t PatchSize(const ConvGeometry& g) { return g.filter_h * g.filter_w * g.in_c; }

// A 1x1 filter, stride 1, no padding: the input rows already are the cols.
bool IsPointwise(const ConvGeometry& g);

// cols[m - m0, :] = the receptive field of output pixel m, m in [m0, m1).
void Im2Col(const float* in, const ConvGeometry& g, int64_t m0, int64_t m1, float* cols);

// For C = 1 only: cols_t[p, m - m0] = cols[m - m0, p], the same values
// transposed ([K, m1 - m0]), built a run of output pixels at a time (see
// Note [Transposed im2col for one channel] in im2col.cc).
void Im2ColTransposed(const float* in, const ConvGeometry& g, int64_t m0, int64_t m1,
                      float* cols_t);

// dx[receptive field of m] += dcols[m - m0, :], m in [m0, m1).
void Col2ImAdd(const float* dcols, const ConvGeometry& g, int64_t m0, int64_t m1, float* dx);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_IM2COL_H_
