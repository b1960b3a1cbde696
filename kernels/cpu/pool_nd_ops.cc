// MaxPoolNd and AvgPoolNd on the CPU (core/graph/ops/conv_nd_ops.h): ONNX's
// MaxPool and AveragePool, channels first, any number of spatial axes;
// MaxPoolNd for float32, float64, int8 and uint8, AvgPoolNd for float32.
// Planes (image, channel) are split over the intra-op pool; each output
// element walks its window position by position, so dilations, ceil_mode
// and both padding counts share one loop.
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

template <typename T>
void PoolNdOp::MaxPlanes(OpKernelContext& ctx, const Tensor& x, Tensor* y, int64_t* indices,
                         const WindowWalker& walker, int64_t planes, int64_t cost) const {
  const int64_t O = walker.w.out_elements(), I = walker.w.in_elements();
  const T* px = x.data<T>();
  T* py = y->data<T>();
  const bool column_major = storage_order_ == 1;
  ctx.ParallelFor(planes, cost, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* src = px + p * I;
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
  ctx.ParallelFor(planes, cost, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const float* src = px + p * I;
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
