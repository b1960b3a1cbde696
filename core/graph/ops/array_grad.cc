// Gradients of the array ops (core/graph/ops/array_ops.h).
#include "core/graph/gradients.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/base/status_macros.h"

namespace graphrt {
namespace {

// The gradient passes through unchanged.
absl::Status PassThrough(const GradContext& c, std::vector<Output>& dx) {
  dx[0] = c.grads[0];
  return absl::OkStatus();
}

// Reshape and ExpandDims: the gradient takes the input's shape back.
absl::Status ReshapeBack(const GradContext& c, std::vector<Output>& dx) {
  ASSIGN_OR_RETURN(dx[0], grad::ReshapeToInput(c.grads[0], c.inputs[0]));
  return absl::OkStatus();
}

absl::Status BroadcastLikeGrad(const GradContext& c, std::vector<Output>& dx) {
  dx[0] = ops::ReduceSumLike(c.grads[0], c.inputs[0]);
  return absl::OkStatus();
}

}  // namespace

void RegisterArrayGradients(GradientRegistry& r) {
  r.Register("Identity", PassThrough);
  r.Register("_Copy", PassThrough);
  // Only float32 -> float32 casts are differentiated: paths from other
  // dtypes are cut before gradient functions run.
  r.Register("Cast", PassThrough);
  r.Register("Reshape", ReshapeBack);
  r.Register("ExpandDims", ReshapeBack);
  r.Register("BroadcastLike", BroadcastLikeGrad);
}

}  // namespace graphrt
