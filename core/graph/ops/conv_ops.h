// Convolution op functions (NHWC, TF's names, inputs and attrs): Conv2D,
// FusedConv2D (Conv2D + BiasAdd + activation, graphrt's) and
// DepthwiseConv2dNative, and their gradient ops Conv2DBackpropInput,
// Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropInput and
// DepthwiseConv2dNativeBackpropFilter. OpDefs and shape functions live in
// conv_ops.cc, gradients in conv_grad.cc, CPU kernels in
// kernels/cpu/conv_ops.h and kernels/cpu/depthwise_conv_ops.h.
//
// Layouts (TF's): input [N, H, W, C]; Conv2D filter [FH, FW, C, OC];
// depthwise filter [FH, FW, C, M] giving C * M output channels (channel c's
// outputs at c * M + m). data_format "NCHW" is refused with a status naming
// the node. Padding follows core/graph/ops/conv_window.h.
//
// The gradient ops take the shape of the tensor they produce as their first
// (input) or second (filter) input: TF's int32 vector, or — a graphrt
// extension — any float32 tensor of that shape, whose values are not read.
// The gradient functions pass the forward tensor itself, so graphs with an
// unknown batch size differentiate without a Shape op.
#ifndef GRAPHRT_CORE_GRAPH_OPS_CONV_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_CONV_OPS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/graph/builder.h"

namespace graphrt::ops {

// The attrs of every op in this file (defaults: TF's, except padding).
struct Conv2DAttrs {
  std::vector<int64_t> strides = {1, 1, 1, 1};
  std::string padding = "SAME";                // "SAME", "VALID" or "EXPLICIT"
  std::vector<int64_t> explicit_paddings = {};  // 8 values for "EXPLICIT"
  std::vector<int64_t> dilations = {1, 1, 1, 1};
  std::string data_format = "NHWC";  // NHWC only
};

Output Conv2D(Output input, Output filter, const Conv2DAttrs& attrs = {},
              absl::string_view name = {});
Output DepthwiseConv2dNative(Output input, Output filter, const Conv2DAttrs& attrs = {},
                             absl::string_view name = {});
// Relu(BiasAdd(Conv2D(input, filter), bias)) for activation "Relu", the
// BiasAdd alone for "None", as one node whose CPU kernel adds the bias and
// applies the activation while each output tile is in cache (graphrt's own
// op; TF's grappler makes the same fusion as _FusedConv2D). bias: [OC]. Its
// gradient is ReluGrad, then BiasAddGrad and the two Conv2D backprop ops.
// CPU only: a graph meant for a GPU keeps the three ops.
Output FusedConv2D(Output input, Output filter, Output bias, absl::string_view activation,
                   const Conv2DAttrs& attrs = {}, absl::string_view name = {});

// d(loss)/d(input) from out_backprop; `input_sizes` is int32 [4] or a float32
// tensor shaped like the input.
Output Conv2DBackpropInput(Output input_sizes, Output filter, Output out_backprop,
                           const Conv2DAttrs& attrs = {}, absl::string_view name = {});
// d(loss)/d(filter); `filter_sizes` is int32 [4] or a float32 tensor shaped
// like the filter.
Output Conv2DBackpropFilter(Output input, Output filter_sizes, Output out_backprop,
                            const Conv2DAttrs& attrs = {}, absl::string_view name = {});
Output DepthwiseConv2dNativeBackpropInput(Output input_sizes, Output filter,
                                          Output out_backprop, const Conv2DAttrs& attrs = {},
                                          absl::string_view name = {});
Output DepthwiseConv2dNativeBackpropFilter(Output input, Output filter_sizes,
                                           Output out_backprop, const Conv2DAttrs& attrs = {},
                                           absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterConvOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_CONV_OPS_H_
