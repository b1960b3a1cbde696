// Window geometry shared by the convolution and pooling ops (conv_ops.h,
// pooling_ops.h) and their kernels (kernels/common/conv_shape.h): TF's
// padding rules for one spatial dimension, and the NHWC window attrs
// (strides, dilations, ksize, padding, explicit_paddings, data_format) read
// from a node's AttrMap and checked.
//
// Padding as TF computes it (kernel_shape_util.cc):
//   effective window  e   = (window - 1) * dilation + 1
//   VALID             out = ceil((in - e + 1) / stride), no padding
//   SAME              out = ceil(in / stride); total padding
//                     max(0, (out - 1) * stride + e - in), the odd one after
//   EXPLICIT          out = (in + before + after - e) / stride + 1
// Errors are INVALID_ARGUMENT with plain messages; shape functions and the
// executor add the node's name.
// Thread-safety: pure functions.
#ifndef GRAPHRT_CORE_GRAPH_OPS_CONV_WINDOW_H_
#define GRAPHRT_CORE_GRAPH_OPS_CONV_WINDOW_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/attr_value.h"

namespace graphrt {

enum class Padding { kValid, kSame, kExplicit };

// One spatial dimension of a window: output size and the padding used.
struct WindowDim {
  int64_t out = 0;
  int64_t pad_before = 0;
  int64_t pad_after = 0;
};

// `pad_before`/`pad_after` are read for kExplicit only. INVALID_ARGUMENT
// when the (dilated) window does not fit the padded input.
absl::StatusOr<WindowDim> ComputeWindowDim(int64_t in, int64_t window, int64_t dilation,
                                           int64_t stride, Padding padding,
                                           int64_t pad_before = 0, int64_t pad_after = 0);

// The attrs of an NHWC conv or pool node, checked: 4-element strides (and
// dilations, ksize) with 1 on the batch and channel axes, positive values,
// padding "SAME", "VALID" or (when allowed) "EXPLICIT" with 8
// explicit_paddings that are zero on batch and channels, data_format NHWC.
struct WindowAttrs {
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t window_h = 0, window_w = 0;  // ksize for pools; 0 for convs
  Padding padding = Padding::kValid;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;  // kExplicit
};
struct WindowAttrOptions {
  bool dilations = false;  // read "dilations" (convs)
  bool ksize = false;      // read "ksize" (pools)
  bool explicit_padding = true;
};
absl::StatusOr<WindowAttrs> ReadWindowAttrs(const AttrMap& attrs,
                                            const WindowAttrOptions& options);

// Output height and width for an input of `in_h` x `in_w` under `a`, with a
// filter (or pool window when a.window_* are set) of `filter_h` x `filter_w`.
struct Window2D {
  WindowDim h, w;
};
absl::StatusOr<Window2D> ComputeWindow2D(const WindowAttrs& a, int64_t in_h, int64_t in_w,
                                         int64_t filter_h, int64_t filter_w);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_CONV_WINDOW_H_
