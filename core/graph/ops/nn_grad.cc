// Gradients of the neural-network ops (core/graph/ops/nn_ops.h).
#include "core/graph/gradients.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"

namespace graphrt {
namespace {

// Relu's output is positive exactly where its input is.
absl::Status ReluGrad(const GradContext& c, std::vector<Output>& dx) {
  dx[0] = ops::ReluGrad(c.grads[0], c.outputs[0]);
  return absl::OkStatus();
}

absl::Status BiasAddGrad(const GradContext& c, std::vector<Output>& dx) {
  if (c.wanted[0]) dx[0] = c.grads[0];
  if (c.wanted[1]) dx[1] = ops::BiasAddGrad(c.grads[0]);
  return absl::OkStatus();
}

// y = softmax(x): dx = (g - sum(g * y, last axis)) * y.
absl::Status SoftmaxGrad(const GradContext& c, std::vector<Output>& dx) {
  const Output g = c.grads[0], y = c.outputs[0];
  dx[0] = (g - ops::Sum(g * y, {.axis = {-1}, .keep_dims = true})) * y;
  return absl::OkStatus();
}

// y = log softmax(x): dx = g - sum(g, last axis) * exp(y).
absl::Status LogSoftmaxGrad(const GradContext& c, std::vector<Output>& dx) {
  const Output g = c.grads[0];
  dx[0] = g - ops::Sum(g, {.axis = {-1}, .keep_dims = true}) * ops::Exp(c.outputs[0]);
  return absl::OkStatus();
}

// The op's second output is already d(loss)/d(features) per example; it is
// scaled by each example's incoming loss gradient. Gradients through that
// second output (second derivatives) are not supported.
absl::Status SparseXentGrad(const GradContext& c, std::vector<Output>& dx) {
  if (c.grads[1].valid()) {
    return absl::UnimplementedError(
        "differentiating through the backprop output (a second derivative) is not supported");
  }
  dx[0] = ops::ExpandDims(c.grads[0], -1) * c.outputs[1];
  return absl::OkStatus();
}

}  // namespace

void RegisterNnGradients(GradientRegistry& r) {
  r.Register("Relu", ReluGrad);
  r.Register("BiasAdd", BiasAddGrad);
  r.Register("Softmax", SoftmaxGrad);
  r.Register("LogSoftmax", LogSoftmaxGrad);
  r.Register("SparseSoftmaxCrossEntropyWithLogits", SparseXentGrad);
}

}  // namespace graphrt
