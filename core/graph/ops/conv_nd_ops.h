// N-D channels-first convolution and pooling, as ONNX defines them (the ONNX
// importer's Conv, MaxPool, AveragePool): 1-D, 2-D or 3-D windows over
// [N, C, D1, ..., Dr] inputs. OpDefs live in conv_nd_ops.cc; the window
// rules (strides, dilations, pads, auto_pad, ceil_mode) in conv_nd_window.h.
//
//   ConvNd(x [N, C, D...], w [M, C/group, K...], b [M] or [0]) -> y [N, M, O...]
//     attrs: strides, dilations, pads, auto_pad, group (C and M divide by it)
//   ConvTransposeNd(x [N, C, I...], w [C, M/group, K...], b) -> y [N, M, O...]
//     attrs as ConvNd plus output_padding and output_shape (spatial sizes;
//     the padding is then derived, see ComputeConvTransposeWindow)
//   MaxPoolNd(x) -> y [N, C, O...], indices int64 (flat row-major index into
//     x, or with storage_order 1 the spatial part column-major)
//     attrs: kernel_shape, strides, dilations, pads, auto_pad, ceil_mode,
//     storage_order
//   AvgPoolNd(x) -> y; attrs as MaxPoolNd (no storage_order) plus
//     count_include_pad (divide by the window inside the padded input, or by
//     the input elements it covers)
// The TF-style NHWC ops (Conv2D, MaxPool, ...) stay in conv_ops.h and
// pooling_ops.h; these are separate ops, not a layout of those.
#ifndef GRAPHRT_CORE_GRAPH_OPS_CONV_ND_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_CONV_ND_OPS_H_

#include "core/graph/op_def.h"

namespace graphrt {
void RegisterConvNdOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_CONV_ND_OPS_H_
