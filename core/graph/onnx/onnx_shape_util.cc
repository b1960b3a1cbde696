#include "core/graph/onnx/onnx_shape_util.h"

#include "core/base/status_macros.h"

namespace graphrt::onnx_import {

absl::StatusOr<std::vector<int64_t>> ConstantInts(OnnxContext& ctx, int i) {
  ASSIGN_OR_RETURN(Tensor t, ctx.ConstantInput(i));
  if (t.dtype() == DataType::kInt64) {
    return std::vector<int64_t>(t.flat<int64_t>().begin(), t.flat<int64_t>().end());
  }
  if (t.dtype() == DataType::kInt32) {
    return std::vector<int64_t>(t.flat<int32_t>().begin(), t.flat<int32_t>().end());
  }
  return ctx.Error("input ", i, " must be int32 or int64, is ", DataTypeName(t.dtype()));
}

std::optional<Tensor> MaybeConstant(OnnxContext& ctx, int i) {
  absl::StatusOr<Tensor> t = ctx.ConstantInput(i);
  if (!t.ok()) return std::nullopt;
  return *std::move(t);
}

absl::StatusOr<PartialShape> ShapeOf(OnnxContext& ctx, int i) {
  if (std::optional<Tensor> c = MaybeConstant(ctx, i)) return PartialShape(c->shape());
  ASSIGN_OR_RETURN(Output x, ctx.Input(i));
  return x.shape();
}

absl::StatusOr<int64_t> NormalizeAxis(OnnxContext& ctx, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    return ctx.Error("axis ", axis, " is out of range [", -rank, ", ", rank, ")");
  }
  return axis < 0 ? axis + rank : axis;
}

bool RunTimeInput(OnnxContext& ctx, int i, int64_t input_since) {
  return ctx.opset() >= input_since && ctx.HasInput(i) && !MaybeConstant(ctx, i).has_value();
}

absl::StatusOr<std::optional<std::vector<int64_t>>> Axes(OnnxContext& ctx, int i,
                                                         int64_t input_since) {
  if (ctx.opset() < input_since) return ctx.OptionalIntsAttr("axes");
  if (!ctx.HasInput(i)) return std::optional<std::vector<int64_t>>();
  ASSIGN_OR_RETURN(std::vector<int64_t> axes, ConstantInts(ctx, i));
  return std::optional<std::vector<int64_t>>(std::move(axes));
}

}  // namespace graphrt::onnx_import
