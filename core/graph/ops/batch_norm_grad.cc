// Gradient of FusedBatchNormV3 (core/graph/ops/batch_norm_ops.h), as TF's:
// x, scale and offset get FusedBatchNormGradV3's outputs from y's gradient
// and the saved statistics (reserve_space_1/2, which in inference mode are
// the mean and variance inputs). Gradients reaching batch_mean or
// batch_variance (the running averages) are ignored, and mean and variance
// get none, as in TF.
#include "core/graph/gradients.h"
#include "core/graph/ops/batch_norm_ops.h"

namespace graphrt {
namespace {

absl::Status FusedBatchNormGrad(const GradContext& c, std::vector<Output>& dx) {
  if (!c.grads[0].valid()) return absl::OkStatus();
  ops::FusedBatchNormAttrs a;
  a.epsilon = c.node.attr<float>("epsilon").value_or(a.epsilon);
  a.is_training = c.node.attr<bool>("is_training").value_or(a.is_training);
  a.data_format = c.node.attr<std::string>("data_format").value_or(a.data_format);
  ops::FusedBatchNormGradOutputs g = ops::FusedBatchNormGradV3(
      c.grads[0], c.inputs[0], c.inputs[1], c.outputs[3], c.outputs[4], c.outputs[5], a);
  if (c.wanted[0]) dx[0] = g.x_backprop;
  if (c.wanted[1]) dx[1] = g.scale_backprop;
  if (c.wanted[2]) dx[2] = g.offset_backprop;
  return absl::OkStatus();
}

}  // namespace

void RegisterBatchNormGradients(GradientRegistry& r) {
  r.Register("FusedBatchNormV3", FusedBatchNormGrad);
}

}  // namespace graphrt
