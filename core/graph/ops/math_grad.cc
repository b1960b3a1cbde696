// Gradients of the math ops (core/graph/ops/math_ops.h). Binary ops reduce
// each input's gradient back over the dims it was broadcast along.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/graph/gradients.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "core/graph/shape_inference.h"
#include "core/base/status_macros.h"

namespace graphrt {
namespace {

using ops::MatMulAttrs;

// Sets the gradients of x and y from the gradient of the broadcast result.
void SetBinary(const GradContext& c, std::vector<Output>& dx, Output gx, Output gy) {
  if (c.wanted[0]) dx[0] = grad::ReduceToInput(gx, c.inputs[0], c.inputs[1]);
  if (c.wanted[1]) dx[1] = grad::ReduceToInput(gy, c.inputs[1], c.inputs[0]);
}

absl::Status AddGrad(const GradContext& c, std::vector<Output>& dx) {
  SetBinary(c, dx, c.grads[0], c.grads[0]);
  return absl::OkStatus();
}

absl::Status SubGrad(const GradContext& c, std::vector<Output>& dx) {
  SetBinary(c, dx, c.grads[0], c.wanted[1] ? -c.grads[0] : Output());
  return absl::OkStatus();
}

absl::Status MulGrad(const GradContext& c, std::vector<Output>& dx) {
  const Output g = c.grads[0], x = c.inputs[0], y = c.inputs[1];
  SetBinary(c, dx, c.wanted[0] ? g * y : Output(), c.wanted[1] ? g * x : Output());
  return absl::OkStatus();
}

// z = x / y: dz/dx = 1 / y, dz/dy = -x / y^2 = -z / y.
absl::Status DivGrad(const GradContext& c, std::vector<Output>& dx) {
  const Output g = c.grads[0], y = c.inputs[1], z = c.outputs[0];
  SetBinary(c, dx, c.wanted[0] ? g / y : Output(), c.wanted[1] ? -(g * z / y) : Output());
  return absl::OkStatus();
}

// The gradient goes to the larger input; ties to x (as the forward op
// returns x then).
absl::Status MaximumGrad(const GradContext& c, std::vector<Output>& dx) {
  const Output g = c.grads[0];
  Output x_wins = ops::Cast(ops::Equal(c.outputs[0], c.inputs[0]), DataType::kFloat32);
  SetBinary(c, dx, c.wanted[0] ? g * x_wins : Output(),
            c.wanted[1] ? g * (c.builder.Scalar(1.0f) - x_wins) : Output());
  return absl::OkStatus();
}

absl::Status AddNGrad(const GradContext& c, std::vector<Output>& dx) {
  for (size_t i = 0; i < dx.size(); ++i) {
    if (c.wanted[i]) dx[i] = ops::ReduceSumLike(c.grads[0], c.inputs[i]);
  }
  return absl::OkStatus();
}

absl::Status NegGrad(const GradContext& c, std::vector<Output>& dx) {
  dx[0] = -c.grads[0];
  return absl::OkStatus();
}

absl::Status ExpGrad(const GradContext& c, std::vector<Output>& dx) {
  dx[0] = c.grads[0] * c.outputs[0];
  return absl::OkStatus();
}

absl::Status LogGrad(const GradContext& c, std::vector<Output>& dx) {
  dx[0] = c.grads[0] / c.inputs[0];
  return absl::OkStatus();
}

// d tanh = 1 - tanh^2; d sigmoid = s (1 - s): both from the output.
absl::Status TanhGrad(const GradContext& c, std::vector<Output>& dx) {
  const Output z = c.outputs[0];
  dx[0] = c.grads[0] * (c.builder.Scalar(1.0f) - z * z);
  return absl::OkStatus();
}

absl::Status SigmoidGrad(const GradContext& c, std::vector<Output>& dx) {
  const Output z = c.outputs[0];
  dx[0] = c.grads[0] * z * (c.builder.Scalar(1.0f) - z);
  return absl::OkStatus();
}

// d sqrt(x) = 1 / (2 sqrt(x)); d x^(-1/2) = -x^(-3/2) / 2 = -y^3 / 2; d x^2 = 2x.
absl::Status SqrtGrad(const GradContext& c, std::vector<Output>& dx) {
  dx[0] = c.grads[0] / (c.outputs[0] * 2.0f);
  return absl::OkStatus();
}

absl::Status RsqrtGrad(const GradContext& c, std::vector<Output>& dx) {
  const Output y = c.outputs[0];
  dx[0] = c.grads[0] * (y * y * y * -0.5f);
  return absl::OkStatus();
}

absl::Status SquareGrad(const GradContext& c, std::vector<Output>& dx) {
  dx[0] = c.grads[0] * (c.inputs[0] * 2.0f);
  return absl::OkStatus();
}

// For C = op(A) op(B) with op a possible transpose, each gradient is one
// MatMul of G with the other operand (TF's MatMul gradient table).
// d(sum y)/da and /db of y = op(a) op(b), given g = dy, where wanted.
void MatMulInputGrads(const GradContext& c, bool ta, bool tb, const Output& g,
                      std::vector<Output>& dx) {
  const Output a = c.inputs[0], b = c.inputs[1];
  if (c.wanted[0]) {
    dx[0] = !ta ? ops::MatMul(g, b, MatMulAttrs{false, !tb})
                : ops::MatMul(b, g, MatMulAttrs{tb, true});
  }
  if (c.wanted[1]) {
    dx[1] = !tb ? ops::MatMul(a, g, MatMulAttrs{!ta, false})
                : ops::MatMul(g, a, MatMulAttrs{true, ta});
  }
}

absl::Status MatMulGrad(const GradContext& c, std::vector<Output>& dx) {
  ASSIGN_OR_RETURN(bool ta, c.node.attr<bool>("transpose_a"));
  ASSIGN_OR_RETURN(bool tb, c.node.attr<bool>("transpose_b"));
  MatMulInputGrads(c, ta, tb, c.grads[0], dx);
  return absl::OkStatus();
}

// FusedMatMul: through the activation (ReluGrad takes the node's output, as
// Relu's gradient does), then the bias's (BiasAddGrad) and MatMul's, as
// FusedConv2D's gradient does.
absl::Status FusedMatMulGrad(const GradContext& c, std::vector<Output>& dx) {
  ASSIGN_OR_RETURN(bool ta, c.node.attr<bool>("transpose_a"));
  ASSIGN_OR_RETURN(bool tb, c.node.attr<bool>("transpose_b"));
  ASSIGN_OR_RETURN(std::string activation, c.node.attr<std::string>("activation"));
  Output g = c.grads[0];
  if (activation == "Relu") g = ops::ReluGrad(g, c.outputs[0]);
  MatMulInputGrads(c, ta, tb, g, dx);
  if (c.wanted[2]) dx[2] = ops::BiasAddGrad(g);
  return absl::OkStatus();
}

// The reduced gradient with the reduced dims put back as 1s, then broadcast
// to the input's shape.
absl::StatusOr<Output> BroadcastReduced(const GradContext& c) {
  ASSIGN_OR_RETURN(std::vector<int64_t> axis, c.node.attr<std::vector<int64_t>>("axis"));
  ASSIGN_OR_RETURN(bool keep_dims, c.node.attr<bool>("keep_dims"));
  const Output x = c.inputs[0];
  Output g = c.grads[0];
  if (!keep_dims && !axis.empty()) {
    const PartialShape s = x.shape();
    if (!s.known_rank()) {
      return absl::UnimplementedError(
          absl::StrCat("the rank of ", x.name(), " is unknown, so the reduced axes cannot be "
                       "restored; give the input a shape"));
    }
    ASSIGN_OR_RETURN(std::vector<int> axes, NormalizeAxes(axis, s.rank()));
    for (int a : axes) g = ops::ExpandDims(g, a);  // ascending: each lands where it was
  }
  return ops::BroadcastLike(g, x);
}

absl::Status SumGrad(const GradContext& c, std::vector<Output>& dx) {
  ASSIGN_OR_RETURN(dx[0], BroadcastReduced(c));
  return absl::OkStatus();
}

// Sum's gradient over the number of elements folded into each output: known
// now when the input's shape is, else computed at run time.
absl::Status MeanGrad(const GradContext& c, std::vector<Output>& dx) {
  ASSIGN_OR_RETURN(Output g, BroadcastReduced(c));
  const PartialShape in = c.inputs[0].shape(), out = c.outputs[0].shape();
  if (in.fully_defined() && out.fully_defined()) {
    int64_t n = 1, m = 1;
    for (int64_t d : in.dims()) n *= d;
    for (int64_t d : out.dims()) m *= d;
    dx[0] = g * (n == 0 ? 0.0f : static_cast<float>(m) / static_cast<float>(n));
    return absl::OkStatus();
  }
  // Float division (the counts divide exactly): an int32 Div has no GPU
  // kernel, and would pull the sizes back to the host every step.
  Output count = ops::Cast(ops::Size(c.inputs[0]), DataType::kFloat32) /
                 ops::Cast(ops::Size(c.outputs[0]), DataType::kFloat32);
  dx[0] = g / count;
  return absl::OkStatus();
}

absl::Status ReduceSumLikeGrad(const GradContext& c, std::vector<Output>& dx) {
  dx[0] = ops::BroadcastLike(c.grads[0], c.inputs[0]);
  return absl::OkStatus();
}

}  // namespace

void RegisterMathGradients(GradientRegistry& r) {
  r.Register("Add", AddGrad);
  r.Register("Sub", SubGrad);
  r.Register("Mul", MulGrad);
  r.Register("Div", DivGrad);
  r.Register("Maximum", MaximumGrad);
  r.Register("AddN", AddNGrad);
  r.Register("Neg", NegGrad);
  r.Register("Exp", ExpGrad);
  r.Register("Log", LogGrad);
  r.Register("Tanh", TanhGrad);
  r.Register("Sigmoid", SigmoidGrad);
  r.Register("Sqrt", SqrtGrad);
  r.Register("Rsqrt", RsqrtGrad);
  r.Register("Square", SquareGrad);
  r.Register("MatMul", MatMulGrad);
  r.Register("FusedMatMul", FusedMatMulGrad);
  r.Register("Sum", SumGrad);
  r.Register("Mean", MeanGrad);
  r.Register("ReduceSumLike", ReduceSumLikeGrad);
}

}  // namespace graphrt
