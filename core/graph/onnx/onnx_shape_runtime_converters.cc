// The shape family's converters for operands computed when the model runs,
// GatherND / ScatterND / ScatterElements, and the ops that always read their
// operands when they run (CumSum, Tile, Trilu, GatherElements, OneHot, TopK)
// (onnx_shape_runtime_converters.h).
//
// Note [Run-time shape operands]
// Rationale: models (and ONNX's backend tests) also feed Reshape's shape and
// Slice's starts/ends/axes/steps as graph inputs or compute them from data.
// Approach: when such an operand is not an import-time constant, the node
// becomes DynamicReshape / DynamicSlice / DynamicSqueeze / DynamicUnsqueeze /
// DynamicExpand (Expand, ConstantOfShape) / DynamicSlice (Split) / Range /
// DynamicPad (also Pad's edge and reflect modes) /
// DynamicSum (Mean, Max, Min, Prod) (core/graph/ops/indexing_dynamic.h),
// which read it when they run; the output's dims are then unknown at import.
// A constant operand keeps the fold / attr-built op above (checked once,
// shapes known downstream).
#include "core/graph/onnx/onnx_shape_runtime_converters.h"

#include <cstring>
#include <string>
#include <vector>

#include "core/base/status_macros.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/indexing_dynamic.h"
#include "core/graph/ops/indexing_ops.h"

namespace graphrt::onnx_import {

// Slice whose starts, ends, axes or steps are computed when the model runs
// (Note [Run-time shape operands]): one DynamicSlice; absent axes / steps
// are empty constants of the starts' dtype (the kernel's defaults).
absl::Status ConvertRunTimeSlice(OnnxContext& ctx) {
  Output in[5];
  for (int i = 0; i < 3; ++i) {
    ASSIGN_OR_RETURN(in[i], ctx.Input(i));
  }
  for (int i = 3; i < 5; ++i) {
    if (ctx.HasInput(i)) {
      ASSIGN_OR_RETURN(in[i], ctx.Input(i));
    } else if (in[1].dtype() == DataType::kInt32) {
      in[i] = ctx.builder().Const(Tensor::FromVector(std::vector<int32_t>{}));
    } else {
      in[i] = ctx.builder().Const(Tensor::FromVector(std::vector<int64_t>{}));
    }
  }
  return ctx.SetOutput(0, ops::DynamicSlice(in[0], in[1], in[2], in[3], in[4],
                                            ctx.node().name()));
}

// Split whose sizes are computed when the model runs (Note [Run-time shape
// operands]): output k is a DynamicSlice along the axis from the exclusive
// running sum of the sizes to the inclusive one, both picked by a Gather.
// Limitation: sizes that do not add up to the dim are clamped as a slice
// is, not reported.
absl::Status ConvertRunTimeSplit(OnnxContext& ctx, Output x, int64_t axis) {
  ASSIGN_OR_RETURN(Output split, ctx.Input(1));
  GraphBuilder& b = ctx.builder();
  const bool i32 = split.dtype() == DataType::kInt32;
  auto ints = [&](int64_t v, bool rank1) {
    Tensor t = i32 ? Tensor::Scalar<int32_t>(static_cast<int32_t>(v)) : Tensor::Scalar<int64_t>(v);
    if (rank1) t = *t.Reshaped(TensorShape({1}));
    return b.Const(std::move(t));
  };
  Output zero = ints(0, false);
  Output cumsum_in[] = {split, zero};
  Output ends = b.Op("Cumsum", cumsum_in, {{"exclusive", false}, {"reverse", false}});
  Output starts = b.Op("Cumsum", cumsum_in, {{"exclusive", true}, {"reverse", false}});
  Output axes = ints(axis, true), steps = ints(1, true);
  for (int k = 0; k < ctx.num_outputs(); ++k) {
    if (!ctx.HasOutput(k)) continue;
    Output pick = b.Const(Tensor::FromVector(std::vector<int64_t>{k}));
    RETURN_IF_ERROR(ctx.SetOutput(
        k, ops::DynamicSlice(x, ops::GatherV2(starts, pick, 0), ops::GatherV2(ends, pick, 0),
                             axes, steps)));
  }
  return absl::OkStatus();
}

// Pad in edge or reflect mode, or with pads computed when the model runs
// (Note [Run-time shape operands]): one DynamicPad; constant_value defaults
// to a zero of the input's dtype; opsets before 11 give pads and value as
// attrs.
absl::Status ConvertDynamicPad(OnnxContext& ctx, const std::string& mode) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  Output pads, value;
  if (ctx.opset() < 11) {
    pads = ctx.builder().Const(Tensor::FromVector(ctx.IntsAttr(ctx.opset() < 2 ? "paddings" : "pads")));
    if (x.dtype() == DataType::kFloat32) value = ctx.builder().Scalar<float>(ctx.FloatAttr("value", 0.0f));
  } else {
    ASSIGN_OR_RETURN(pads, ctx.Input(1));
    if (ctx.HasInput(2)) {
      ASSIGN_OR_RETURN(value, ctx.Input(2));
    }
  }
  if (!value.valid()) {
    Tensor zero(x.dtype(), TensorShape{});
    std::memset(zero.raw_data(), 0, DataTypeSize(x.dtype()));
    value = ctx.builder().Const(std::move(zero));
  }
  Output in[] = {x, pads, value};
  return ctx.SetOutput(0, ctx.builder().Op("DynamicPad", in, {{"mode", mode}}, ctx.node().name()));
}

// GatherND, ScatterND and ScatterElements (core/graph/ops/indexing_scatter.h):
// one node each, graphrt's op under ONNX's name, with the scatters'
// reduction.
absl::Status ConvertGatherNd(OnnxContext& ctx) {
  Output in[2];
  for (int i = 0; i < 2; ++i) {
    ASSIGN_OR_RETURN(in[i], ctx.Input(i));
  }
  return ctx.SetOutput(0, ctx.builder().Op("GatherND", in,
                                           {{"batch_dims", ctx.IntAttr("batch_dims", 0)}},
                                           ctx.node().name()));
}

namespace {
absl::Status ConvertScatter(OnnxContext& ctx, bool kElements) {
  const std::string reduction = ctx.StringAttr("reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul" && reduction != "max" &&
      reduction != "min") {
    return ctx.Unsupported("reduction '", reduction, "' (none, add, mul, max, min are)");
  }
  Output in[3];
  for (int i = 0; i < 3; ++i) {
    ASSIGN_OR_RETURN(in[i], ctx.Input(i));
  }
  AttrMap attrs = {{"reduction", reduction}};
  if (kElements) attrs["axis"] = ctx.IntAttr("axis", 0);
  return ctx.SetOutput(0, ctx.builder().Op(kElements ? "ScatterElements" : "ScatterND", in,
                                           std::move(attrs), ctx.node().name()));
}
}  // namespace

absl::Status ConvertScatterNd(OnnxContext& ctx) { return ConvertScatter(ctx, false); }
absl::Status ConvertScatterElements(OnnxContext& ctx) { return ConvertScatter(ctx, true); }

// Ops whose operands are read when they run: CumSum (axis), Tile
// (repeats), Trilu (k, 0 when absent), GatherElements.
absl::Status ConvertCumSum(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  ASSIGN_OR_RETURN(Output axis, ctx.Input(1));
  Output in[] = {x, axis};
  return ctx.SetOutput(0, ctx.builder().Op("Cumsum", in,
                                           {{"exclusive", ctx.IntAttr("exclusive", 0) != 0},
                                            {"reverse", ctx.IntAttr("reverse", 0) != 0}},
                                           ctx.node().name()));
}

absl::Status ConvertTile(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  ASSIGN_OR_RETURN(Output repeats, ctx.Input(1));
  Output in[] = {x, repeats};
  return ctx.SetOutput(0, ctx.builder().Op("Tile", in, {}, ctx.node().name()));
}

absl::Status ConvertTrilu(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  Output k;
  if (ctx.HasInput(1)) {
    ASSIGN_OR_RETURN(k, ctx.Input(1));
  } else {
    k = ctx.builder().Scalar<int64_t>(0);
  }
  Output in[] = {x, k};
  return ctx.SetOutput(0, ctx.builder().Op("Trilu", in, {{"upper", ctx.IntAttr("upper", 1) != 0}},
                                           ctx.node().name()));
}

absl::Status ConvertGatherElements(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output data, ctx.Input(0));
  ASSIGN_OR_RETURN(Output indices, ctx.Input(1));
  Output in[] = {data, indices};
  return ctx.SetOutput(0, ctx.builder().Op("GatherElements", in,
                                           {{"axis", ctx.IntAttr("axis", 0)}},
                                           ctx.node().name()));
}

// OneHot(indices, depth, [off, on]): TF's OneHot with indices cast to int64
// and depth to int32 (ONNX allows floats for both) and negative indices
// counting from the end, as ONNX says.
absl::Status ConvertOneHot(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output indices, ctx.Input(0));
  ASSIGN_OR_RETURN(Output depth, ctx.Input(1));
  ASSIGN_OR_RETURN(Output values, ctx.Input(2));
  if (indices.dtype() != DataType::kInt64 && indices.dtype() != DataType::kInt32) {
    indices = ops::Cast(indices, DataType::kInt64);
  }
  if (depth.dtype() != DataType::kInt32) depth = ops::Cast(depth, DataType::kInt32);
  auto pick = [&](int64_t k) {
    StridedSliceAttrs a{{k}, {k + 1}, {1}};
    a.shrink_axis_mask = 1;
    return ops::StridedSlice(values, a);
  };
  // ONNX's axis counts from the end of the output (rank + 1 dims); TF's
  // only takes -1 for the last.
  int64_t axis = ctx.IntAttr("axis", -1);
  if (axis < -1) {
    if (!indices.shape().known_rank()) return ctx.Unsupported("axis ", axis, " on an unknown rank");
    axis += indices.shape().rank() + 1;
  }
  Output in[] = {indices, depth, pick(1), pick(0)};
  return ctx.SetOutput(0, ctx.builder().Op("OneHot", in,
                                           {{"axis", axis},
                                            {"negative_indices_count_from_end", true}},
                                           ctx.node().name()));
}

// TopK (K an input from opset 10): graphrt's TopKV2, int64 indices.
absl::Status ConvertTopK(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  Output k;
  if (ctx.opset() < 10) {
    k = ctx.builder().Scalar<int64_t>(ctx.IntAttr("k", 0));
  } else {
    ASSIGN_OR_RETURN(k, ctx.Input(1));
  }
  Output in[] = {x, k};
  GraphBuilder& b = ctx.builder();
  const int id = b.AddNode("TopKV2", in,
                           {{"axis", ctx.IntAttr("axis", -1)},
                            {"largest", ctx.IntAttr("largest", 1) != 0},
                            {"sorted", ctx.IntAttr("sorted", 1) != 0},
                            {"index_type", DataType::kInt64}},
                           ctx.node().name());
  if (id < 0) return b.status();
  RETURN_IF_ERROR(ctx.SetOutput(0, Output(&b, id, 0)));
  return ctx.SetOutput(1, Output(&b, id, 1));
}

}  // namespace graphrt::onnx_import
