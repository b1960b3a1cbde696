// ONNX converters of the reductions: ReduceSum, ReduceMean, ReduceMax,
// ReduceMin, ReduceProd, ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum,
// ReduceLogSumExp (axes as an attr, a constant input or, Note [Run-time shape
// operands], a run-time input), ArgMax and ArgMin.
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/onnx/onnx_converter.h"
#include "core/graph/onnx/onnx_shape_util.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/indexing_ops.h"
#include "core/graph/ops/math_ops.h"

namespace graphrt::onnx_import {
namespace {

// The reductions: graphrt's Sum/Mean/Max/Min/Prod, with a map before and
// after for the composite ones (ReduceL2 = Sqrt(Sum(Square(x))), ...).
enum class Reduce { kSum, kMean, kMax, kMin, kProd, kSumSquare, kL1, kL2, kLogSum, kLogSumExp };

Output BaseReduce(const char* op, Output x, std::vector<int64_t> axes, bool keep,
                  absl::string_view name) {
  if (!x.valid()) return Output();  // an earlier node failed: the builder holds why
  Output in[] = {x};
  return x.builder()->Op(op, in, {{"axis", std::move(axes)}, {"keep_dims", keep}}, name);
}

template <Reduce kind>
absl::Status ConvertReduce(OnnxContext& ctx) {
  // Axes became an input in opset 13 for ReduceSum, in opset 18 for the rest.
  const int64_t since = kind == Reduce::kSum ? 13 : 18;
  const bool keep = ctx.IntAttr("keepdims", 1) != 0;
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  const std::string name = ctx.node().name();
  std::vector<int64_t> axes;
  Output run_time_axes;  // Note [Run-time shape operands]: DynamicSum, ...
  if (RunTimeInput(ctx, 1, since)) {
    ASSIGN_OR_RETURN(run_time_axes, ctx.Input(1));
  } else {
    ASSIGN_OR_RETURN(std::optional<std::vector<int64_t>> axes_in, Axes(ctx, 1, since));
    axes = axes_in.value_or(std::vector<int64_t>{});
  }
  const bool noop_empty = ctx.IntAttr("noop_with_empty_axes", 0) != 0;
  auto reduce = [&](const char* op, Output in, bool keep_dims, absl::string_view n) {
    if (!run_time_axes.valid()) return BaseReduce(op, in, axes, keep_dims, n);
    if (!in.valid()) return Output();
    Output operands[] = {in, run_time_axes};
    return in.builder()->Op(absl::StrCat("Dynamic", op), operands,
                            {{"keep_dims", keep_dims}, {"noop_with_empty_axes", noop_empty}}, n);
  };
  if (!run_time_axes.valid() && axes.empty() && noop_empty) {
    return ctx.SetOutput(0, ops::Identity(x, name));
  }
  if (!run_time_axes.valid() && axes.empty() && x.shape().known_rank()) {
    // Every axis, spelled out so a rank-0 input reduces nothing.
    for (int d = 0; d < x.shape().rank(); ++d) axes.push_back(d);
  }
  const std::string inner;  // helper nodes are named by the builder
  switch (kind) {
    case Reduce::kSum: return ctx.SetOutput(0, reduce("Sum", x, keep, name));
    case Reduce::kMean: return ctx.SetOutput(0, reduce("Mean", x, keep, name));
    case Reduce::kMax: return ctx.SetOutput(0, reduce("Max", x, keep, name));
    case Reduce::kMin: return ctx.SetOutput(0, reduce("Min", x, keep, name));
    case Reduce::kProd: return ctx.SetOutput(0, reduce("Prod", x, keep, name));
    case Reduce::kSumSquare:
      return ctx.SetOutput(0, reduce("Sum", ops::Square(x), keep, name));
    case Reduce::kL1:
      return ctx.SetOutput(0, reduce("Sum", ops::Maximum(x, ops::Neg(x)), keep, name));
    case Reduce::kL2:
      return ctx.SetOutput(0, ops::Sqrt(reduce("Sum", ops::Square(x), keep, inner), name));
    case Reduce::kLogSum:
      return ctx.SetOutput(0, ops::Log(reduce("Sum", x, keep, inner), name));
    case Reduce::kLogSumExp: {
      // log(sum(exp(x - m))) + m with m the max: no overflow for large x.
      Output m = reduce("Max", x, true, inner);
      Output s = reduce("Sum", ops::Exp(ops::Sub(x, m)), keep, inner);
      Output m_out = keep ? m : reduce("Max", x, false, inner);
      return ctx.SetOutput(0, ops::Add(ops::Log(s), m_out, name));
    }
  }
  return ctx.Error("unknown reduction");
}

// ArgMax, and ArgMin as ArgMax of a reversed order: -x for floats, -1 - x
// (= ~x, no overflow at the type's minimum) for integers; first index on
// ties as ONNX's default. select_last_index: the first index in x reversed
// along the axis (a StridedSlice with step -1) is n - 1 - the last in x.
template <bool kMin>
absl::Status ConvertArgMax(OnnxContext& ctx) {
  const bool last = ctx.IntAttr("select_last_index", 0) != 0;
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  if (!x.shape().known_rank()) return ctx.Unsupported("the input's rank is unknown");
  const int64_t rank = x.shape().rank();
  ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx, ctx.IntAttr("axis", 0), rank));
  const int64_t n = x.shape().dim(static_cast<int>(axis));
  if (last) {
    if (n < 0) return ctx.Unsupported("select_last_index=1 along an axis unknown at import time");
    StridedSliceAttrs rev;
    rev.begin.assign(rank, 0);
    rev.end.assign(rank, 0);
    rev.strides.assign(rank, 1);
    rev.strides[axis] = -1;
    rev.begin_mask = rev.end_mask = (int64_t{1} << rank) - 1;
    x = ops::StridedSlice(x, rev);
  }
  const bool keep = ctx.IntAttr("keepdims", 1) != 0;
  const std::string name = ctx.node().name();
  if (kMin) {
    if (IsFloatingType(x.dtype())) {
      x = ops::Neg(x);
    } else {
      Tensor minus_one(x.dtype(), TensorShape{});
      const bool ok = VisitElementType(x.dtype(), [&]<typename T>() {
        if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
          minus_one.data<T>()[0] = T(-1);
          return true;
        } else {
          return false;
        }
      }, false);
      if (!ok) return ctx.Unsupported("ArgMin of ", DataTypeName(x.dtype()));
      x = ops::Sub(ctx.builder().Const(std::move(minus_one)), x);
    }
  }
  Output arg = ops::ArgMax(x, axis, DataType::kInt64, keep || last ? "" : name);
  if (last) arg = ops::Sub(ctx.builder().Scalar<int64_t>(n - 1), arg, keep ? "" : name);
  if (keep) arg = ops::ExpandDims(arg, axis, name);
  return ctx.SetOutput(0, arg);
}

}  // namespace

void AddReductionConverters(std::vector<OnnxConverter>& table) {
  table.push_back({"ReduceSum", 1, ConvertReduce<Reduce::kSum>});
  table.push_back({"ReduceMean", 1, ConvertReduce<Reduce::kMean>});
  table.push_back({"ReduceMax", 1, ConvertReduce<Reduce::kMax>});
  table.push_back({"ReduceMin", 1, ConvertReduce<Reduce::kMin>});
  table.push_back({"ReduceProd", 1, ConvertReduce<Reduce::kProd>});
  table.push_back({"ReduceSumSquare", 1, ConvertReduce<Reduce::kSumSquare>});
  table.push_back({"ReduceL1", 1, ConvertReduce<Reduce::kL1>});
  table.push_back({"ReduceL2", 1, ConvertReduce<Reduce::kL2>});
  table.push_back({"ReduceLogSum", 1, ConvertReduce<Reduce::kLogSum>});
  table.push_back({"ReduceLogSumExp", 1, ConvertReduce<Reduce::kLogSumExp>});
  table.push_back({"ArgMax", 1, ConvertArgMax<false>});
  table.push_back({"ArgMin", 1, ConvertArgMax<true>});
}

}  // namespace graphrt::onnx_import
