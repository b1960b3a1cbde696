#include "kernels/common/cwise_shape.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/shape_inference.h"

namespace graphrt {

absl::StatusOr<BroadcastPlan> MakeBroadcastPlan(const TensorShape& x, const TensorShape& y) {
  // Fast paths for the common cases (equal shapes, a scalar operand): no
  // broadcast shape to compute and no dims to collapse.
  using Kind = BroadcastPlan::Kind;
  const auto simple = [](Kind kind, const TensorShape& out) {
    BroadcastPlan plan;
    plan.kind = out.num_elements() == 0 ? Kind::kEmpty : kind;
    plan.out_shape = out;
    return plan;
  };
  if (x == y) return simple(Kind::kSame, x);
  if (y.rank() == 0) return simple(x.num_elements() == 1 ? Kind::kSame : Kind::kScalarY, x);
  if (x.rank() == 0) return simple(y.num_elements() == 1 ? Kind::kSame : Kind::kScalarX, y);
  ASSIGN_OR_RETURN(TensorShape out, BroadcastShapes(x, y));
  return MakeBroadcastPlan(x, y, out);
}

absl::StatusOr<BroadcastPlan> MakeBinaryPlan(absl::string_view op, const TensorShape& x,
                                             const TensorShape& y) {
  absl::StatusOr<BroadcastPlan> plan = MakeBroadcastPlan(x, y);
  if (!plan.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(op, ": ", plan.status().message()));
  }
  return plan;
}

absl::StatusOr<TensorShape> AddNShape(const OpKernelContext& ctx) {
  const int num = ctx.num_inputs();
  if (num == 0) return absl::InvalidArgumentError("AddN needs at least one input");
  TensorShape shape = ctx.input(0).shape();
  for (int k = 1; k < num; ++k) {
    absl::StatusOr<TensorShape> s = BroadcastShapes(shape, ctx.input(k).shape());
    if (!s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "AddN input ", k, " (", ctx.input(k).ShapeString(),
          ") does not broadcast with inputs 0..", k - 1, ": ", s.status().message()));
    }
    shape = *std::move(s);
  }
  return shape;
}

namespace {
// On two collapsed dims' "is broadcast" flags.
bool IsBroadcastOuterOnly(const DimVector& f) { return f[0] != 0 && f[1] == 0; }
bool IsNeverBroadcast(const DimVector& f) { return f[0] == 0 && f[1] == 0; }
}  // namespace

absl::StatusOr<BroadcastPlan> MakeBroadcastPlan(const TensorShape& x, const TensorShape& y,
                                                const TensorShape& out) {
  const int rank = out.rank();
  auto aligned = [rank](const TensorShape& s, int i) -> int64_t {
    const int j = s.rank() - rank + i;
    return j >= 0 ? s.dim(j) : 1;
  };
  auto error = [&] {
    return absl::InvalidArgumentError(absl::StrCat("shapes ", x.DebugString(), " and ",
                                                   y.DebugString(), " cannot be broadcast to ",
                                                   out.DebugString()));
  };
  if (x.rank() > rank || y.rank() > rank) return error();
  BroadcastPlan plan;
  plan.out_shape = out;
  // Collapse: drop size-1 output dims, merge neighbours broadcast alike. The
  // strides vectors hold "is broadcast" flags until the strides are known.
  for (int i = 0; i < rank; ++i) {
    const int64_t d = out.dim(i), xd = aligned(x, i), yd = aligned(y, i);
    if ((xd != d && xd != 1) || (yd != d && yd != 1)) return error();
    if (d == 1) continue;
    const int64_t xb = xd == 1, yb = yd == 1;
    if (!plan.dims.empty() && plan.x_strides.back() == xb && plan.y_strides.back() == yb) {
      plan.dims.back() *= d;
    } else {
      plan.dims.push_back(d);
      plan.x_strides.push_back(xb);
      plan.y_strides.push_back(yb);
    }
  }
  const int64_t n = out.num_elements();
  using Kind = BroadcastPlan::Kind;
  if (n == 0) {
    plan.kind = Kind::kEmpty;
  } else if (x.num_elements() == n && y.num_elements() == n) {
    plan.kind = Kind::kSame;
  } else if (x.num_elements() == 1 && y.num_elements() == n) {
    plan.kind = Kind::kScalarX;
  } else if (y.num_elements() == 1 && x.num_elements() == n) {
    plan.kind = Kind::kScalarY;
  } else if (plan.dims.size() == 2 && IsBroadcastOuterOnly(plan.y_strides) &&
             IsNeverBroadcast(plan.x_strides)) {
    plan.kind = Kind::kRepeatY;
    plan.period = plan.dims[1];
  } else if (plan.dims.size() == 2 && IsBroadcastOuterOnly(plan.x_strides) &&
             IsNeverBroadcast(plan.y_strides)) {
    plan.kind = Kind::kRepeatX;
    plan.period = plan.dims[1];
  } else {
    plan.kind = Kind::kGeneral;
  }
  if (plan.kind != Kind::kGeneral) {
    plan.dims.clear();
    plan.x_strides.clear();
    plan.y_strides.clear();
    return plan;
  }
  int64_t xs = 1, ys = 1;
  for (int i = static_cast<int>(plan.dims.size()) - 1; i >= 0; --i) {
    const bool xb = plan.x_strides[i] != 0, yb = plan.y_strides[i] != 0;
    plan.x_strides[i] = xb ? 0 : xs;
    plan.y_strides[i] = yb ? 0 : ys;
    if (!xb) xs *= plan.dims[i];
    if (!yb) ys *= plan.dims[i];
  }
  return plan;
}

}  // namespace graphrt
