// Gradients of the convolution ops (core/graph/ops/conv_ops.h). The backprop
// ops take the forward input or filter itself as their sizes input (a float32
// tensor read for its shape only), so an unknown batch size needs no Shape op.
#include <optional>
#include <string>
#include <vector>

#include "core/graph/gradients.h"
#include "core/graph/ops/conv_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "core/graph/ops/pooling_ops.h"

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

// Note [Relu mask through a following max pool]
// Rationale: in a CNN a Relu's output y usually goes only to a MaxPool p, so
// y's gradient is MaxPoolGrad(y, p, gp), and the Relu's gradient then
// streams that full-size tensor twice more: ReluGrad (read it and y, write
// the masked copy) and BiasAddGrad (read it again). MaxPoolGrad sends each
// window's gradient to a cell whose value is the window's maximum, so there
// y == p, and y > 0 exactly where p > 0: masking before the routing is the
// same as masking after it. And every routed value lands in one cell, so the
// bias gradient (the sum over all cells) is the sum of the masked gp.
// Approach: when FusedConv2D (Relu) finds its output's gradient to be such
// a MaxPoolGrad (its first input this node's output), it builds
//   gq = ReluGrad(gp, p)               (on the pooled size: 1/4 of y's for 2x2)
//   dz = MaxPoolGrad(y, p, gq)         (the same pool attrs)
//   db = BiasAddGrad(gq)
// and the conv backprops from dz. The first MaxPoolGrad is left unused (the
// executor prunes it). Exact: the same values, only the bias gradient's
// float sums run in another order.
// Limitations: only FusedConv2D's Relu; a y with other consumers (its
// gradient is then a sum) takes the plain path.
struct PooledGrad {
  Output p, gp;  // the MaxPool's output and its gradient
  ops::PoolAttrs attrs;
};

std::optional<PooledGrad> GradThroughMaxPool(const GradContext& c) {
  const Output& g = c.grads[0];
  if (!g.valid() || c.outputs.empty()) return std::nullopt;
  const Node& n = g.node();  // copied out below: adding nodes may move it
  if (n.op() != "MaxPoolGrad" || n.num_inputs() != 3 || g.index() != 0) return std::nullopt;
  const Endpoint y{c.outputs[0].node_id(), c.outputs[0].index()};
  if (!(n.input(0) == y)) return std::nullopt;
  PooledGrad r;
  r.p = Output(g.builder(), n.input(1).node, n.input(1).index);
  r.gp = Output(g.builder(), n.input(2).node, n.input(2).index);
  r.attrs.ksize = n.attr<std::vector<int64_t>>("ksize").value_or(r.attrs.ksize);
  r.attrs.strides = n.attr<std::vector<int64_t>>("strides").value_or(r.attrs.strides);
  r.attrs.padding = n.attr<std::string>("padding").value_or(r.attrs.padding);
  r.attrs.explicit_paddings =
      n.attr<std::vector<int64_t>>("explicit_paddings").value_or(r.attrs.explicit_paddings);
  r.attrs.data_format = n.attr<std::string>("data_format").value_or(r.attrs.data_format);
  return r;
}

// FusedConv2D: through the activation (ReluGrad takes the node's output,
// as Relu's gradient does), then BiasAdd's and Conv2D's gradients.
absl::Status FusedConv2DGrad(const GradContext& c, std::vector<Output>& dx) {
  const ops::Conv2DAttrs a = WindowAttrsOf(c.node);
  const Output input = c.inputs[0], filter = c.inputs[1];
  const bool relu = c.node.attr<std::string>("activation").value_or("None") == "Relu";
  Output g = c.grads[0], bias_g = c.grads[0];
  if (relu) {
    if (std::optional<PooledGrad> pooled = GradThroughMaxPool(c)) {
      // Note [Relu mask through a following max pool]
      bias_g = ops::ReluGrad(pooled->gp, pooled->p);
      g = ops::MaxPoolGrad(c.outputs[0], pooled->p, bias_g, pooled->attrs);
    } else {
      g = bias_g = ops::ReluGrad(c.grads[0], c.outputs[0]);
    }
  }
  if (c.wanted[0]) dx[0] = ops::Conv2DBackpropInput(input, filter, g, a);
  if (c.wanted[1]) dx[1] = ops::Conv2DBackpropFilter(input, filter, g, a);
  if (c.wanted[2]) dx[2] = ops::BiasAddGrad(bias_g);
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
  r.Register("FusedConv2D", FusedConv2DGrad);
  r.Register("DepthwiseConv2dNative", DepthwiseGrad);
}

}  // namespace graphrt
