#include "kernels/common/reduction_shape.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/graph/shape_inference.h"

namespace graphrt {

absl::StatusOr<ReductionPlan> PlanReduction(const TensorShape& input,
                                            std::span<const int64_t> axes, bool keep_dims) {
  absl::StatusOr<std::vector<int>> normalized = NormalizeAxes(axes, input.rank());
  if (!normalized.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot reduce ", input.DebugString(),
                                                   ": ", normalized.status().message()));
  }
  std::vector<bool> reduced(input.rank(), false);
  for (int a : *normalized) reduced[a] = true;
  ReductionPlan plan;
  for (int i = 0; i < input.rank(); ++i) {
    const int64_t d = input.dim(i);
    if (!reduced[i]) {
      plan.output.AddDim(d);
    } else {
      plan.reduced_count *= d;
      if (keep_dims) plan.output.AddDim(1);
    }
    if (d == 1) continue;
    if (!plan.groups.empty() && plan.groups.back().reduced == reduced[i]) {
      plan.groups.back().size *= d;
    } else {
      plan.groups.push_back({d, reduced[i]});
    }
  }
  return plan;
}

std::string EmptyReductionMessage(absl::string_view op, const Tensor& input,
                                  std::span<const int64_t> axes) {
  return absl::StrCat(op, " of an empty set of ", DataTypeName(input.dtype()),
                      " values is undefined: input ", input.ShapeString(),
                      " reduced over axes [", absl::StrJoin(axes, ","), "]",
                      axes.empty() ? " (all)" : "");
}

absl::StatusOr<std::vector<int64_t>> AxesToShape(const TensorShape& input,
                                                 const TensorShape& like) {
  const int extra = input.rank() - like.rank();
  std::vector<int64_t> axes;
  for (int i = 0; i < input.rank(); ++i) {
    const int j = i - extra;
    if (j < 0 || (like.dim(j) == 1 && input.dim(i) != 1)) {
      axes.push_back(i);
    } else if (like.dim(j) != input.dim(i)) {
      return absl::InvalidArgumentError(absl::StrCat("ReduceSumLike: ", like.DebugString(),
                                                     " does not broadcast to ",
                                                     input.DebugString()));
    }
  }
  if (extra < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ReduceSumLike: ", like.DebugString(), " has a higher rank than ", input.DebugString()));
  }
  return axes;
}

absl::StatusOr<ArgMaxPlan> PlanArgMax(const Tensor& input, int64_t axis, int64_t max_n,
                                      DataType output_type) {
  const int rank = input.rank();
  if (rank == 0 || axis < -rank || axis >= rank) {
    return absl::InvalidArgumentError(absl::StrCat("ArgMax axis ", axis,
                                                   " is out of range for input ",
                                                   input.ShapeString()));
  }
  const int a = static_cast<int>(axis < 0 ? axis + rank : axis);
  ArgMaxPlan plan;
  for (int i = 0; i < rank; ++i) {
    if (i != a) plan.output.AddDim(input.dim(i));
    if (i < a) plan.outer *= input.dim(i);
    if (i > a) plan.inner *= input.dim(i);
  }
  plan.n = input.dim(a);
  if (plan.n > max_n) {
    return absl::InvalidArgumentError(absl::StrCat("ArgMax axis ", axis, " of ",
                                                   input.ShapeString(), " is too long for ",
                                                   DataTypeName(output_type), " indices"));
  }
  return plan;
}

}  // namespace graphrt
