// Geometry of the NHWC convolution and pooling kernels, shared by every
// device's kernels (kernels/cpu/conv_ops.h, depthwise_conv_ops.h,
// pooling_ops.h; the GPU's later): the window attrs read once when a kernel
// is made, and per step the sizes, padding and checks of one call.
//
// Errors: INVALID_ARGUMENT naming the shapes and the fix (wrong rank,
// channels that differ, a window larger than the padded input, a gradient
// whose shape does not match the forward output); the executor adds the
// node's name.
// Thread-safety: pure functions.
#ifndef GRAPHRT_KERNELS_COMMON_CONV_SHAPE_H_
#define GRAPHRT_KERNELS_COMMON_CONV_SHAPE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/graph/ops/conv_window.h"
#include "core/graph/tensor.h"

namespace graphrt {

// One convolution: input [batch, in_h, in_w, in_c], filter [filter_h,
// filter_w, in_c, filter_out], output [batch, out_h, out_w, out_c] where
// out_c = filter_out (Conv2D) or in_c * filter_out (depthwise: filter_out is
// the multiplier). pad_top/pad_left: padding before the first row/column.
struct ConvGeometry {
  int64_t batch = 0, in_h = 0, in_w = 0, in_c = 0;
  int64_t filter_h = 0, filter_w = 0, filter_out = 0;
  int64_t out_h = 0, out_w = 0, out_c = 0;
  int64_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0;

  TensorShape input_shape() const { return TensorShape{batch, in_h, in_w, in_c}; }
  TensorShape filter_shape() const { return TensorShape{filter_h, filter_w, in_c, filter_out}; }
  TensorShape output_shape() const { return TensorShape{batch, out_h, out_w, out_c}; }
};

absl::StatusOr<ConvGeometry> MakeConvGeometry(const WindowAttrs& attrs, const TensorShape& input,
                                              const TensorShape& filter, bool depthwise);

// The shape a backprop op's sizes input names: the values of an int32 [4]
// vector (TF), or the shape of a float32 tensor (graphrt: the forward
// tensor itself). `what` names the input in errors.
absl::StatusOr<TensorShape> SizesInputShape(const Tensor& sizes, const char* what);

// INVALID_ARGUMENT unless out_backprop has the forward output's shape.
absl::Status CheckOutBackprop(const ConvGeometry& g, const TensorShape& out_backprop);

// One pooling window: input [batch, in_h, in_w, channels] -> [batch, out_h,
// out_w, channels]; the window is attrs.window_h x attrs.window_w. Padding
// must be smaller than the window (a window of padding only has no value).
struct PoolGeometry {
  int64_t batch = 0, in_h = 0, in_w = 0, channels = 0;
  int64_t window_h = 0, window_w = 0, stride_h = 1, stride_w = 1;
  int64_t out_h = 0, out_w = 0, pad_top = 0, pad_left = 0;

  TensorShape input_shape() const { return TensorShape{batch, in_h, in_w, channels}; }
  TensorShape output_shape() const { return TensorShape{batch, out_h, out_w, channels}; }
};

absl::StatusOr<PoolGeometry> MakePoolGeometry(const WindowAttrs& attrs, const TensorShape& input);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_CONV_SHAPE_H_
