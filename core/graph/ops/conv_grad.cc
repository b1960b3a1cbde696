// Gradients of the convolution ops (core/graph/ops/conv_ops.h). The backprop
// ops take the forward input or filter itself as their sizes input (a float32
// tensor read for its shape only), so an unknown batch size needs no Shape op.
#include "core/graph/gradients.h"
#include "core/graph/ops/conv_ops.h"

namespace graphrt {
namespace {

// The forward node's window attrs, for its gradient ops.
ops::Conv2DAttrs WindowAttrsOf(const Node& node) {
  ops::Conv2DAttrs a;
  a.strides = node.attr<std::vector<int64_t>>("strides").value_or(a.strides);
  a.padding = node.attr<std::string>("padding").value_or(a.padding);
  a.explicit_paddings =
      node.attr<std::vector<int64_t>>("explicit_paddings").value_or(a.explicit_paddings);
  a.dilations = node.attr<std::vector<int64_t>>("dilations").value_or(a.dilations);
  a.data_format = node.attr<std::string>("data_format").value_or(a.data_format);
  return a;
}

absl::Status Conv2DGrad(const GradContext& c, std::vector<Output>& dx) {
  const ops::Conv2DAttrs a = WindowAttrsOf(c.node);
  const Output input = c.inputs[0], filter = c.inputs[1], g = c.grads[0];
  if (c.wanted[0]) dx[0] = ops::Conv2DBackpropInput(input, filter, g, a);
  if (c.wanted[1]) dx[1] = ops::Conv2DBackpropFilter(input, filter, g, a);
  return absl::OkStatus();
}

absl::Status DepthwiseGrad(const GradContext& c, std::vector<Output>& dx) {
  const ops::Conv2DAttrs a = WindowAttrsOf(c.node);
  const Output input = c.inputs[0], filter = c.inputs[1], g = c.grads[0];
  if (c.wanted[0]) dx[0] = ops::DepthwiseConv2dNativeBackpropInput(input, filter, g, a);
  if (c.wanted[1]) dx[1] = ops::DepthwiseConv2dNativeBackpropFilter(input, filter, g, a);
  return absl::OkStatus();
}

}  // namespace

void RegisterConvGradients(GradientRegistry& r) {
  r.Register("Conv2D", Conv2DGrad);
  r.Register("DepthwiseConv2dNative", DepthwiseGrad);
}

}  // namespace graphrt
