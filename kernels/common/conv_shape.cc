#include "kernels/common/conv_shape.h"

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace graphrt {

absl::StatusOr<ConvGeometry> MakeConvGeometry(const WindowAttrs& attrs, const TensorShape& input,
                                              const TensorShape& filter, bool depthwise) {
  if (input.rank() != 4 || filter.rank() != 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        "needs input [N, H, W, C] and filter [FH, FW, C, ", depthwise ? "M" : "OC",
        "] (rank 4, NHWC); got input ", input.DebugString(), " and filter ",
        filter.DebugString()));
  }
  if (input.dim(3) != filter.dim(2)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input ", input.DebugString(), " has ", input.dim(3), " channels but filter ",
        filter.DebugString(), " expects ", filter.dim(2),
        " (filter dim 2 is the input channel count)"));
  }
  ConvGeometry g;
  g.batch = input.dim(0);
  g.in_h = input.dim(1);
  g.in_w = input.dim(2);
  g.in_c = input.dim(3);
  g.filter_h = filter.dim(0);
  g.filter_w = filter.dim(1);
  g.filter_out = filter.dim(3);
  g.out_c = depthwise ? g.in_c * g.filter_out : g.filter_out;
  g.stride_h = attrs.stride_h;
  g.stride_w = attrs.stride_w;
  g.dilation_h = attrs.dilation_h;
  g.dilation_w = attrs.dilation_w;
  auto w = ComputeWindow2D(attrs, g.in_h, g.in_w, g.filter_h, g.filter_w);
  if (!w.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("input ", input.DebugString(), ", filter ",
                                                   filter.DebugString(), ": ",
                                                   w.status().message()));
  }
  g.out_h = w->h.out;
  g.out_w = w->w.out;
  g.pad_top = w->h.pad_before;
  g.pad_left = w->w.pad_before;
  return g;
}

absl::StatusOr<TensorShape> SizesInputShape(const Tensor& sizes, const char* what) {
  if (sizes.dtype() == DataType::kFloat32) {
    if (sizes.rank() != 4) {
      return absl::InvalidArgumentError(absl::StrCat(what, " must have rank 4, got ",
                                                     sizes.ShapeString()));
    }
    return sizes.shape();
  }
  if (sizes.dtype() != DataType::kInt32 || sizes.rank() != 1 || sizes.num_elements() != 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " must be an int32 vector of 4 sizes (or a float32 tensor of that shape), got ",
        DataTypeName(sizes.dtype()), " ", sizes.ShapeString()));
  }
  const int32_t* v = sizes.data<int32_t>();
  for (int i = 0; i < 4; ++i) {
    if (v[i] < 0) {
      return absl::InvalidArgumentError(absl::StrCat(what, " holds a negative size ", v[i]));
    }
  }
  return TensorShape{v[0], v[1], v[2], v[3]};
}

absl::Status CheckOutBackprop(const ConvGeometry& g, const TensorShape& out_backprop) {
  if (out_backprop != g.output_shape()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "out_backprop ", out_backprop.DebugString(), " does not match the forward output ",
        g.output_shape().DebugString(), " of input ", g.input_shape().DebugString(),
        " and filter ", g.filter_shape().DebugString()));
  }
  return absl::OkStatus();
}

absl::StatusOr<PoolGeometry> MakePoolGeometry(const WindowAttrs& attrs, const TensorShape& input) {
  if (input.rank() != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("needs input [N, H, W, C] (rank 4, NHWC); got ", input.DebugString()));
  }
  PoolGeometry g;
  g.batch = input.dim(0);
  g.in_h = input.dim(1);
  g.in_w = input.dim(2);
  g.channels = input.dim(3);
  g.window_h = attrs.window_h;
  g.window_w = attrs.window_w;
  g.stride_h = attrs.stride_h;
  g.stride_w = attrs.stride_w;
  auto w = ComputeWindow2D(attrs, g.in_h, g.in_w, g.window_h, g.window_w);
  if (!w.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("input ", input.DebugString(), ": ", w.status().message()));
  }
  if (w->h.pad_before >= g.window_h || w->h.pad_after >= g.window_h ||
      w->w.pad_before >= g.window_w || w->w.pad_after >= g.window_w) {
    return absl::InvalidArgumentError(absl::StrCat(
        "padding (", w->h.pad_before, ", ", w->h.pad_after, ", ", w->w.pad_before, ", ",
        w->w.pad_after, ") must be smaller than the window ", g.window_h, "x", g.window_w));
  }
  g.out_h = w->h.out;
  g.out_w = w->w.out;
  g.pad_top = w->h.pad_before;
  g.pad_left = w->w.pad_before;
  return g;
}

}  // namespace graphrt
