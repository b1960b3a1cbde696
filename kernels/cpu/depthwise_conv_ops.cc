#include "kernels/cpu/depthwise_conv_ops.h"

#include <algorithm>
#include <vector>

#include "core/base/status_macros.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

constexpr int64_t kMaxChunks = 16;

// Calls fn(input pixel offset, filter cell index) for each cell of output
// pixel (n, oh, ow)'s window that lies inside the input.
template <typename Fn>
inline void ForEachInsideCell(const ConvGeometry& g, int64_t n, int64_t oh, int64_t ow,
                              Fn&& fn) {
  for (int64_t kh = 0; kh < g.filter_h; ++kh) {
    const int64_t ih = oh * g.stride_h - g.pad_top + kh * g.dilation_h;
    if (ih < 0 || ih >= g.in_h) continue;
    for (int64_t kw = 0; kw < g.filter_w; ++kw) {
      const int64_t iw = ow * g.stride_w - g.pad_left + kw * g.dilation_w;
      if (iw < 0 || iw >= g.in_w) continue;
      fn(((n * g.in_h + ih) * g.in_w + iw) * g.in_c, kh * g.filter_w + kw);
    }
  }
}

// out[j] += x[j / m] * f[j] for j in [0, c * m).
inline void MultiplyAdd(const float* x, const float* f, float* out, int64_t c, int64_t m) {
  if (m == 1) {
    for (int64_t j = 0; j < c; ++j) out[j] += x[j] * f[j];
  } else {
    for (int64_t i = 0; i < c; ++i) {
      for (int64_t k = 0; k < m; ++k) out[i * m + k] += x[i] * f[i * m + k];
    }
  }
}

int64_t PixelCostNs(const ConvGeometry& g) {
  return std::max<int64_t>(1, g.filter_h * g.filter_w * g.out_c / 8);
}

}  // namespace

absl::Status DepthwiseKernelBase::Init(const OpKernelConstruction& c) {
  ASSIGN_OR_RETURN(attrs_, ReadWindowAttrs(c.node().attrs(), {.dilations = true}));
  return absl::OkStatus();
}

absl::Status DepthwiseConv2dNativeOp::Compute(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& filter = ctx.input(1);
  ASSIGN_OR_RETURN(ConvGeometry g, MakeConvGeometry(attrs_, input.shape(), filter.shape(), true));
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, g.output_shape()));
  const int64_t pixels = g.batch * g.out_h * g.out_w;
  float* o = out->data<float>();
  std::fill(o, o + out->num_elements(), 0.0f);
  if (pixels == 0 || g.out_c == 0) return absl::OkStatus();
  const float* in = input.data<float>();
  const float* f = filter.data<float>();
  ctx.ParallelFor(pixels, PixelCostNs(g), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / (g.out_h * g.out_w), r = p % (g.out_h * g.out_w);
      float* dst = o + p * g.out_c;
      ForEachInsideCell(g, n, r / g.out_w, r % g.out_w, [&](int64_t at, int64_t cell) {
        MultiplyAdd(in + at, f + cell * g.out_c, dst, g.in_c, g.filter_out);
      });
    }
  });
  return absl::OkStatus();
}

absl::Status DepthwiseConv2dNativeBackpropInputOp::Compute(OpKernelContext& ctx) {
  ASSIGN_OR_RETURN(TensorShape input_shape, SizesInputShape(ctx.input(0), "input_sizes"));
  const Tensor& filter = ctx.input(1);
  const Tensor& dy = ctx.input(2);
  ASSIGN_OR_RETURN(ConvGeometry g, MakeConvGeometry(attrs_, input_shape, filter.shape(), true));
  RETURN_IF_ERROR(CheckOutBackprop(g, dy.shape()));
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, input_shape));
  float* dx = out->data<float>();
  std::fill(dx, dx + out->num_elements(), 0.0f);
  const int64_t per_image = g.out_h * g.out_w;
  if (per_image == 0 || g.out_c == 0 || g.batch == 0) return absl::OkStatus();
  const float* f = filter.data<float>();
  const float* d = dy.data<float>();
  const int64_t c = g.in_c, m = g.filter_out;
  ctx.ParallelFor(g.batch, per_image * PixelCostNs(g), [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      for (int64_t r = 0; r < per_image; ++r) {
        const float* grad = d + (n * per_image + r) * g.out_c;
        ForEachInsideCell(g, n, r / g.out_w, r % g.out_w, [&](int64_t at, int64_t cell) {
          const float* fc = f + cell * g.out_c;
          float* x = dx + at;
          if (m == 1) {
            for (int64_t i = 0; i < c; ++i) x[i] += grad[i] * fc[i];
          } else {
            for (int64_t i = 0; i < c; ++i) {
              float s = 0;
              for (int64_t k = 0; k < m; ++k) s += grad[i * m + k] * fc[i * m + k];
              x[i] += s;
            }
          }
        });
      }
    }
  });
  return absl::OkStatus();
}

absl::Status DepthwiseConv2dNativeBackpropFilterOp::Compute(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  ASSIGN_OR_RETURN(TensorShape filter_shape, SizesInputShape(ctx.input(1), "filter_sizes"));
  const Tensor& dy = ctx.input(2);
  ASSIGN_OR_RETURN(ConvGeometry g, MakeConvGeometry(attrs_, input.shape(), filter_shape, true));
  RETURN_IF_ERROR(CheckOutBackprop(g, dy.shape()));
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, filter_shape));
  float* df = out->data<float>();
  const int64_t size = out->num_elements();
  std::fill(df, df + size, 0.0f);
  const int64_t pixels = g.batch * g.out_h * g.out_w;
  if (pixels == 0 || size == 0) return absl::OkStatus();
  const float* in = input.data<float>();
  const float* d = dy.data<float>();
  const int64_t chunks = std::min(pixels, kMaxChunks);
  const int64_t per_chunk = (pixels + chunks - 1) / chunks;
  std::vector<float> partials(chunks * size, 0.0f);
  ctx.ParallelFor(chunks, per_chunk * PixelCostNs(g), [&](int64_t begin, int64_t end) {
    for (int64_t chunk = begin; chunk < end; ++chunk) {
      float* acc = partials.data() + chunk * size;
      const int64_t p_end = std::min(pixels, (chunk + 1) * per_chunk);
      for (int64_t p = chunk * per_chunk; p < p_end; ++p) {
        const int64_t n = p / (g.out_h * g.out_w), r = p % (g.out_h * g.out_w);
        const float* grad = d + p * g.out_c;
        ForEachInsideCell(g, n, r / g.out_w, r % g.out_w, [&](int64_t at, int64_t cell) {
          // df[cell, j] += x[j / m] * grad[j]
          MultiplyAdd(in + at, grad, acc + cell * g.out_c, g.in_c, g.filter_out);
        });
      }
    }
  });
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    const float* p = partials.data() + chunk * size;
    for (int64_t i = 0; i < size; ++i) df[i] += p[i];
  }
  return absl::OkStatus();
}

void RegisterDepthwiseConvKernels(KernelRegistry& r) {
  r.Register<DepthwiseConv2dNativeOp>("DepthwiseConv2dNative", kDeviceCpu,
                                      {{"T", {DataType::kFloat32}}});
  r.Register<DepthwiseConv2dNativeBackpropInputOp>("DepthwiseConv2dNativeBackpropInput",
                                                   kDeviceCpu, {{"T", {DataType::kFloat32}}});
  r.Register<DepthwiseConv2dNativeBackpropFilterOp>("DepthwiseConv2dNativeBackpropFilter",
                                                    kDeviceCpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
