#include "kernels/cpu/im2col.h"

#include <algorithm>
#include <cstring>

namespace graphrt {
namespace {

// Calls fn(input pixel offset or -1 for padding) for each cell of output
// pixel m's receptive field, in (kh, kw) order.
template <typename Fn>
inline void ForEachCell(const ConvGeometry& g, int64_t m, Fn&& fn) {
  const int64_t per_image = g.out_h * g.out_w;
  const int64_t n = m / per_image, r = m % per_image;
  const int64_t oh = r / g.out_w, ow = r % g.out_w;
  for (int64_t kh = 0; kh < g.filter_h; ++kh) {
    const int64_t ih = oh * g.stride_h - g.pad_top + kh * g.dilation_h;
    for (int64_t kw = 0; kw < g.filter_w; ++kw) {
      const int64_t iw = ow * g.stride_w - g.pad_left + kw * g.dilation_w;
      const bool inside = ih >= 0 && ih < g.in_h && iw >= 0 && iw < g.in_w;
      fn(inside ? ((n * g.in_h + ih) * g.in_w + iw) * g.in_c : -1);
    }
  }
}

}  // namespace

bool IsPointwise(const ConvGeometry& g) {
  return g.filter_h == 1 && g.filter_w == 1 && g.stride_h == 1 && g.stride_w == 1 &&
         g.pad_top == 0 && g.pad_left == 0 && g.out_h == g.in_h && g.out_w == g.in_w;
}

// cols[m - m0, :] = the receptive field of output pixel m, for m in [m0, m1).
// Note [Im2Col by filter rows]: with stride_w = dilation_w = 1 the FW cells
// of one filter row are FW * C contiguous input floats, so a field row that
// lies wholly inside the input is one copy, not FW: the per-cell memcpy
// calls (9 per output pixel on the CNN, 128-256 bytes each) were ~5% of
// the CNN step's CPU time (perf, 2026-12-06). Rows that touch the padding
// go cell by cell.
void Im2Col(const float* in, const ConvGeometry& g, int64_t m0, int64_t m1, float* cols) {
  const int64_t c = g.in_c, per_image = g.out_h * g.out_w, row_len = g.filter_w * c;
  const bool unit_w = g.stride_w == 1 && g.dilation_w == 1;
  for (int64_t m = m0; m < m1; ++m) {
    float* dst = cols + (m - m0) * PatchSize(g);
    const int64_t n = m / per_image, r = m % per_image;
    const int64_t oh = r / g.out_w, ow = r % g.out_w;
    const int64_t iw0 = ow * g.stride_w - g.pad_left;
    for (int64_t kh = 0; kh < g.filter_h; ++kh, dst += row_len) {
      const int64_t ih = oh * g.stride_h - g.pad_top + kh * g.dilation_h;
      if (ih < 0 || ih >= g.in_h) {
        std::fill(dst, dst + row_len, 0.0f);
        continue;
      }
      const float* src_row = in + (n * g.in_h + ih) * g.in_w * c;
      if (unit_w && iw0 >= 0 && iw0 + g.filter_w <= g.in_w) {
        std::memcpy(dst, src_row + iw0 * c, row_len * sizeof(float));
        continue;
      }
      for (int64_t kw = 0; kw < g.filter_w; ++kw) {
        const int64_t iw = iw0 + kw * g.dilation_w;
        float* d = dst + kw * c;
        if (iw < 0 || iw >= g.in_w) {
          std::fill(d, d + c, 0.0f);
        } else {
          std::memcpy(d, src_row + iw * c, c * sizeof(float));
        }
      }
    }
  }
}

// The inverse scatter: dx[receptive field of m] += dcols[m - m0, :].
void Col2ImAdd(const float* dcols, const ConvGeometry& g, int64_t m0, int64_t m1, float* dx) {
  const int64_t c = g.in_c;
  for (int64_t m = m0; m < m1; ++m) {
    const float* src = dcols + (m - m0) * PatchSize(g);
    ForEachCell(g, m, [&](int64_t at) {
      if (at >= 0) {
        float* d = dx + at;
        for (int64_t i = 0; i < c; ++i) d[i] += src[i];
      }
      src += c;
    });
  }
}


// Note [Transposed im2col for one channel]
// Rationale: with C = 1 (a network's first layer on grey images) a row of
// cols is K = FH*FW single floats, each from another input row: Im2Col's
// per-cell work (index arithmetic, a one-float copy) was 56% of the
// 28x28x1 -> 32 forward pass, more than the GEMM (perf, 2026-12-06).
// Approach: transposed, cell p = (kh, kw) of consecutive output pixels of one
// output row are consecutive input pixels (stride 1) or evenly spaced ones,
// so cols_t[p, run] is one copy per (output row run, cell): the valid middle
// copied, the padding at either end zeroed. The GEMM reads cols_t as A^T
// (forward) or as A (filter gradient), both layouts it takes.
// Limitations: only C = 1; with more channels a cell's values are C floats
// apart in the input, and Im2Col's per-cell memcpy of C floats is already a
// copy of contiguous memory.
void Im2ColTransposed(const float* in, const ConvGeometry& g, int64_t m0, int64_t m1,
                      float* cols_t) {
  const int64_t rows = m1 - m0, per_image = g.out_h * g.out_w;
  for (int64_t m = m0; m < m1;) {
    const int64_t n = m / per_image, r = m % per_image;
    const int64_t oh = r / g.out_w, ow0 = r % g.out_w;
    const int64_t len = std::min(g.out_w - ow0, m1 - m);  // the run: this output row's pixels
    for (int64_t kh = 0; kh < g.filter_h; ++kh) {
      const int64_t ih = oh * g.stride_h - g.pad_top + kh * g.dilation_h;
      const bool row_inside = ih >= 0 && ih < g.in_h;
      const float* src = row_inside ? in + (n * g.in_h + ih) * g.in_w : nullptr;
      for (int64_t kw = 0; kw < g.filter_w; ++kw) {
        float* dst = cols_t + (kh * g.filter_w + kw) * rows + (m - m0);
        if (!row_inside) {
          std::fill(dst, dst + len, 0.0f);
          continue;
        }
        // Pixel i of the run reads input column iw = first + i * stride_w.
        const int64_t first = ow0 * g.stride_w - g.pad_left + kw * g.dilation_w;
        if (g.stride_w == 1) {
          const int64_t lo = std::clamp<int64_t>(-first, 0, len);
          const int64_t hi = std::clamp<int64_t>(g.in_w - first, lo, len);
          std::fill(dst, dst + lo, 0.0f);
          if (hi > lo) std::memcpy(dst + lo, src + first + lo, (hi - lo) * sizeof(float));
          std::fill(dst + hi, dst + len, 0.0f);
        } else {
          for (int64_t i = 0; i < len; ++i) {
            const int64_t iw = first + i * g.stride_w;
            dst[i] = iw >= 0 && iw < g.in_w ? src[iw] : 0.0f;
          }
        }
      }
    }
    m += len;
  }
}

}  // namespace graphrt
