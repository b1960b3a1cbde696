// MaxPoolNd and AvgPoolNd on the CPU (core/graph/ops/conv_nd_ops.h): ONNX's
// MaxPool and AveragePool, channels first, any number of spatial axes;
// MaxPoolNd for float32, float64, int8 and uint8, AvgPoolNd for float32.
// Planes (image, channel) are split over the intra-op pool; each output
// element walks its window position by position, so dilations, ceil_mode
// and both padding counts share one loop. Two spatial axes without dilation
// (the pools of image models) take a direct path instead: each window is a
// rectangle clipped to the input, read row by row in the same order, so it
// gives the same values, indices and ties as the walk, with no per-position
// bookkeeping.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "core/graph/ops/conv_nd_window.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

// One output element's window: calls visit(row, col, inside) for every window
// position whose coordinate lies in the padded input [-begin, in + end)
// (ceil_mode windows may reach past it); row and col are the row-major and
// the first-axis-fastest spatial offsets, valid when inside.
struct WindowWalker {
  const NdWindow& w;
  std::vector<int64_t> row_stride, col_stride;
  // tap[k * rank + i]: window position k's dilated offset along axis i,
  // worked out once here rather than by a divide per axis per position of
  // every output element's walk.
  std::vector<int64_t> tap;

  explicit WindowWalker(const NdWindow& win) : w(win) {
    const int r = w.rank();
    row_stride.assign(r, 1);
    col_stride.assign(r, 1);
    std::vector<int64_t> k_stride(r, 1);
    for (int i = r - 2; i >= 0; --i) {
      row_stride[i] = row_stride[i + 1] * w.in[i + 1];
      k_stride[i] = k_stride[i + 1] * w.kernel[i + 1];
    }
    for (int i = 1; i < r; ++i) col_stride[i] = col_stride[i - 1] * w.in[i - 1];
    const int64_t K = w.kernel_elements();
    tap.resize(K * r);
    for (int64_t k = 0; k < K; ++k) {
      for (int i = 0; i < r; ++i) {
        tap[k * r + i] = (k / k_stride[i]) % w.kernel[i] * w.dilations[i];
      }
    }
  }

  template <typename Visit>
  void Walk(int64_t opos, Visit visit) const {
    const int r = w.rank();
    int64_t start[8];
    int64_t rest = opos;
    for (int i = r - 1; i >= 0; --i) {
      start[i] = (rest % w.out[i]) * w.strides[i] - w.pad_begin[i];
      rest /= w.out[i];
    }
    const int64_t K = w.kernel_elements();
    for (int64_t k = 0; k < K; ++k) {
      const int64_t* offset = tap.data() + k * r;
      int64_t row = 0, col = 0;
      bool inside = true, padded = true;
      for (int i = 0; i < r; ++i) {
        const int64_t coord = start[i] + offset[i];
        inside = inside && coord >= 0 && coord < w.in[i];
        padded = padded && coord >= -w.pad_begin[i] && coord < w.in[i] + w.pad_end[i];
        row += coord * row_stride[i];
        col += coord * col_stride[i];
      }
      if (padded) visit(row, col, inside);
    }
  }
};

// The direct path's window: rows [h0, h1) x columns [w0, w1) inside the
// input, and how many positions of the padded input it covers.
struct Rect {
  int64_t h0, h1, w0, w1, padded;
};

bool IsPlain2D(const NdWindow& w) {
  return w.rank() == 2 && w.dilations[0] == 1 && w.dilations[1] == 1 &&
         w.in_elements() < (int64_t{1} << 31);
}

inline Rect WindowRect(const NdWindow& w, int64_t oh, int64_t ow) {
  const int64_t hs = oh * w.strides[0] - w.pad_begin[0];
  const int64_t ws = ow * w.strides[1] - w.pad_begin[1];
  auto span = [](int64_t lo, int64_t hi) { return std::max<int64_t>(0, hi - lo); };
  const int64_t ph = span(std::max(hs, -w.pad_begin[0]),
                          std::min(hs + w.kernel[0], w.in[0] + w.pad_end[0]));
  const int64_t pw = span(std::max(ws, -w.pad_begin[1]),
                          std::min(ws + w.kernel[1], w.in[1] + w.pad_end[1]));
  return {std::max<int64_t>(hs, 0), std::min(hs + w.kernel[0], w.in[0]), std::max<int64_t>(ws, 0),
          std::min(ws + w.kernel[1], w.in[1]), ph * pw};
}

class PoolNdOp final : public OpKernel {
 public:
  explicit PoolNdOp(const OpKernelConstruction& c) : OpKernel(c), max_(c.node().op() == "MaxPoolNd") {}
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(attrs_, ReadNdWindowAttrs(c.node().attrs()));
    ASSIGN_OR_RETURN(kernel_, c.attr<std::vector<int64_t>>("kernel_shape"));
    if (max_) {
      ASSIGN_OR_RETURN(storage_order_, c.attr<int64_t>("storage_order"));
      if (storage_order_ != 0 && storage_order_ != 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            "storage_order must be 0 (row major) or 1 (column major), got ", storage_order_));
      }
    } else {
      ASSIGN_OR_RETURN(count_include_pad_, c.attr<bool>("count_include_pad"));
    }
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override;

 private:
  template <typename T>
  void MaxPlanes(OpKernelContext& ctx, const Tensor& x, Tensor* y, int64_t* indices,
                 const WindowWalker& walker, int64_t planes, int64_t cost) const;
  void AvgPlanes(OpKernelContext& ctx, const Tensor& x, Tensor* y, const WindowWalker& walker,
                 int64_t planes, int64_t cost) const;

  const bool max_;
  NdWindowAttrs attrs_;
  std::vector<int64_t> kernel_;
  int64_t storage_order_ = 0;
  bool count_include_pad_ = false;
};

// Along a line of outputs, tap offset b (kernel position less the leading
// pad) reads input column ow * stride + b: inside for ow in [lo, hi).
struct TapRange {
  int64_t lo, hi;
};
inline TapRange InsideOutputs(int64_t b, int64_t stride, int64_t in, int64_t out) {
  const int64_t hi = in - 1 - b < 0 ? 0 : std::min(out, (in - 1 - b) / stride + 1);
  return {std::min(hi, b >= 0 ? int64_t{0} : (-b + stride - 1) / stride), hi};
}

// One tap of MaxPlane2D over the outputs [lo, hi) of a row: output ow reads
// line[ow * stride] (kStride: the stride when known at compile time, so the
// loop vectorises; 0: `stride`).
template <int kStride, typename T>
void MaxTap(const T* __restrict line, int64_t stride, int64_t lo, int64_t hi, int32_t base,
            int32_t step, T* __restrict best, int32_t* __restrict arg) {
  const int64_t s = kStride > 0 ? kStride : stride;
  for (int64_t ow = lo; ow < hi; ++ow) {
    const T v = line[ow * s];
    // The first maximum wins; a NaN is taken only when nothing was.
    const bool take = (arg[ow] < 0) | (v > best[ow]);
    best[ow] = take ? v : best[ow];
    arg[ow] = take ? base + static_cast<int32_t>(ow) * step : arg[ow];
  }
}

// MaxPlanes' direct path for one plane (see the comment at the top): a row
// of outputs at a time, tap by tap in the window's row-major order, each tap
// updating the whole row (so every output still sees its taps in the walk's
// order); the running maximum is kept with selects, not branches.
template <typename T>
void MaxPlane2D(const T* src, const NdWindow& w, bool column_major, int64_t plane_offset, T* y,
                int64_t* indices) {
  const int64_t in_h = w.in[0], in_w = w.in[1], out_w = w.out[1], s = w.strides[1];
  // Row-major offset h * in_w + x, or column-major x * in_h + h.
  const int64_t h_step = column_major ? 1 : in_w, x_step = column_major ? in_h : 1;
  const T lowest = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                        : std::numeric_limits<T>::lowest();
  // Offsets within the plane as int32 (IsPlain2D checks the plane fits):
  // lanes as wide as float's.
  std::vector<T> best(out_w);
  std::vector<int32_t> arg(out_w);
  for (int64_t oh = 0; oh < w.out[0]; ++oh) {
    const Rect rows = WindowRect(w, oh, 0);
    std::fill(best.begin(), best.end(), lowest);
    std::fill(arg.begin(), arg.end(), -1);
    for (int64_t h = rows.h0; h < rows.h1; ++h) {
      for (int64_t kx = 0; kx < w.kernel[1]; ++kx) {
        const int64_t b = kx - w.pad_begin[1];
        const TapRange r = InsideOutputs(b, s, in_w, out_w);
        const T* line = src + h * in_w + b;
        const auto base = static_cast<int32_t>(h * h_step + b * x_step);
        const auto step = static_cast<int32_t>(s * x_step);
        switch (s) {
          case 1: MaxTap<1>(line, s, r.lo, r.hi, base, step, best.data(), arg.data()); break;
          case 2: MaxTap<2>(line, s, r.lo, r.hi, base, step, best.data(), arg.data()); break;
          default: MaxTap<0>(line, s, r.lo, r.hi, base, step, best.data(), arg.data());
        }
      }
    }
    for (int64_t ow = 0; ow < out_w; ++ow) {
      *y++ = best[ow];
      *indices++ = arg[ow] < 0 ? -1 : plane_offset + arg[ow];
    }
  }
}

template <typename T>
void PoolNdOp::MaxPlanes(OpKernelContext& ctx, const Tensor& x, Tensor* y, int64_t* indices,
                         const WindowWalker& walker, int64_t planes, int64_t cost) const {
  const int64_t O = walker.w.out_elements(), I = walker.w.in_elements();
  const T* px = x.data<T>();
  T* py = y->data<T>();
  const bool column_major = storage_order_ == 1;
  const NdWindow& w = walker.w;
  const bool plain = IsPlain2D(w);
  ctx.ParallelFor(planes, cost, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* src = px + p * I;
      if (plain) {
        MaxPlane2D(src, w, column_major, p * I, py + p * O, indices + p * O);
        continue;
      }
      for (int64_t o = 0; o < O; ++o) {
        T best = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                      : std::numeric_limits<T>::lowest();
        int64_t arg = -1;
        walker.Walk(o, [&](int64_t row, int64_t col, bool inside) {
          if (!inside) return;
          const T v = src[row];
          // The first maximum wins; a NaN is taken only when nothing was.
          if (arg < 0 || v > best) {
            best = v;
            arg = column_major ? col : row;
          }
        });
        py[p * O + o] = best;
        indices[p * O + o] = arg < 0 ? -1 : p * I + arg;
      }
    }
  });
}

void PoolNdOp::AvgPlanes(OpKernelContext& ctx, const Tensor& x, Tensor* y,
                         const WindowWalker& walker, int64_t planes, int64_t cost) const {
  const int64_t O = walker.w.out_elements(), I = walker.w.in_elements();
  const float* px = x.data<float>();
  float* py = y->data<float>();
  const NdWindow& w = walker.w;
  const bool plain = IsPlain2D(w);
  ctx.ParallelFor(planes, cost, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const float* src = px + p * I;
      if (plain) {
        float* y = py + p * O;
        for (int64_t oh = 0; oh < w.out[0]; ++oh) {
          for (int64_t ow = 0; ow < w.out[1]; ++ow) {
            const Rect r = WindowRect(w, oh, ow);
            double sum = 0;
            for (int64_t h = r.h0; h < r.h1; ++h) {
              for (int64_t x = r.w0; x < r.w1; ++x) sum += src[h * w.in[1] + x];
            }
            const int64_t inside =
                std::max<int64_t>(0, r.h1 - r.h0) * std::max<int64_t>(0, r.w1 - r.w0);
            const int64_t count = count_include_pad_ ? r.padded : inside;
            *y++ = count == 0 ? 0.0f : static_cast<float>(sum / count);
          }
        }
        continue;
      }
      for (int64_t o = 0; o < O; ++o) {
        double sum = 0;
        int64_t count = 0;
        walker.Walk(o, [&](int64_t row, int64_t, bool inside) {
          if (inside) sum += src[row];
          if (inside || count_include_pad_) ++count;
        });
        py[p * O + o] = count == 0 ? 0.0f : static_cast<float>(sum / count);
      }
    }
  });
}

absl::Status PoolNdOp::Compute(OpKernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 3 || x.rank() - 2 != static_cast<int>(kernel_.size()) || x.rank() > 10) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input ", x.shape().DebugString(), " must be [N, C, D...] with one spatial axis per "
        "kernel_shape entry (", kernel_.size(), ", at most 8)"));
  }
  const std::vector<int64_t> in(x.shape().dims().begin() + 2, x.shape().dims().end());
  ASSIGN_OR_RETURN(NdWindow win, ComputeNdWindow(in, kernel_, attrs_));
  std::vector<int64_t> out_dims{x.dim(0), x.dim(1)};
  out_dims.insert(out_dims.end(), win.out.begin(), win.out.end());
  const TensorShape out_shape(out_dims);
  ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, out_shape));
  int64_t* indices = nullptr;
  if (max_) {
    ASSIGN_OR_RETURN(Tensor * ind, ctx.allocate_output(1, out_shape));
    indices = ind->data<int64_t>();
  }
  const int64_t planes = x.dim(0) * x.dim(1), O = win.out_elements();
  if (y->num_elements() == 0) return absl::OkStatus();
  const WindowWalker walker(win);
  const int64_t cost = std::max<int64_t>(1, O * win.kernel_elements() * 2);
  switch (x.dtype()) {
    case DataType::kFloat64:
      MaxPlanes<double>(ctx, x, y, indices, walker, planes, cost);
      break;
    case DataType::kInt8:
      MaxPlanes<int8_t>(ctx, x, y, indices, walker, planes, cost);
      break;
    case DataType::kUint8:
      MaxPlanes<uint8_t>(ctx, x, y, indices, walker, planes, cost);
      break;
    default:
      if (max_) {
        MaxPlanes<float>(ctx, x, y, indices, walker, planes, cost);
      } else {
        AvgPlanes(ctx, x, y, walker, planes, cost);
      }
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterPoolNdKernels(KernelRegistry& r) {
  r.Register<PoolNdOp>("MaxPoolNd", kDeviceCpu,
                       {{"T", {DataType::kFloat32, DataType::kFloat64, DataType::kInt8,
                               DataType::kUint8}}});
  r.Register<PoolNdOp>("AvgPoolNd", kDeviceCpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
