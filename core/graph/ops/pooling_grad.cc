// Gradients of the pooling ops (core/graph/ops/pooling_ops.h).
#include "core/graph/gradients.h"
#include "core/graph/ops/pooling_ops.h"

namespace graphrt {
namespace {

ops::PoolAttrs PoolAttrsOf(const Node& node) {
  ops::PoolAttrs a;
  a.ksize = node.attr<std::vector<int64_t>>("ksize").value_or(a.ksize);
  a.strides = node.attr<std::vector<int64_t>>("strides").value_or(a.strides);
  a.padding = node.attr<std::string>("padding").value_or(a.padding);
  a.explicit_paddings =
      node.attr<std::vector<int64_t>>("explicit_paddings").value_or(a.explicit_paddings);
  a.data_format = node.attr<std::string>("data_format").value_or(a.data_format);
  return a;
}

absl::Status MaxPoolGrad(const GradContext& c, std::vector<Output>& dx) {
  dx[0] = ops::MaxPoolGrad(c.inputs[0], c.outputs[0], c.grads[0], PoolAttrsOf(c.node));
  return absl::OkStatus();
}

// The pooled input itself is AvgPoolGrad's shape input (read for its shape).
absl::Status AvgPoolGrad(const GradContext& c, std::vector<Output>& dx) {
  dx[0] = ops::AvgPoolGrad(c.inputs[0], c.grads[0], PoolAttrsOf(c.node));
  return absl::OkStatus();
}

}  // namespace

void RegisterPoolingGradients(GradientRegistry& r) {
  r.Register("MaxPool", MaxPoolGrad);
  r.Register("AvgPool", AvgPoolGrad);
}

}  // namespace graphrt
