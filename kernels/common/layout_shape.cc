#include "kernels/common/layout_shape.h"

#include <algorithm>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/register.h"

namespace graphrt {
namespace {

std::string List(std::span<const int64_t> v) { return absl::StrCat("[", absl::StrJoin(v, ","), "]"); }

// Merges each dim into the group inside it when that group copies whole rows
// (same size in and out, no offset), and drops dims of size 1 that do; see
// BoxPlan.
void CollapseBox(BoxPlan& p) {
  std::vector<int64_t> in, out, off;  // innermost first
  for (int d = static_cast<int>(p.in_dims.size()) - 1; d >= 0; --d) {
    const bool whole = p.in_dims[d] == p.out_dims[d] && p.offset[d] == 0;
    if (!in.empty() && in.back() == out.back() && off.back() == 0) {
      const int64_t n = in.back();
      in.back() = p.in_dims[d] * n;
      out.back() = p.out_dims[d] * n;
      off.back() = p.offset[d] * n;
    } else if (!(whole && p.in_dims[d] == 1 && !in.empty())) {
      in.push_back(p.in_dims[d]);
      out.push_back(p.out_dims[d]);
      off.push_back(p.offset[d]);
    }
  }
  if (in.empty()) in = out = {1}, off = {0};
  p.in_dims.assign(in.rbegin(), in.rend());
  p.out_dims.assign(out.rbegin(), out.rend());
  p.offset.assign(off.rbegin(), off.rend());
}

absl::StatusOr<TensorShape> MakeShape(const char* op, const std::vector<int64_t>& dims) {
  auto shape = TensorShape::Make(dims);
  if (!shape.ok()) return absl::InvalidArgumentError(absl::StrCat(op, ": output shape ",
                                                                  List(dims), ": ",
                                                                  shape.status().message()));
  return shape;
}

absl::StatusOr<int> Axis(const char* op, int64_t axis, const TensorShape& shape) {
  const int rank = shape.rank();
  if (rank == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(op, ": cannot join or cut scalars along an axis; reshape them to [1]"));
  }
  if (axis < -rank || axis >= rank) {
    return absl::InvalidArgumentError(absl::StrCat(op, ": axis ", axis, " is out of range [",
                                                   -rank, ", ", rank, ") for ",
                                                   shape.DebugString()));
  }
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

// Fills the rows view of `p` from its joined shape and pieces.
void FillRows(ConcatPlan& p, int axis) {
  int64_t inner = 1;
  for (int d = axis + 1; d < p.joined.rank(); ++d) inner *= p.joined.dim(d);
  for (int d = 0; d < axis; ++d) p.outer *= p.joined.dim(d);
  for (const TensorShape& s : p.pieces) {
    p.starts.push_back(p.total_width);
    p.widths.push_back(s.dim(axis) * inner);
    p.total_width += p.widths.back();
  }
}

}  // namespace

absl::StatusOr<BoxPlan> PlanPad(const TensorShape& input, std::span<const int64_t> paddings) {
  const int rank = input.rank();
  if (static_cast<int64_t>(paddings.size()) != 2 * rank) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Pad: paddings ", List(paddings), " holds ", paddings.size(), " values for input ",
        input.DebugString(), "; it needs ", 2 * rank, " (before, after per dim)"));
  }
  BoxPlan p;
  std::vector<int64_t> out;
  for (int d = 0; d < rank; ++d) {
    const int64_t before = paddings[2 * d], after = paddings[2 * d + 1];
    if (before < 0 || after < 0) {
      return absl::InvalidArgumentError(absl::StrCat("Pad: paddings ", List(paddings),
                                                     " has a negative value; pads must be >= 0"));
    }
    out.push_back(input.dim(d) + before + after);
    p.offset.push_back(before);
  }
  ASSIGN_OR_RETURN(p.output, MakeShape("Pad", out));
  p.in_dims.assign(input.dims().begin(), input.dims().end());
  p.out_dims = out;
  CollapseBox(p);
  return p;
}

absl::StatusOr<BoxPlan> PlanSliceLike(const TensorShape& input, const TensorShape& like,
                                      std::span<const int64_t> begin) {
  const int rank = input.rank();
  if (like.rank() != rank || static_cast<int>(begin.size()) != rank) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SliceLike: input ", input.DebugString(), ", like ", like.DebugString(), " and begin ",
        List(begin), " must have one rank"));
  }
  BoxPlan p;
  for (int d = 0; d < rank; ++d) {
    if (begin[d] < 0 || begin[d] + like.dim(d) > input.dim(d)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "SliceLike: the box at ", List(begin), " of shape ", like.DebugString(),
          " does not fit in input ", input.DebugString()));
    }
    p.offset.push_back(-begin[d]);
  }
  p.output = like;
  p.in_dims.assign(input.dims().begin(), input.dims().end());
  p.out_dims.assign(like.dims().begin(), like.dims().end());
  CollapseBox(p);
  return p;
}

absl::StatusOr<ConcatPlan> PlanConcat(std::span<const TensorShape> shapes, int64_t axis_attr) {
  if (shapes.empty()) return absl::InvalidArgumentError("ConcatV2: no inputs");
  ASSIGN_OR_RETURN(int axis, Axis("ConcatV2", axis_attr, shapes[0]));
  std::vector<int64_t> dims(shapes[0].dims().begin(), shapes[0].dims().end());
  dims[axis] = 0;
  for (size_t k = 0; k < shapes.size(); ++k) {
    const TensorShape& s = shapes[k];
    bool ok = s.rank() == shapes[0].rank();
    for (int d = 0; ok && d < s.rank(); ++d) ok = d == axis || s.dim(d) == dims[d];
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ConcatV2: input ", k, " has shape ", s.DebugString(), " but input 0 has ",
          shapes[0].DebugString(), "; they may differ only along axis ", axis));
    }
    dims[axis] += s.dim(axis);
  }
  ConcatPlan p;
  ASSIGN_OR_RETURN(p.joined, MakeShape("ConcatV2", dims));
  p.pieces.assign(shapes.begin(), shapes.end());
  FillRows(p, axis);
  return p;
}

absl::StatusOr<ConcatPlan> PlanSplitLike(const TensorShape& input,
                                         std::span<const TensorShape> likes, int64_t axis_attr) {
  ASSIGN_OR_RETURN(int axis, Axis("SplitLike", axis_attr, input));
  ConcatPlan p;
  p.joined = input;
  int64_t sum = 0;
  for (const TensorShape& like : likes) {
    if (like.rank() != input.rank()) {
      return absl::InvalidArgumentError(absl::StrCat("SplitLike: like ", like.DebugString(),
                                                     " and input ", input.DebugString(),
                                                     " have different ranks"));
    }
    TensorShape piece = input;
    piece.set_dim(axis, like.dim(axis));
    p.pieces.push_back(piece);
    sum += like.dim(axis);
  }
  if (sum != input.dim(axis)) {
    return absl::InvalidArgumentError(absl::StrCat("SplitLike: the likes' dims along axis ", axis,
                                                   " add up to ", sum, ", but input ",
                                                   input.DebugString(), " has ",
                                                   input.dim(axis)));
  }
  FillRows(p, axis);
  return p;
}

absl::StatusOr<TransposePlan> PlanTranspose(const TensorShape& input,
                                            std::span<const int64_t> perm) {
  const int rank = input.rank();
  std::vector<bool> seen(rank, false);
  bool ok = static_cast<int>(perm.size()) == rank;
  for (size_t i = 0; ok && i < perm.size(); ++i) {
    ok = perm[i] >= 0 && perm[i] < rank && !seen[perm[i]];
    if (ok) seen[perm[i]] = true;
  }
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat("Transpose: perm ", List(perm),
                                                   " is not a permutation of the ", rank,
                                                   " dims of ", input.DebugString()));
  }
  TransposePlan p;
  std::vector<int64_t> out;
  for (int64_t d : perm) out.push_back(input.dim(static_cast<int>(d)));
  p.output = TensorShape(std::span<const int64_t>(out));
  // Runs of input dims that stay neighbours (size-1 dims ignored), in output order.
  std::vector<std::pair<int, int64_t>> groups;  // first input dim, size
  int last = -2;
  for (int64_t d64 : perm) {
    const int d = static_cast<int>(d64);
    if (input.dim(d) == 1) continue;
    bool next = last >= 0;
    for (int k = last + 1; next && k < d; ++k) next = input.dim(k) == 1;
    if (next && d > last) {
      groups.back().second *= input.dim(d);
    } else {
      groups.push_back({d, input.dim(d)});
    }
    last = d;
  }
  std::vector<int> order(groups.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return groups[a].first < groups[b].first; });
  p.perm.resize(groups.size());
  for (size_t r = 0; r < order.size(); ++r) {
    p.in_dims.push_back(groups[order[r]].second);
    p.perm[order[r]] = static_cast<int>(r);
  }
  return p;
}

absl::StatusOr<TensorShape> SqueezedShape(const TensorShape& input,
                                          std::span<const int64_t> squeeze_dims) {
  const int rank = input.rank();
  std::vector<bool> drop(rank, squeeze_dims.empty());
  for (int64_t d : squeeze_dims) {
    if (d < -rank || d >= rank) {
      return absl::InvalidArgumentError(absl::StrCat("Squeeze: squeeze_dims ", List(squeeze_dims),
                                                     " has ", d, ", out of range [", -rank, ", ",
                                                     rank, ") for ", input.DebugString()));
    }
    const int a = static_cast<int>(d < 0 ? d + rank : d);
    if (input.dim(a) != 1) {
      return absl::InvalidArgumentError(absl::StrCat("Squeeze: cannot squeeze dim ", a, " of ",
                                                     input.DebugString(), ": its size is ",
                                                     input.dim(a), ", not 1"));
    }
    drop[a] = true;
  }
  std::vector<int64_t> dims;
  for (int d = 0; d < rank; ++d) {
    if (!drop[d] || input.dim(d) != 1) dims.push_back(input.dim(d));
  }
  return TensorShape(std::span<const int64_t>(dims));
}

namespace {

class SqueezeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(dims_, c.attr<std::vector<int64_t>>("squeeze_dims"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    ASSIGN_OR_RETURN(TensorShape shape, SqueezedShape(in.shape(), dims_));
    ASSIGN_OR_RETURN(Tensor out, in.Reshaped(shape));
    return ctx.set_output(0, std::move(out));
  }

 private:
  std::vector<int64_t> dims_;
};

}  // namespace

void RegisterNeutralLayoutKernels(KernelRegistry& r, const std::string& device_type,
                                  const NeutralKernelTypes& types) {
  r.Register<SqueezeOp>("Squeeze", device_type, NeutralConstraint("T", types.data));
}

}  // namespace graphrt
