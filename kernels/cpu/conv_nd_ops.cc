// ConvNd on the CPU (core/graph/ops/conv_nd_ops.h): ONNX's Conv, channels
// first, 1 to 3 (or more) spatial axes, groups, float32.
//
// Note [ConvNd as im2col + GEMM]
// Rationale: one code path for every rank, group count and window, at the
// speed of the CPU GEMM (gemm.h: AVX-512 or AVX2 chosen at run time) for the
// common shapes (ResNet's 3x3 and 1x1 convs).
// Approach: the output positions of each (image, group) are cut into tiles
// of whole output lines (the last spatial axis), sized so that the tile's
// patch matrix col [C/group * K, T] (K window positions, T output positions;
// zeros where the window reads padding) stays within kColBudgetFloats, i.e.
// in L2 while the GEMM reads it. Every (image, group, tile) is one task on
// the intra-op pool, so a single image still uses every thread. The task
// gathers col, and one CpuGemm gives y_tile [M/group, T] = w_group
// [M/group, C/group * K] x col, then the tile's rows are copied into y with
// the bias added. A tile covering the whole image writes y directly. A 1x1
// window with unit strides and no padding needs no col at all (the input
// plane already is [C/group, O]): its tasks are column blocks of one GEMM.
// 2-D 3x3 stride-1 convs with >= 8 channels each way and one group take
// Winograd's F(2x2, 3x3) instead (Note [Winograd in NCHW] in
// winograd_nchw.cc): 2.25x fewer products.
// Limitations: depthwise convs (group == C) make M/group == 1 products, where
// a direct loop would be faster; the im2col copy is memory traffic a direct
// (NCHWc) convolution would not make. kernels/cpu/conv_ops.cc stays the
// NHWC path of graphs built with the TF-shaped API.
#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "core/graph/ops/conv_nd_window.h"
#include "kernels/cpu/conv_nd_common.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/thread_scratch.h"
#include "kernels/cpu/register.h"
#include "kernels/cpu/winograd.h"

namespace graphrt {
namespace {

// A tile's col holds at most this many floats (512 KiB), unless one output
// line alone needs more.
constexpr int64_t kColBudgetFloats = int64_t{128} << 10;
// Columns per task of a pointwise conv (a multiple of kGemmPanel).
constexpr int64_t kPointwiseColumns = 512;
constexpr int64_t kCostFlopsPerNs = 50;

// col[(c * K + kpos) * T + t] = x[c, window position kpos of output position
// line0 * out_last + t], 0 in the padding, for the output lines [line0,
// line1) (T = (line1 - line0) * out_last). x is [channels, in...].
void Im2ColLines(const float* x, int64_t channels, const NdWindow& w, int64_t line0,
                 int64_t line1, float* col) {
  const int r = w.rank();
  const int64_t K = w.kernel_elements(), I = w.in_elements();
  const int64_t out_last = w.out[r - 1], T = (line1 - line0) * out_last;
  const std::vector<int64_t> in_stride = conv_nd::Strides(w.in);
  const std::vector<int64_t> k_stride = conv_nd::Strides(w.kernel);
  std::vector<int64_t> base(r), first(r, 0), oidx(r);
  for (int64_t i = r - 2, rest = line0; i >= 0; --i) {
    first[i] = rest % w.out[i];
    rest /= w.out[i];
  }
  const int64_t s = w.strides[r - 1], n = w.in[r - 1];
  for (int64_t kpos = 0; kpos < K; ++kpos) {
    conv_nd::TapOrigin(w, k_stride, kpos, base);
    // Along the line, output o reads input o * s + b: inside for o in [lo, hi).
    const int64_t b = base[r - 1];
    const int64_t hi = n - 1 - b < 0 ? 0 : std::min(out_last, (n - 1 - b) / s + 1);
    const int64_t lo = std::min(hi, b >= 0 ? int64_t{0} : (-b + s - 1) / s);
    for (int64_t c = 0; c < channels; ++c) {
      const float* src = x + c * I;
      float* dst = col + (c * K + kpos) * T;
      oidx = first;
      for (int64_t line = line0; line < line1; ++line) {
        // The output coords but the last select an input line (or padding).
        int64_t off;
        if (!conv_nd::LineStart(w, oidx, base, w.in, in_stride, off)) {
          std::fill(dst, dst + out_last, 0.0f);
        } else {
          std::fill(dst, dst + lo, 0.0f);
          const float* line_src = src + off + lo * s + b;
          if (s == 1) {
            std::memcpy(dst + lo, line_src, (hi - lo) * sizeof(float));
          } else {
            for (int64_t o = lo; o < hi; ++o) dst[o] = line_src[(o - lo) * s];
          }
          std::fill(dst + hi, dst + out_last, 0.0f);
        }
        dst += out_last;
        conv_nd::NextLine(oidx, w.out);
      }
    }
  }
}

// y[j, :] = tile[j, :] + bias[j] (bias may be null), for `rows` rows of
// `cols` values; y's rows are `y_stride` apart.
void StoreTile(const float* tile, const float* bias, int64_t rows, int64_t cols, float* y,
               int64_t y_stride) {
  for (int64_t j = 0; j < rows; ++j) {
    const float* src = tile + j * cols;
    float* dst = y + j * y_stride;
    const float add = bias != nullptr ? bias[j] : 0.0f;
    for (int64_t t = 0; t < cols; ++t) dst[t] = src[t] + add;
  }
}

void AddBias(const float* bias, int64_t rows, int64_t j0, int64_t j1, float* y,
             int64_t y_stride) {
  if (bias == nullptr) return;
  for (int64_t j = 0; j < rows; ++j) {
    float* dst = y + j * y_stride;
    for (int64_t t = j0; t < j1; ++t) dst[t] += bias[j];
  }
}

bool IsPointwise(const NdWindow& w) {
  if (w.kernel_elements() != 1) return false;
  for (int i = 0; i < w.rank(); ++i) {
    if (w.strides[i] != 1 || w.pad_begin[i] != 0 || w.pad_end[i] != 0) return false;
  }
  return true;
}

// The NHWC-style geometry of a 2-D convolution that Winograd's F(2x2, 3x3)
// takes (winograd.h: 3x3, unit strides and dilations, >= 8 channels each
// way, one group), or nullopt.
std::optional<ConvGeometry> WinogradGeometry(const NdWindow& w, int64_t batch, int64_t channels,
                                             int64_t m, int64_t group) {
  if (w.rank() != 2 || group != 1) return std::nullopt;
  ConvGeometry g{.batch = batch, .in_h = w.in[0], .in_w = w.in[1], .in_c = channels,
                 .filter_h = w.kernel[0], .filter_w = w.kernel[1], .filter_out = m,
                 .out_h = w.out[0], .out_w = w.out[1], .out_c = m,
                 .stride_h = w.strides[0], .stride_w = w.strides[1],
                 .dilation_h = w.dilations[0], .dilation_w = w.dilations[1],
                 .pad_top = w.pad_begin[0], .pad_left = w.pad_begin[1]};
  if (!WinogradApplies(g)) return std::nullopt;
  return g;
}

class ConvNdOp final : public OpKernel {
 public:
  explicit ConvNdOp(const OpKernelConstruction& c) : OpKernel(c) {}
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(attrs_, conv_nd::ReadAttrs(c));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override;

 private:
  conv_nd::Attrs attrs_;
};

absl::Status ConvNdOp::Compute(OpKernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const Tensor& b = ctx.input(2);
  if (x.rank() < 3 || w.rank() != x.rank()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input ", x.shape().DebugString(), " must be [N, C, D...] and weights ",
        w.shape().DebugString(), " [M, C/group, K...] of the same rank"));
  }
  const int64_t batch = x.dim(0), channels = x.dim(1), m = w.dim(0), g = attrs_.group;
  if (g < 1 || channels % g != 0 || m % g != 0 || w.dim(1) * g != channels) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input ", x.shape().DebugString(), " and weights ", w.shape().DebugString(),
        " do not fit group ", g, ": need C == weights dim 1 * group and M divisible by group"));
  }
  RETURN_IF_ERROR(conv_nd::CheckBias(b, m));
  ASSIGN_OR_RETURN(NdWindow win, ComputeNdWindow(conv_nd::SpatialDims(x), conv_nd::SpatialDims(w),
                                                 attrs_.window));
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, conv_nd::OutputShape(batch, m, win)));
  const int64_t cg = channels / g, mg = m / g, K = win.kernel_elements();
  const int64_t O = win.out_elements(), I = win.in_elements(), rows = cg * K;
  if (out->num_elements() == 0) return absl::OkStatus();
  const float* px = x.data<float>();
  const float* pw = w.data<float>();
  const float* pb = b.num_elements() ? b.data<float>() : nullptr;
  float* py = out->data<float>();
  auto cost = [&](int64_t cols) {
    return std::max<int64_t>(1, 2 * mg * rows * cols / kCostFlopsPerNs + rows * cols);
  };

  if (const std::optional<ConvGeometry> geom = WinogradGeometry(win, batch, channels, m, g)) {
    WinogradConvNchw(ctx, px, pw, *geom, py, pb, /*relu=*/false);
    return absl::OkStatus();
  }
  if (IsPointwise(win)) {
    const int64_t blocks = (O + kPointwiseColumns - 1) / kPointwiseColumns;
    ctx.ParallelFor(batch * g * blocks, cost(std::min(O, kPointwiseColumns)),
                    [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        const int64_t image_group = t / blocks, n = image_group / g, gi = image_group % g;
        const int64_t j0 = t % blocks * kPointwiseColumns;
        const int64_t j1 = std::min(O, j0 + kPointwiseColumns);
        float* y = py + (n * m + gi * mg) * O;
        CpuGemm({.a = pw + gi * mg * rows, .b = px + (n * channels + gi * cg) * I, .c = y,
                 .m = mg, .k = rows, .n = O},
                0, mg, j0, j1);
        AddBias(pb == nullptr ? nullptr : pb + gi * mg, mg, j0, j1, y, O);
      }
    });
    return absl::OkStatus();
  }

  const int64_t out_last = win.out[win.rank() - 1], lines = O / out_last;
  const int64_t tile_lines =
      std::clamp<int64_t>(kColBudgetFloats / std::max<int64_t>(1, rows * out_last), 1, lines);
  const int64_t tiles = (lines + tile_lines - 1) / tile_lines;
  ctx.ParallelFor(batch * g * tiles, cost(tile_lines * out_last), [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t image_group = t / tiles, n = image_group / g, gi = image_group % g;
      const int64_t line0 = t % tiles * tile_lines, line1 = std::min(lines, line0 + tile_lines);
      const int64_t cols = (line1 - line0) * out_last;
      float* col = ThreadScratch(0, rows * cols);
      Im2ColLines(px + (n * channels + gi * cg) * I, cg, win, line0, line1, col);
      float* y = py + (n * m + gi * mg) * O + line0 * out_last;
      const float* bias = pb == nullptr ? nullptr : pb + gi * mg;
      // A tile as wide as the image is y's own layout: no copy.
      float* dst = cols == O ? y : ThreadScratch(1, mg * cols);
      CpuGemm({.a = pw + gi * mg * rows, .b = col, .c = dst, .m = mg, .k = rows, .n = cols});
      if (dst == y) {
        AddBias(bias, mg, 0, cols, y, O);
      } else {
        StoreTile(dst, bias, mg, cols, y, O);
      }
    }
  });
  return absl::OkStatus();
}

}  // namespace

void RegisterConvNdKernels(KernelRegistry& r) {
  r.Register<ConvNdOp>("ConvNd", kDeviceCpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
