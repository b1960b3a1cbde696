// ONNX converters of the shape family: shape and indexing ops (Reshape,
// Flatten, Squeeze, Unsqueeze, Concat, Transpose, Shape, Size, Gather, Slice,
// Split, ConstantOfShape, Range, Expand, Pad, EyeLike, DepthToSpace,
// SpaceToDepth). The table also lists the ops of
// onnx_shape_runtime_converters.h (CumSum, Tile, Trilu, GatherElements,
// OneHot, TopK, GatherND, ScatterND, ScatterElements); the reductions are in
// onnx_reduction_converters.cc.
//
// Note [Shape arithmetic folds at import time]
// Rationale: exported models compute shapes with Shape -> Gather ->
// Unsqueeze -> Concat -> Reshape; graphrt's Reshape, Squeeze and the slices
// take their shapes as attrs, fixed when the graph is built.
// Approach: an op whose inputs are all known at import time and that only
// relabels or picks elements (Reshape, Squeeze, Unsqueeze, Flatten, Concat,
// Gather and Slice of rank-1 integers, Shape and Size of known shapes,
// ConstantOfShape, Range) binds a constant output; the importer makes a
// Const node only where a run-time op reads it.
// Limitations: a shape that depends on an unknown dimension is refused
// (UNIMPLEMENTED naming the node), as is a bound only known when it runs
// (except where Note [Run-time shape operands] applies).
//
// Note [Run-time shape operands]: onnx_shape_runtime_converters.cc.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <optional>
#include <type_traits>
#include <vector>

#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "core/graph/onnx/onnx_converter.h"
#include "core/graph/onnx/onnx_shape_runtime_converters.h"
#include "core/graph/onnx/onnx_shape_util.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/indexing_dynamic.h"
#include "core/graph/ops/indexing_ops.h"
#include "core/graph/ops/layout_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/shape_inference.h"

namespace graphrt::onnx_import {
namespace {

// Binds x relabelled to `dims` (at most one -1): a constant stays one.
// Dims below -1, or known dims whose product overflows int64 (a file can
// say anything), are errors naming the shape.
absl::Status Relabel(OnnxContext& ctx, std::vector<int64_t> dims) {
  int64_t known = 1, unknown = -1;
  for (size_t k = 0; k < dims.size(); ++k) {
    if (dims[k] < -1) {
      return ctx.Error("target shape [", absl::StrJoin(dims, ","), "] has a dim below -1");
    }
    if (dims[k] == -1) {
      unknown = static_cast<int64_t>(k);
    } else if (__builtin_mul_overflow(known, dims[k], &known)) {
      return ctx.Error("target shape [", absl::StrJoin(dims, ","),
                       "] has more than 2^63 elements");
    }
  }
  if (std::optional<Tensor> c = MaybeConstant(ctx, 0)) {
    if (unknown >= 0 && known > 0) dims[unknown] = c->num_elements() / known;
    auto reshaped = c->Reshaped(TensorShape(std::span<const int64_t>(dims)));
    if (!reshaped.ok()) return ctx.Error(reshaped.status().message());
    return ctx.SetConstantOutput(0, *std::move(reshaped));
  }
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  return ctx.SetOutput(0, ops::Reshape(x, std::move(dims), ctx.node().name()));
}

absl::Status ConvertReshape(OnnxContext& ctx) {
  std::vector<int64_t> shape;
  const bool allowzero = ctx.IntAttr("allowzero", 0) != 0;
  if (ctx.opset() < 5) {
    shape = ctx.IntsAttr("shape");
  } else if (!MaybeConstant(ctx, 1).has_value()) {
    // Note [Run-time shape operands]
    ASSIGN_OR_RETURN(Output x, ctx.Input(0));
    ASSIGN_OR_RETURN(Output target, ctx.Input(1));
    return ctx.SetOutput(0, ops::DynamicReshape(x, target, allowzero, ctx.node().name()));
  } else {
    ASSIGN_OR_RETURN(shape, ConstantInts(ctx, 1));
  }
  ASSIGN_OR_RETURN(PartialShape in, ShapeOf(ctx, 0));
  // 0 copies the input's dim (unless allowzero). [0, -1] on [N, 3, 4]
  // copies the unknown N: the literal -1 is then the other dims' product.
  int copied_unknown = -1, literal = -1;
  for (size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] == -1) literal = static_cast<int>(k);
    if (shape[k] != 0 || allowzero) continue;
    if (!in.known_rank() || static_cast<int>(k) >= in.rank()) {
      return ctx.Error("shape[", k, "] is 0 (copy the input's dim) but the input ",
                       in.DebugString(), " has no dim ", k);
    }
    shape[k] = in.dim(static_cast<int>(k));
    if (shape[k] < 0) copied_unknown = copied_unknown == -1 ? static_cast<int>(k) : -2;
  }
  if (copied_unknown >= 0 && literal >= 0) {
    // An overflowing product is left unknown (-1), and Relabel says why.
    int64_t rest = 1, known = 1;
    for (int d = 0; d < in.rank() && rest > 0; ++d) {
      if (d == copied_unknown) continue;
      if (in.dim(d) < 0 || __builtin_mul_overflow(rest, in.dim(d), &rest)) rest = -1;
    }
    for (size_t k = 0; k < shape.size() && known > 0; ++k) {
      if (shape[k] >= 0 && __builtin_mul_overflow(known, shape[k], &known)) known = -1;
    }
    if (rest > 0 && known > 0 && rest % known == 0) shape[literal] = rest / known;
  }
  if (std::count(shape.begin(), shape.end(), -1) > 1) {
    return ctx.Unsupported("target shape [", absl::StrJoin(shape, ","), "] from input ",
                           in.DebugString(), " has more than one unknown dim");
  }
  return Relabel(ctx, std::move(shape));
}

absl::Status ConvertFlatten(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(PartialShape in, ShapeOf(ctx, 0));
  if (!in.known_rank()) return ctx.Unsupported("the input's rank is unknown");
  int64_t axis = ctx.IntAttr("axis", 1);
  if (axis < 0) axis += in.rank();
  if (axis < 0 || axis > in.rank()) return ctx.Error("axis ", axis, " is out of range");
  int64_t left = 1, right = 1;
  for (int d = 0; d < in.rank(); ++d) {
    int64_t& side = d < axis ? left : right;
    if (in.dim(d) < 0 || side < 0) {
      side = -1;
    } else if (__builtin_mul_overflow(side, in.dim(d), &side)) {
      return ctx.Error("input ", in.DebugString(), " has more than 2^63 elements");
    }
  }
  if (left < 0 && right < 0) {
    return ctx.Unsupported("both sides of axis ", axis, " of ", in.DebugString(),
                           " hold unknown dims");
  }
  return Relabel(ctx, {left, right});
}

absl::Status ConvertSqueeze(OnnxContext& ctx) {
  if (RunTimeInput(ctx, 1, 13)) {  // Note [Run-time shape operands]
    ASSIGN_OR_RETURN(Output x, ctx.Input(0));
    ASSIGN_OR_RETURN(Output axes, ctx.Input(1));
    return ctx.SetOutput(0, ops::DynamicSqueeze(x, axes, ctx.node().name()));
  }
  ASSIGN_OR_RETURN(std::optional<std::vector<int64_t>> axes, Axes(ctx, 1, 13));
  ASSIGN_OR_RETURN(PartialShape in, ShapeOf(ctx, 0));
  if (std::optional<Tensor> c = MaybeConstant(ctx, 0)) {
    std::vector<bool> drop(c->rank(), false);
    if (!axes.has_value() || axes->empty()) {
      for (int d = 0; d < c->rank(); ++d) drop[d] = c->dim(d) == 1;
    } else {
      for (int64_t a : *axes) {
        ASSIGN_OR_RETURN(int64_t d, NormalizeAxis(ctx, a, c->rank()));
        drop[d] = true;
      }
    }
    std::vector<int64_t> dims;
    for (int d = 0; d < c->rank(); ++d) {
      if (!drop[d]) dims.push_back(c->dim(d));
    }
    return Relabel(ctx, std::move(dims));
  }
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  return ctx.SetOutput(0, ops::Squeeze(x, axes.value_or(std::vector<int64_t>{}),
                                       ctx.node().name()));
}

absl::Status ConvertUnsqueeze(OnnxContext& ctx) {
  if (RunTimeInput(ctx, 1, 13)) {  // Note [Run-time shape operands]
    ASSIGN_OR_RETURN(Output x, ctx.Input(0));
    ASSIGN_OR_RETURN(Output axes, ctx.Input(1));
    return ctx.SetOutput(0, ops::DynamicUnsqueeze(x, axes, ctx.node().name()));
  }
  ASSIGN_OR_RETURN(std::optional<std::vector<int64_t>> axes, Axes(ctx, 1, 13));
  if (!axes.has_value() || axes->empty()) return ctx.Error("needs axes");
  ASSIGN_OR_RETURN(PartialShape in, ShapeOf(ctx, 0));
  if (!in.known_rank()) return ctx.Unsupported("the input's rank is unknown");
  const int64_t out_rank = in.rank() + static_cast<int64_t>(axes->size());
  std::vector<int64_t> sorted;
  for (int64_t a : *axes) {
    ASSIGN_OR_RETURN(int64_t d, NormalizeAxis(ctx, a, out_rank));
    sorted.push_back(d);
  }
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return ctx.Error("axes repeat an axis");
  }
  if (MaybeConstant(ctx, 0).has_value()) {
    std::vector<int64_t> dims(in.dims().begin(), in.dims().end());
    for (int64_t d : sorted) dims.insert(dims.begin() + d, 1);
    return Relabel(ctx, std::move(dims));
  }
  // Ascending, each axis already counts the ones inserted before it.
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  for (size_t k = 0; k < sorted.size(); ++k) {
    const bool last = k + 1 == sorted.size();
    x = ops::ExpandDims(x, sorted[k], last ? ctx.node().name() : "");
  }
  return ctx.SetOutput(0, x);
}

// Rank-1 integer constants joined, or a ConcatV2 node.
absl::Status ConvertConcat(OnnxContext& ctx) {
  const onnx::AttributeProto* axis_attr = ctx.FindAttr("axis");
  if (axis_attr == nullptr && ctx.opset() >= 4) return ctx.Error("attr 'axis' is not set");
  const int64_t axis = ctx.IntAttr("axis", 1);
  std::vector<int64_t> folded;
  bool all_constant = true;
  DataType dtype = DataType::kInvalid;
  for (int i = 0; i < ctx.num_inputs() && all_constant; ++i) {
    std::optional<Tensor> c = MaybeConstant(ctx, i);
    all_constant = c.has_value() && c->rank() == 1 &&
                   (c->dtype() == DataType::kInt64 || c->dtype() == DataType::kInt32) &&
                   (dtype == DataType::kInvalid || dtype == c->dtype());
    if (!all_constant) break;
    dtype = c->dtype();
    ASSIGN_OR_RETURN(std::vector<int64_t> v, ConstantInts(ctx, i));
    folded.insert(folded.end(), v.begin(), v.end());
  }
  if (all_constant) {
    if (dtype == DataType::kInt64) return ctx.SetConstantOutput(0, Tensor::FromVector(folded));
    return ctx.SetConstantOutput(
        0, Tensor::FromVector(std::vector<int32_t>(folded.begin(), folded.end())));
  }
  std::vector<Output> values;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    ASSIGN_OR_RETURN(Output v, ctx.Input(i));
    values.push_back(v);
  }
  return ctx.SetOutput(0, ops::ConcatV2(values, axis, ctx.node().name()));
}

absl::Status ConvertTranspose(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  std::vector<int64_t> perm = ctx.IntsAttr("perm");
  if (perm.empty()) {
    if (!x.shape().known_rank()) return ctx.Unsupported("no perm and an unknown rank");
    for (int d = x.shape().rank() - 1; d >= 0; --d) perm.push_back(d);
  }
  return ctx.SetOutput(0, ops::Transpose(x, std::move(perm), ctx.node().name()));
}

absl::Status ConvertShape(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(PartialShape in, ShapeOf(ctx, 0));
  if (!in.known_rank()) return ctx.Unsupported("the input's rank is unknown at import time");
  const int64_t rank = in.rank();
  auto clamp = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  const int64_t start = clamp(ctx.IntAttr("start", 0)), end = clamp(ctx.IntAttr("end", rank));
  std::vector<int64_t> dims;
  for (int64_t d = start; d < end; ++d) {
    if (in.dim(d) < 0) {
      return ctx.Unsupported("dim ", d, " of ", in.DebugString(),
                             " is only known when the graph runs (Note [Shape arithmetic "
                             "folds at import time])");
    }
    dims.push_back(in.dim(d));
  }
  return ctx.SetConstantOutput(0, Tensor::FromVector(dims));
}

absl::Status ConvertSize(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(PartialShape in, ShapeOf(ctx, 0));
  if (in.fully_defined()) {
    int64_t n = 1;
    for (int64_t d : in.dims()) n *= d;
    return ctx.SetConstantOutput(0, Tensor::Scalar<int64_t>(n));
  }
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  return ctx.SetOutput(0, ops::Size(x, DataType::kInt64, ctx.node().name()));
}

absl::Status ConvertGather(OnnxContext& ctx) {
  const int64_t axis = ctx.IntAttr("axis", 0);
  std::optional<Tensor> data = MaybeConstant(ctx, 0), indices = MaybeConstant(ctx, 1);
  if (data && indices && data->rank() == 1 && indices->rank() <= 1 &&
      (data->dtype() == DataType::kInt64 || data->dtype() == DataType::kInt32)) {
    ASSIGN_OR_RETURN(std::vector<int64_t> v, ConstantInts(ctx, 0));
    ASSIGN_OR_RETURN(std::vector<int64_t> at, ConstantInts(ctx, 1));
    const int64_t n = static_cast<int64_t>(v.size());
    std::vector<int64_t> out;
    for (int64_t k : at) {
      if (k < -n || k >= n) return ctx.Error("index ", k, " is out of range for ", n, " values");
      out.push_back(v[k < 0 ? k + n : k]);
    }
    const TensorShape shape = indices->shape();
    if (data->dtype() == DataType::kInt64) {
      return ctx.SetConstantOutput(0, Tensor::FromVector(out, shape));
    }
    return ctx.SetConstantOutput(
        0, Tensor::FromVector(std::vector<int32_t>(out.begin(), out.end()), shape));
  }
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  ASSIGN_OR_RETURN(Output idx, ctx.Input(1));
  return ctx.SetOutput(0, ops::GatherV2(x, idx, axis, 0, ctx.node().name()));
}

// Slice: starts/ends/axes/steps (inputs from opset 10, attrs before) on the
// StridedSlice rules, which clamp as ONNX does; unlisted axes are whole.
absl::Status ConvertSlice(OnnxContext& ctx) {
  std::vector<int64_t> starts, ends, axes, steps;
  if (ctx.opset() < 10) {
    starts = ctx.IntsAttr("starts");
    ends = ctx.IntsAttr("ends");
    axes = ctx.IntsAttr("axes");
  } else {
    bool run_time = false;
    for (int i = 1; i < 5; ++i) {
      run_time |= ctx.HasInput(i) && !MaybeConstant(ctx, i).has_value();
    }
    if (run_time) return ConvertRunTimeSlice(ctx);
    ASSIGN_OR_RETURN(starts, ConstantInts(ctx, 1));
    ASSIGN_OR_RETURN(ends, ConstantInts(ctx, 2));
    if (ctx.HasInput(3)) {
      ASSIGN_OR_RETURN(axes, ConstantInts(ctx, 3));
    }
    if (ctx.HasInput(4)) {
      ASSIGN_OR_RETURN(steps, ConstantInts(ctx, 4));
    }
  }
  ASSIGN_OR_RETURN(PartialShape in, ShapeOf(ctx, 0));
  if (!in.known_rank()) return ctx.Unsupported("the input's rank is unknown");
  const int64_t rank = in.rank();
  if (axes.empty()) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    return ctx.Error("starts, ends, axes and steps must have one length");
  }
  StridedSliceAttrs a;
  a.begin.assign(rank, 0);
  a.end.assign(rank, 0);
  a.strides.assign(rank, 1);
  a.begin_mask = a.end_mask = (int64_t{1} << rank) - 1;
  for (size_t k = 0; k < axes.size(); ++k) {
    ASSIGN_OR_RETURN(int64_t d, NormalizeAxis(ctx, axes[k], rank));
    if (steps[k] == 0) return ctx.Error("step ", k, " is 0");
    a.begin[d] = starts[k];
    a.end[d] = ends[k];
    a.strides[d] = steps[k];
    a.begin_mask &= ~(int64_t{1} << d);
    a.end_mask &= ~(int64_t{1} << d);
  }
  if (std::optional<Tensor> c = MaybeConstant(ctx, 0);
      c && rank == 1 && (c->dtype() == DataType::kInt64 || c->dtype() == DataType::kInt32)) {
    ASSIGN_OR_RETURN(std::vector<int64_t> v, ConstantInts(ctx, 0));
    auto plan = PlanStridedSlice(c->shape().dims(), a);
    if (!plan.ok()) return ctx.Error(plan.status().message());
    std::vector<int64_t> out;
    for (int64_t k = 0; k < plan->size[0]; ++k) out.push_back(v[plan->begin[0] + k * plan->stride[0]]);
    if (c->dtype() == DataType::kInt64) return ctx.SetConstantOutput(0, Tensor::FromVector(out));
    return ctx.SetConstantOutput(
        0, Tensor::FromVector(std::vector<int32_t>(out.begin(), out.end())));
  }
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  return ctx.SetOutput(0, ops::StridedSlice(x, a, ctx.node().name()));
}

// Split: one StridedSlice per output along the axis, whose size must be known.
absl::Status ConvertSplit(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  const PartialShape in = x.shape();
  if (!in.known_rank()) return ctx.Unsupported("the input's rank is unknown");
  ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx, ctx.IntAttr("axis", 0), in.rank()));
  if (RunTimeInput(ctx, 1, 13)) return ConvertRunTimeSplit(ctx, x, axis);
  const int64_t dim = in.dim(static_cast<int>(axis));
  if (dim < 0) return ctx.Unsupported("the split axis ", axis, " of ", in.DebugString(),
                                      " is only known when the graph runs");
  std::vector<int64_t> sizes;
  if (ctx.opset() < 13) {
    sizes = ctx.IntsAttr("split");
  } else if (ctx.HasInput(1)) {
    ASSIGN_OR_RETURN(sizes, ConstantInts(ctx, 1));
  }
  const int64_t n = ctx.num_outputs();
  if (sizes.empty()) {
    // Equal pieces; with num_outputs (opset 18) the last may be smaller.
    const int64_t piece = (dim + n - 1) / n;
    for (int64_t k = 0, left = dim; k < n; ++k, left -= piece) {
      sizes.push_back(std::min(piece, std::max<int64_t>(left, 0)));
    }
  }
  if (static_cast<int64_t>(sizes.size()) != n ||
      std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) != dim) {
    return ctx.Error("split [", absl::StrJoin(sizes, ","), "] does not cut dim ", axis,
                     " of size ", dim, " into ", n, " outputs");
  }
  const int64_t rank = in.rank();
  int64_t begin = 0;
  for (int64_t k = 0; k < n; ++k) {
    StridedSliceAttrs a;
    a.begin.assign(rank, 0);
    a.end.assign(rank, 0);
    a.strides.assign(rank, 1);
    a.begin_mask = a.end_mask = ((int64_t{1} << rank) - 1) & ~(int64_t{1} << axis);
    a.begin[axis] = begin;
    a.end[axis] = begin + sizes[k];
    begin += sizes[k];
    if (!ctx.HasOutput(static_cast<int>(k))) continue;
    RETURN_IF_ERROR(ctx.SetOutput(static_cast<int>(k),
                                  ops::StridedSlice(x, a)));
  }
  return absl::OkStatus();
}

absl::Status ConvertConstantOfShape(OnnxContext& ctx) {
  Tensor value = Tensor::Scalar<float>(0.0f);
  if (ctx.FindAttr("value") != nullptr) {
    ASSIGN_OR_RETURN(value, ctx.TensorAttr("value"));
  }
  if (value.num_elements() != 1) return ctx.Error("value must hold one element");
  if (RunTimeInput(ctx, 0, 9)) {
    // Note [Run-time shape operands]: the scalar value expanded to the shape.
    ASSIGN_OR_RETURN(Output shape, ctx.Input(0));
    ASSIGN_OR_RETURN(Tensor scalar, value.Reshaped(TensorShape{}));
    return ctx.SetOutput(0, ops::DynamicExpand(ctx.builder().Const(std::move(scalar)), shape,
                                               ctx.node().name()));
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> dims, ConstantInts(ctx, 0));
  for (int64_t d : dims) {
    if (d < 0) return ctx.Error("shape [", absl::StrJoin(dims, ","), "] has a negative dim");
  }
  Tensor out(value.dtype(), TensorShape(std::span<const int64_t>(dims)));
  const size_t size = DataTypeSize(value.dtype());
  char* dst = static_cast<char*>(out.raw_data());
  for (int64_t i = 0; i < out.num_elements(); ++i) {
    std::memcpy(dst + i * size, value.raw_data(), size);
  }
  return ctx.SetConstantOutput(0, std::move(out));
}

absl::Status ConvertRange(OnnxContext& ctx) {
  if (RunTimeInput(ctx, 0, 11) || RunTimeInput(ctx, 1, 11) || RunTimeInput(ctx, 2, 11)) {
    // Note [Run-time shape operands]
    Output in[3];
    for (int i = 0; i < 3; ++i) {
      ASSIGN_OR_RETURN(in[i], ctx.Input(i));
    }
    return ctx.SetOutput(0, ctx.builder().Op("Range", in, {}, ctx.node().name()));
  }
  ASSIGN_OR_RETURN(Tensor start, ctx.ConstantInput(0));
  ASSIGN_OR_RETURN(Tensor limit, ctx.ConstantInput(1));
  ASSIGN_OR_RETURN(Tensor delta, ctx.ConstantInput(2));
  absl::StatusOr<Tensor> out = VisitElementType(
      start.dtype(),
      [&]<typename T>() -> absl::StatusOr<Tensor> {
        if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
          const T s = start.data<T>()[0], l = limit.data<T>()[0], d = delta.data<T>()[0];
          if (d == T(0)) return ctx.Error("delta is 0");
          const double count = std::ceil((static_cast<double>(l) - static_cast<double>(s)) /
                                         static_cast<double>(d));
          const int64_t n = std::max<int64_t>(0, static_cast<int64_t>(count));
          std::vector<T> v;
          for (int64_t i = 0; i < n; ++i) v.push_back(static_cast<T>(s + static_cast<T>(i) * d));
          return Tensor::FromVector(v);
        } else {
          return ctx.Unsupported("Range of ", DataTypeName(start.dtype()));
        }
      },
      absl::StatusOr<Tensor>(ctx.Error("Range of an unknown dtype")));
  if (!out.ok()) return out.status();
  return ctx.SetConstantOutput(0, *std::move(out));
}

// Expand: x broadcast (both ways) with `shape`, through BroadcastLike and a
// zero-filled uint8 Const of the result's shape (only its shape is read).
absl::Status ConvertExpand(OnnxContext& ctx) {
  if (RunTimeInput(ctx, 1, 8)) {  // Note [Run-time shape operands]
    ASSIGN_OR_RETURN(Output x, ctx.Input(0));
    ASSIGN_OR_RETURN(Output shape, ctx.Input(1));
    return ctx.SetOutput(0, ops::DynamicExpand(x, shape, ctx.node().name()));
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> shape, ConstantInts(ctx, 1));
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  const PartialShape in = x.shape();
  if (!in.fully_defined()) {
    return ctx.Unsupported("the input's shape ", in.DebugString(), " is not known at import time");
  }
  auto target = BroadcastShapes(TensorShape(in.dims()), TensorShape(std::span<const int64_t>(shape)));
  if (!target.ok()) return ctx.Error(target.status().message());
  Tensor like(DataType::kUint8, *target);
  if (like.num_elements() > 0) std::memset(like.raw_data(), 0, like.num_elements());
  Output like_node = ctx.builder().Const(std::move(like));
  return ctx.SetOutput(0, ops::BroadcastLike(x, like_node, ctx.node().name()));
}

// Pad, constant mode: ONNX's [begins..., ends...] becomes TF's pairs.
absl::Status ConvertPad(OnnxContext& ctx) {
  const std::string mode = ctx.StringAttr("mode", "constant");
  if (mode != "constant" && mode != "edge" && mode != "reflect") {
    return ctx.Unsupported("mode '", mode, "' (constant, edge and reflect are)");
  }
  if (ctx.opset() >= 18 && ctx.HasInput(3)) return ctx.Unsupported("the axes input");
  if (mode != "constant" || RunTimeInput(ctx, 1, 11)) return ConvertDynamicPad(ctx, mode);
  std::vector<int64_t> pads;
  if (ctx.opset() < 11) {
    pads = ctx.IntsAttr(ctx.opset() < 2 ? "paddings" : "pads");
  } else {
    ASSIGN_OR_RETURN(pads, ConstantInts(ctx, 1));
  }
  if (ctx.opset() >= 18 && ctx.HasInput(3)) return ctx.Unsupported("the axes input");
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  const int64_t rank = static_cast<int64_t>(pads.size()) / 2;
  std::vector<int64_t> pairs;
  for (int64_t d = 0; d < rank; ++d) {
    if (pads[d] < 0 || pads[d + rank] < 0) return ctx.Unsupported("negative pads (cropping)");
    pairs.push_back(pads[d]);
    pairs.push_back(pads[d + rank]);
  }
  Output value;
  if (ctx.opset() >= 11 && ctx.HasInput(2)) {
    ASSIGN_OR_RETURN(value, ctx.Input(2));
  } else if (const float v = ctx.FloatAttr("value", 0.0f); v != 0.0f) {
    if (x.dtype() != DataType::kFloat32) return ctx.Unsupported("a non-zero value attr on ints");
    value = ctx.builder().Scalar<float>(v);
  }
  if (!value.valid()) return ctx.SetOutput(0, ops::Pad(x, std::move(pairs), ctx.node().name()));
  return ctx.SetOutput(0, ops::PadV2(x, std::move(pairs), value, ctx.node().name()));
}

// EyeLike: a constant of the input's (known) 2-D shape, ones on diagonal k.
absl::Status ConvertEyeLike(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(PartialShape in, ShapeOf(ctx, 0));
  if (!in.fully_defined() || in.rank() != 2) {
    return ctx.Unsupported("the input's shape ", in.DebugString(),
                           " must be 2-D and known at import time");
  }
  DataType dtype = DataType::kFloat32;
  if (const onnx::AttributeProto* a = ctx.FindAttr("dtype"); a != nullptr) {
    ASSIGN_OR_RETURN(dtype, DataTypeFromOnnx(static_cast<int32_t>(a->i())));
  } else if (std::optional<Tensor> c = MaybeConstant(ctx, 0)) {
    dtype = c->dtype();
  } else {
    ASSIGN_OR_RETURN(Output x, ctx.Input(0));
    dtype = x.dtype();
  }
  const int64_t rows = in.dim(0), cols = in.dim(1), k = ctx.IntAttr("k", 0);
  Tensor out(dtype, TensorShape{rows, cols});
  const size_t size = DataTypeSize(dtype);
  if (out.num_elements() > 0) std::memset(out.raw_data(), 0, out.num_elements() * size);
  const bool ok = VisitElementType(dtype, [&]<typename T>() {
    if constexpr (std::is_arithmetic_v<T>) {
      for (int64_t i = 0; i < rows; ++i) {
        if (i + k >= 0 && i + k < cols) out.data<T>()[i * cols + i + k] = T(1);
      }
      return true;
    } else {
      return false;
    }
  }, false);
  if (!ok) return ctx.Unsupported("EyeLike of ", DataTypeName(dtype));
  return ctx.SetConstantOutput(0, std::move(out));
}

// DepthToSpace (DCR or CRD) and SpaceToDepth on NCHW: a Reshape to 6 dims,
// a Transpose, a Reshape back; C, H and W must be known (N may not be).
template <bool kToSpace>
absl::Status ConvertDepthSpace(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  const PartialShape in = x.shape();
  const int64_t b = ctx.IntAttr("blocksize", 0);
  if (!in.known_rank() || in.rank() != 4 || in.dim(1) < 0 || in.dim(2) < 0 || in.dim(3) < 0 ||
      b <= 0) {
    return ctx.Unsupported("needs a 4-D NCHW input with C, H, W known and a blocksize > 0, has ",
                           in.DebugString(), " and blocksize ", b);
  }
  const int64_t c = in.dim(1), h = in.dim(2), w = in.dim(3);
  std::vector<int64_t> split, perm, joined;
  if (kToSpace) {
    if (c % (b * b) != 0) return ctx.Error("C ", c, " is not a multiple of blocksize^2");
    const bool crd = ctx.StringAttr("mode", "DCR") == "CRD";
    split = crd ? std::vector<int64_t>{-1, c / (b * b), b, b, h, w}
                : std::vector<int64_t>{-1, b, b, c / (b * b), h, w};
    perm = crd ? std::vector<int64_t>{0, 1, 4, 2, 5, 3} : std::vector<int64_t>{0, 3, 4, 1, 5, 2};
    joined = {-1, c / (b * b), h * b, w * b};
  } else {
    if (h % b != 0 || w % b != 0) return ctx.Error("H and W must be multiples of blocksize");
    split = {-1, c, h / b, b, w / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    joined = {-1, c * b * b, h / b, w / b};
  }
  Output y = ops::Reshape(ops::Transpose(ops::Reshape(x, split), perm), joined, ctx.node().name());
  return ctx.SetOutput(0, y);
}

}  // namespace

void AddShapeConverters(std::vector<OnnxConverter>& table) {
  table.push_back({"Reshape", 1, ConvertReshape});
  table.push_back({"Flatten", 1, ConvertFlatten});
  table.push_back({"Squeeze", 1, ConvertSqueeze});
  table.push_back({"Unsqueeze", 1, ConvertUnsqueeze});
  table.push_back({"Concat", 1, ConvertConcat});
  table.push_back({"Transpose", 1, ConvertTranspose});
  table.push_back({"Shape", 1, ConvertShape});
  table.push_back({"Size", 1, ConvertSize});
  table.push_back({"Gather", 1, ConvertGather});
  table.push_back({"Slice", 1, ConvertSlice});
  table.push_back({"Split", 1, ConvertSplit});
  table.push_back({"ConstantOfShape", 9, ConvertConstantOfShape});
  table.push_back({"Range", 11, ConvertRange});
  table.push_back({"Expand", 8, ConvertExpand});
  table.push_back({"Pad", 1, ConvertPad});
  table.push_back({"GatherND", 11, ConvertGatherNd});
  table.push_back({"ScatterND", 11, ConvertScatterNd});
  table.push_back({"ScatterElements", 11, ConvertScatterElements});
  table.push_back({"Scatter", 9, ConvertScatterElements});  // ScatterElements' old name
  table.push_back({"CumSum", 11, ConvertCumSum});
  table.push_back({"Tile", 6, ConvertTile});
  table.push_back({"Trilu", 14, ConvertTrilu});
  table.push_back({"GatherElements", 11, ConvertGatherElements});
  table.push_back({"OneHot", 9, ConvertOneHot});
  table.push_back({"TopK", 1, ConvertTopK});
  table.push_back({"EyeLike", 9, ConvertEyeLike});
  table.push_back({"DepthToSpace", 1, ConvertDepthSpace<true>});
  table.push_back({"SpaceToDepth", 1, ConvertDepthSpace<false>});
}

}  // namespace graphrt::onnx_import
