// Gradients of the activations in elementwise_ops.h that Keras models train
// with: LeakyRelu, Elu, Softplus. Each is one backward op (TF's
// LeakyReluGrad, EluGrad, SoftplusGrad) so the backward pass costs one
// elementwise pass, as the forward does.
#include "core/base/status_macros.h"
#include "core/graph/gradients.h"
#include "core/graph/ops/elementwise_ops.h"

namespace graphrt {
namespace {

// dx = g where x > 0, g * alpha elsewhere.
absl::Status LeakyReluGradFn(const GradContext& c, std::vector<Output>& dx) {
  ASSIGN_OR_RETURN(float alpha, c.node.attr<float>("alpha"));
  dx[0] = ops::Elementwise("LeakyReluGrad", {c.grads[0], c.inputs[0]}, {{"alpha", alpha}});
  return absl::OkStatus();
}

// From the output y: dy/dx = 1 where y > 0, alpha * exp(x) = y + alpha elsewhere.
absl::Status EluGradFn(const GradContext& c, std::vector<Output>& dx) {
  ASSIGN_OR_RETURN(float alpha, c.node.attr<float>("alpha"));
  dx[0] = ops::Elementwise("EluGrad", {c.grads[0], c.outputs[0]}, {{"alpha", alpha}});
  return absl::OkStatus();
}

// d softplus(x) / dx = sigmoid(x).
absl::Status SoftplusGradFn(const GradContext& c, std::vector<Output>& dx) {
  dx[0] = ops::Elementwise("SoftplusGrad", {c.grads[0], c.inputs[0]});
  return absl::OkStatus();
}

}  // namespace

void RegisterElementwiseGradients(GradientRegistry& r) {
  r.Register("LeakyRelu", LeakyReluGradFn);
  r.Register("Elu", EluGradFn);
  r.Register("Softplus", SoftplusGradFn);
}

}  // namespace graphrt
