// Gradients of the layout ops (core/graph/ops/layout_ops.h). Each moves the
// gradient back the way the forward op moved the elements: Pad's is the
// unpadded box (SliceLike), ConcatV2's the pieces (SplitLike), Transpose's
// the inverse permutation, Squeeze's a reshape to the input's shape.
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/gradients.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/layout_ops.h"
#include "core/graph/ops/math_ops.h"

namespace graphrt {
namespace {

std::vector<int64_t> Befores(const std::vector<int64_t>& paddings) {
  std::vector<int64_t> before;
  for (size_t d = 0; d + 1 < paddings.size(); d += 2) before.push_back(paddings[d]);
  return before;
}

// Pad and PadV2: the input's box of the gradient; PadV2's constant_values
// received every padded element's gradient, i.e. all of it but that box.
absl::Status PadGrad(const GradContext& c, std::vector<Output>& dx) {
  ASSIGN_OR_RETURN(std::vector<int64_t> pads, c.node.attr<std::vector<int64_t>>("paddings"));
  const Output g = c.grads[0];
  Output inner = ops::SliceLike(g, c.inputs[0], Befores(pads));
  if (c.wanted[0]) dx[0] = inner;
  if (dx.size() > 1 && c.wanted[1]) dx[1] = ops::Sum(g) - ops::Sum(inner);
  return absl::OkStatus();
}

// SliceLike: the gradient padded back to the input's shape, which must be
// known when the gradient is built (it is only a second-order gradient).
absl::Status SliceLikeGrad(const GradContext& c, std::vector<Output>& dx) {
  ASSIGN_OR_RETURN(std::vector<int64_t> begin, c.node.attr<std::vector<int64_t>>("begin"));
  const PartialShape in = c.inputs[0].shape(), out = c.outputs[0].shape();
  if (!in.fully_defined() || !out.fully_defined()) {
    return absl::UnimplementedError(absl::StrCat(
        "the gradient of SliceLike needs the shapes of ", c.inputs[0].name(), " (",
        in.DebugString(), ") and of its output (", out.DebugString(),
        ") known when the graph is built"));
  }
  std::vector<int64_t> pads;
  for (int d = 0; d < in.rank(); ++d) {
    pads.push_back(begin[d]);
    pads.push_back(in.dim(d) - begin[d] - out.dim(d));
  }
  dx[0] = ops::Pad(c.grads[0], std::move(pads));
  return absl::OkStatus();
}

absl::Status ConcatGrad(const GradContext& c, std::vector<Output>& dx) {
  ASSIGN_OR_RETURN(int64_t axis, c.node.attr<int64_t>("axis"));
  std::vector<Output> pieces = ops::SplitLike(c.grads[0], c.inputs, axis);
  for (size_t i = 0; i < dx.size(); ++i) {
    if (c.wanted[i]) dx[i] = pieces[i];
  }
  return absl::OkStatus();
}

// SplitLike: the pieces' gradients joined again, zeros for unused pieces.
absl::Status SplitLikeGrad(const GradContext& c, std::vector<Output>& dx) {
  if (!c.wanted[0]) return absl::OkStatus();
  ASSIGN_OR_RETURN(int64_t axis, c.node.attr<int64_t>("axis"));
  std::vector<Output> pieces;
  for (size_t k = 0; k < c.grads.size(); ++k) {
    pieces.push_back(c.grads[k].valid() ? c.grads[k]
                                        : ops::BroadcastLike(c.builder.Scalar(0.0f),
                                                             c.outputs[k]));
  }
  dx[0] = ops::ConcatV2(pieces, axis);
  return absl::OkStatus();
}

absl::Status TransposeGrad(const GradContext& c, std::vector<Output>& dx) {
  ASSIGN_OR_RETURN(std::vector<int64_t> perm, c.node.attr<std::vector<int64_t>>("perm"));
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<int64_t>(i);
  dx[0] = ops::Transpose(c.grads[0], std::move(inverse));
  return absl::OkStatus();
}

absl::Status SqueezeGrad(const GradContext& c, std::vector<Output>& dx) {
  ASSIGN_OR_RETURN(dx[0], grad::ReshapeToInput(c.grads[0], c.inputs[0]));
  return absl::OkStatus();
}

}  // namespace

void RegisterLayoutGradients(GradientRegistry& r) {
  r.Register("Pad", PadGrad);
  r.Register("PadV2", PadGrad);
  r.Register("SliceLike", SliceLikeGrad);
  r.Register("ConcatV2", ConcatGrad);
  r.Register("SplitLike", SplitLikeGrad);
  r.Register("Transpose", TransposeGrad);
  r.Register("Squeeze", SqueezeGrad);
}

}  // namespace graphrt
