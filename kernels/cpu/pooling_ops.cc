#include "kernels/cpu/pooling_ops.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

// The window of output pixel (oh, ow), clipped to the input: rows [h0, h1),
// columns [w0, w1).
struct Span2D {
  int64_t h0, h1, w0, w1;
  int64_t count() const { return (h1 - h0) * (w1 - w0); }
};
inline Span2D WindowOf(const PoolGeometry& g, int64_t oh, int64_t ow) {
  const int64_t h = oh * g.stride_h - g.pad_top, w = ow * g.stride_w - g.pad_left;
  return {std::max<int64_t>(h, 0), std::min(h + g.window_h, g.in_h), std::max<int64_t>(w, 0),
          std::min(w + g.window_w, g.in_w)};
}

int64_t WindowCostNs(const PoolGeometry& g) {
  return std::max<int64_t>(1, g.window_h * g.window_w * g.channels / 8);
}

// Note [MaxPoolGrad by selects]: per window and block of 16 channels, each
// channel's maximum is found as a cell number in the clipped window (int32
// beside the float maximum, as GCC/Clang vector types that stay in
// registers: 16 lanes of selects, one zmm or two ymm), then each cell gets
// dy where it is the channel's maximum and 0 elsewhere; channels past the
// last whole block go one at a time. The old per-channel branch on random
// data mispredicted about half the time (8.9 ms on the CNN's first pool,
// bench/RESULTS.md); the next version kept the maxima in memory and the
// compiler stored them through masks, which the next cell's loads could not
// forward from (11% of the CNN step's CPU time in perf, 2026-12-06), and
// plain fixed-size arrays came out as scalar branches. Adding 0 to the
// other cells keeps the sums and their order what they were.
constexpr int kPoolLanes = 16;
typedef float PoolF16 __attribute__((vector_size(64)));
typedef int32_t PoolI16 __attribute__((vector_size(64)));

inline void MaxWindowGrad16(const float* in, const float* d, const PoolGeometry& g, int64_t n,
                            const Span2D& s, int64_t i0, bool disjoint, float* dx) {
  const int64_t c = g.channels;
  PoolF16 best = PoolF16{} - std::numeric_limits<float>::infinity();
  PoolI16 arg = PoolI16{} - 1;
  int32_t cell = 0;
  for (int64_t h = s.h0; h < s.h1; ++h) {
    for (int64_t w = s.w0; w < s.w1; ++w, ++cell) {
      PoolF16 v;
      std::memcpy(&v, in + ((n * g.in_h + h) * g.in_w + w) * c + i0, sizeof v);
      // Strictly greater: the first maximum wins; NaN never does.
      const PoolI16 take = (v > best) | ((arg < 0) & (v == v));
      best = take ? v : best;
      arg = take ? PoolI16{} + cell : arg;
    }
  }
  PoolF16 dv;
  std::memcpy(&dv, d + i0, sizeof dv);
  cell = 0;
  for (int64_t h = s.h0; h < s.h1; ++h) {
    for (int64_t w = s.w0; w < s.w1; ++w, ++cell) {
      float* x = dx + ((n * g.in_h + h) * g.in_w + w) * c + i0;
      PoolF16 out = arg == cell ? dv : PoolF16{};
      if (!disjoint) {
        PoolF16 old;
        std::memcpy(&old, x, sizeof old);
        out = old + out;
      }
      std::memcpy(x, &out, sizeof out);
    }
  }
}

// One channel at a time (those past the last block of 16): the same rule.
inline void MaxWindowGrad1(const float* in, const float* d, const PoolGeometry& g, int64_t n,
                           const Span2D& s, int64_t i, bool disjoint, float* dx) {
  const int64_t c = g.channels;
  float best = -std::numeric_limits<float>::infinity();
  int32_t arg = -1, cell = 0;
  for (int64_t h = s.h0; h < s.h1; ++h) {
    for (int64_t w = s.w0; w < s.w1; ++w, ++cell) {
      const float v = in[((n * g.in_h + h) * g.in_w + w) * c + i];
      const bool take = v > best || (arg < 0 && v == v);
      best = take ? v : best;  // selects, not a branch on random data
      arg = take ? cell : arg;
    }
  }
  cell = 0;
  for (int64_t h = s.h0; h < s.h1; ++h) {
    for (int64_t w = s.w0; w < s.w1; ++w, ++cell) {
      float& x = dx[((n * g.in_h + h) * g.in_w + w) * c + i];
      const float add = arg == cell ? d[i] : 0.0f;
      x = disjoint ? add : x + add;
    }
  }
}

absl::Status CheckSameShape(const char* what, const TensorShape& got, const TensorShape& want) {
  if (got != want) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", got.DebugString(),
                                                   " must have the shape ", want.DebugString()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status PoolKernelBase::Init(const OpKernelConstruction& c) {
  ASSIGN_OR_RETURN(attrs_, ReadWindowAttrs(c.node().attrs(),
                                           {.ksize = true, .explicit_padding = op() == "MaxPool" ||
                                                                              op() == "MaxPoolGrad"}));
  return absl::OkStatus();
}

// The forward pools: every output pixel starts at `init` in all channels,
// folds each input pixel of its clipped window in with `fold`, then `finish`
// sees the window's element count (AvgPool divides by it).
template <typename Fold, typename Finish>
absl::Status PoolForward(OpKernelContext& ctx, const WindowAttrs& attrs, float init, Fold fold,
                         Finish finish) {
  const Tensor& input = ctx.input(0);
  ASSIGN_OR_RETURN(PoolGeometry g, MakePoolGeometry(attrs, input.shape()));
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, g.output_shape()));
  const int64_t pixels = g.batch * g.out_h * g.out_w, c = g.channels;
  if (pixels == 0 || c == 0) return absl::OkStatus();
  const float* in = input.data<float>();
  float* o = out->data<float>();
  ctx.ParallelFor(pixels, WindowCostNs(g), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / (g.out_h * g.out_w), r = p % (g.out_h * g.out_w);
      const Span2D s = WindowOf(g, r / g.out_w, r % g.out_w);
      float* dst = o + p * c;
      std::fill(dst, dst + c, init);
      for (int64_t h = s.h0; h < s.h1; ++h) {
        for (int64_t w = s.w0; w < s.w1; ++w) {
          const float* x = in + ((n * g.in_h + h) * g.in_w + w) * c;
          for (int64_t i = 0; i < c; ++i) dst[i] = fold(dst[i], x[i]);
        }
      }
      finish(dst, c, s.count());
    }
  });
  return absl::OkStatus();
}

absl::Status MaxPoolOp::Compute(OpKernelContext& ctx) {
  return PoolForward(
      ctx, attrs_, -std::numeric_limits<float>::infinity(),
      [](float acc, float x) { return x > acc ? x : acc; }, [](float*, int64_t, int64_t) {});
}

absl::Status AvgPoolOp::Compute(OpKernelContext& ctx) {
  return PoolForward(
      ctx, attrs_, 0.0f, [](float acc, float x) { return acc + x; },
      [](float* dst, int64_t c, int64_t count) {
        const float scale = 1.0f / static_cast<float>(count);
        for (int64_t i = 0; i < c; ++i) dst[i] *= scale;
      });
}

absl::Status MaxPoolGradOp::Compute(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& output = ctx.input(1);
  const Tensor& grad = ctx.input(2);
  ASSIGN_OR_RETURN(PoolGeometry g, MakePoolGeometry(attrs_, input.shape()));
  RETURN_IF_ERROR(CheckSameShape("orig_output", output.shape(), g.output_shape()));
  RETURN_IF_ERROR(CheckSameShape("grad", grad.shape(), g.output_shape()));
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, input.shape()));
  float* dx = out->data<float>();
  // Note [MaxPoolGrad of disjoint windows]: when no two windows share an
  // input cell (stride >= window: the CNN's 2x2 pools), each cell gets its
  // value written once (dy or 0) instead of added onto a zeroed dx; only
  // cells no window covers need the zero fill first: on the CNN's first
  // pool no 6.4 MB memset and no read of dx. Sums of overlapping windows
  // keep the fill and the adds, in the same order as before.
  const bool disjoint = g.stride_h >= g.window_h && g.stride_w >= g.window_w;
  const bool covers_all = g.stride_h == g.window_h && g.stride_w == g.window_w &&
                          g.pad_top <= 0 && g.pad_left <= 0 &&
                          g.out_h * g.stride_h - g.pad_top >= g.in_h &&
                          g.out_w * g.stride_w - g.pad_left >= g.in_w;
  if (!(disjoint && covers_all)) std::fill(dx, dx + out->num_elements(), 0.0f);
  const int64_t per_image = g.out_h * g.out_w, c = g.channels;
  if (per_image == 0 || c == 0 || g.batch == 0) return absl::OkStatus();
  const float* in = input.data<float>();
  const float* dy = grad.data<float>();
  // Note [MaxPoolGrad by selects]
  ctx.ParallelFor(g.batch, per_image * WindowCostNs(g), [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      for (int64_t r = 0; r < per_image; ++r) {
        const Span2D s = WindowOf(g, r / g.out_w, r % g.out_w);
        const float* d = dy + (n * per_image + r) * c;
        int64_t i0 = 0;
        for (; i0 + kPoolLanes <= c; i0 += kPoolLanes) {
          MaxWindowGrad16(in, d, g, n, s, i0, disjoint, dx);
        }
        for (; i0 < c; ++i0) MaxWindowGrad1(in, d, g, n, s, i0, disjoint, dx);
      }
    }
  });
  return absl::OkStatus();
}

absl::Status AvgPoolGradOp::Compute(OpKernelContext& ctx) {
  ASSIGN_OR_RETURN(TensorShape input_shape, SizesInputShape(ctx.input(0), "orig_input_shape"));
  const Tensor& grad = ctx.input(1);
  ASSIGN_OR_RETURN(PoolGeometry g, MakePoolGeometry(attrs_, input_shape));
  RETURN_IF_ERROR(CheckSameShape("grad", grad.shape(), g.output_shape()));
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, input_shape));
  float* dx = out->data<float>();
  std::fill(dx, dx + out->num_elements(), 0.0f);
  const int64_t per_image = g.out_h * g.out_w, c = g.channels;
  if (per_image == 0 || c == 0 || g.batch == 0) return absl::OkStatus();
  const float* dy = grad.data<float>();
  ctx.ParallelFor(g.batch, per_image * WindowCostNs(g), [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      for (int64_t r = 0; r < per_image; ++r) {
        const Span2D s = WindowOf(g, r / g.out_w, r % g.out_w);
        const float scale = 1.0f / static_cast<float>(s.count());
        const float* d = dy + (n * per_image + r) * c;
        for (int64_t h = s.h0; h < s.h1; ++h) {
          for (int64_t w = s.w0; w < s.w1; ++w) {
            float* x = dx + ((n * g.in_h + h) * g.in_w + w) * c;
            for (int64_t i = 0; i < c; ++i) x[i] += d[i] * scale;
          }
        }
      }
    }
  });
  return absl::OkStatus();
}

void RegisterPoolingKernels(KernelRegistry& r) {
  const std::vector<TypeConstraint> f32 = {{"T", {DataType::kFloat32}}};
  r.Register<MaxPoolOp>("MaxPool", kDeviceCpu, f32);
  r.Register<AvgPoolOp>("AvgPool", kDeviceCpu, f32);
  r.Register<MaxPoolGradOp>("MaxPoolGrad", kDeviceCpu, f32);
  r.Register<AvgPoolGradOp>("AvgPoolGrad", kDeviceCpu, f32);
}

}  // namespace graphrt
