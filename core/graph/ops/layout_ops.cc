#include "core/graph/ops/layout_ops.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

constexpr DataType kAll[] = {DataType::kFloat32, DataType::kInt32, DataType::kInt64,
                             DataType::kUint8, DataType::kBool};
std::vector<DataType> AllTypes() { return {std::begin(kAll), std::end(kAll)}; }

std::vector<int64_t> Unknown(int rank) { return std::vector<int64_t>(rank, -1); }

absl::Status PadShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(std::vector<int64_t> pads, c.attr<std::vector<int64_t>>("paddings"));
  if (pads.size() % 2 != 0) {
    return c.Error(absl::StrCat("paddings holds ", pads.size(),
                                " values; it needs two (before, after) per dim"));
  }
  for (int64_t p : pads) {
    if (p < 0) return c.Error(absl::StrCat("paddings [", absl::StrJoin(pads, ","),
                                           "] has a negative value; pads must be >= 0"));
  }
  const int rank = static_cast<int>(pads.size() / 2);
  if (c.num_inputs() > 1 && c.input(1).known_rank() && c.input(1).rank() != 0) {
    return c.Error(absl::StrCat("constant_values must be a scalar, got ",
                                c.input(1).DebugString()));
  }
  const PartialShape& in = c.input(0);
  if (!in.known_rank()) {
    c.set_output(0, PartialShape(Unknown(rank)));
    return absl::OkStatus();
  }
  if (in.rank() != rank) {
    return c.Error(absl::StrCat("paddings holds ", pads.size(), " values for an input of shape ",
                                in.DebugString(), "; it needs ", 2 * in.rank(),
                                " (before, after per dim)"));
  }
  std::vector<int64_t> dims(in.dims().begin(), in.dims().end());
  for (int d = 0; d < rank; ++d) {
    if (dims[d] >= 0) dims[d] += pads[2 * d] + pads[2 * d + 1];
  }
  c.set_output(0, PartialShape(dims));
  return absl::OkStatus();
}

absl::Status SliceLikeShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(std::vector<int64_t> begin, c.attr<std::vector<int64_t>>("begin"));
  const PartialShape& in = c.input(0);
  const PartialShape& like = c.input(1);
  for (int64_t b : begin) {
    if (b < 0) return c.Error(absl::StrCat("begin [", absl::StrJoin(begin, ","),
                                           "] has a negative value"));
  }
  for (const PartialShape* s : {&in, &like}) {
    if (s->known_rank() && s->rank() != static_cast<int>(begin.size())) {
      return c.Error(absl::StrCat("begin has ", begin.size(), " values but ",
                                  s == &in ? "input" : "like", " has shape ", s->DebugString()));
    }
  }
  if (in.known_rank() && like.known_rank()) {
    for (int d = 0; d < in.rank(); ++d) {
      if (in.dim(d) >= 0 && like.dim(d) >= 0 && begin[d] + like.dim(d) > in.dim(d)) {
        return c.Error(absl::StrCat("the box at [", absl::StrJoin(begin, ","), "] of shape ",
                                    like.DebugString(), " does not fit in ", in.DebugString()));
      }
    }
  }
  c.set_output(0, like.known_rank() ? like : PartialShape(Unknown(static_cast<int>(begin.size()))));
  return absl::OkStatus();
}

// The rank every known input shares; -1 when none is known.
absl::StatusOr<int> CommonRank(ShapeContext& c, int first, int count) {
  int rank = -1;
  for (int i = first; i < first + count; ++i) {
    if (!c.input(i).known_rank()) continue;
    if (rank >= 0 && c.input(i).rank() != rank) {
      return c.Error(absl::StrCat("inputs have different ranks: ", c.input(first + 0).DebugString(),
                                  " and ", c.input(i).DebugString()));
    }
    rank = c.input(i).rank();
  }
  return rank;
}

absl::StatusOr<int> NormalizeAxis(ShapeContext& c, int64_t axis, int rank) {
  if (axis < -rank || axis >= rank) {
    return c.Error(absl::StrCat("axis ", axis, " is out of range [", -rank, ", ", rank,
                                ") for inputs of rank ", rank));
  }
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

// Shape inference of ConcatV2 (inputs [first, first + count) joined) or
// SplitLike: the merged non-axis dims; sets `axis_sum` to the sum of the axis
// dims (-1 when one is unknown).
absl::StatusOr<std::vector<int64_t>> JoinDims(ShapeContext& c, int first, int count,
                                              int64_t axis_attr, int* axis, int64_t* axis_sum) {
  ASSIGN_OR_RETURN(int rank, CommonRank(c, first, count));
  if (rank < 0) return std::vector<int64_t>();
  if (rank == 0) return c.Error("cannot concatenate or split scalars; reshape them to [1]");
  ASSIGN_OR_RETURN(*axis, NormalizeAxis(c, axis_attr, rank));
  std::vector<int64_t> dims = Unknown(rank);
  *axis_sum = 0;
  for (int i = first; i < first + count; ++i) {
    const PartialShape& s = c.input(i);
    if (!s.known_rank()) {
      *axis_sum = -1;
      continue;
    }
    for (int d = 0; d < rank; ++d) {
      if (d == *axis) {
        *axis_sum = (*axis_sum < 0 || s.dim(d) < 0) ? -1 : *axis_sum + s.dim(d);
      } else if (s.dim(d) >= 0) {
        if (dims[d] >= 0 && dims[d] != s.dim(d)) {
          return c.Error(absl::StrCat("shapes ", c.input(first).DebugString(), " and ",
                                      s.DebugString(), " differ in dim ", d,
                                      ", which is not the axis (", *axis, ")"));
        }
        dims[d] = s.dim(d);
      }
    }
  }
  return dims;
}

absl::Status ConcatShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(int64_t axis_attr, c.attr<int64_t>("axis"));
  if (c.num_inputs() == 0) return c.Error("ConcatV2 needs at least one input");
  int axis = 0;
  int64_t sum = -1;
  ASSIGN_OR_RETURN(std::vector<int64_t> dims,
                   JoinDims(c, 0, c.num_inputs(), axis_attr, &axis, &sum));
  if (dims.empty()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  dims[axis] = sum;
  c.set_output(0, PartialShape(dims));
  return absl::OkStatus();
}

absl::Status SplitLikeShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(int64_t axis_attr, c.attr<int64_t>("axis"));
  const int n = c.num_inputs() - 1;
  if (n < 1) return c.Error("SplitLike needs at least one like");
  int axis = 0;
  int64_t sum = -1;
  ASSIGN_OR_RETURN(std::vector<int64_t> dims, JoinDims(c, 1, n, axis_attr, &axis, &sum));
  const PartialShape& in = c.input(0);
  if (!dims.empty() && in.known_rank()) {
    if (in.rank() != static_cast<int>(dims.size())) {
      return c.Error(absl::StrCat("input ", in.DebugString(), " and the likes (",
                                  c.input(1).DebugString(), ") have different ranks"));
    }
    for (int d = 0; d < in.rank(); ++d) {
      const int64_t want = d == axis ? sum : dims[d];
      if (want >= 0 && in.dim(d) >= 0 && want != in.dim(d)) {
        return c.Error(absl::StrCat("the likes joined along axis ", axis, " do not make input ",
                                    in.DebugString(), " (dim ", d, ": ", want, ")"));
      }
    }
  }
  for (int k = 0; k < n; ++k) {
    const PartialShape& like = c.input(1 + k);
    if (!like.known_rank() || dims.empty()) {
      c.set_output(k, like);
      continue;
    }
    std::vector<int64_t> out = dims;
    out[axis] = like.dim(axis);
    for (int d = 0; d < static_cast<int>(out.size()); ++d) {
      if (d != axis && out[d] < 0 && in.known_rank()) out[d] = in.dim(d);
    }
    c.set_output(k, PartialShape(out));
  }
  return absl::OkStatus();
}

absl::Status TransposeShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(std::vector<int64_t> perm, c.attr<std::vector<int64_t>>("perm"));
  const int rank = static_cast<int>(perm.size());
  std::vector<bool> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p]) {
      return c.Error(absl::StrCat("perm [", absl::StrJoin(perm, ","),
                                  "] is not a permutation of [0, ", rank, ")"));
    }
    seen[p] = true;
  }
  const PartialShape& in = c.input(0);
  if (!in.known_rank()) {
    c.set_output(0, PartialShape(Unknown(rank)));
    return absl::OkStatus();
  }
  if (in.rank() != rank) {
    return c.Error(absl::StrCat("perm [", absl::StrJoin(perm, ","), "] has ", rank,
                                " values for an input of shape ", in.DebugString()));
  }
  std::vector<int64_t> dims(rank);
  for (int i = 0; i < rank; ++i) dims[i] = in.dim(perm[i]);
  c.set_output(0, PartialShape(dims));
  return absl::OkStatus();
}

absl::Status SqueezeShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(std::vector<int64_t> listed, c.attr<std::vector<int64_t>>("squeeze_dims"));
  const PartialShape& in = c.input(0);
  if (!in.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  std::vector<int64_t> dims;
  if (listed.empty()) {
    for (int64_t d : in.dims()) {
      if (d < 0) {  // it may or may not be 1
        c.set_output(0, PartialShape::UnknownRank());
        return absl::OkStatus();
      }
      if (d != 1) dims.push_back(d);
    }
  } else {
    auto axes = NormalizeAxes(listed, in.rank());
    if (!axes.ok()) return c.Error(absl::StrCat("squeeze_dims: ", axes.status().message()));
    for (int d = 0; d < in.rank(); ++d) {
      if (std::find(axes->begin(), axes->end(), d) == axes->end()) {
        dims.push_back(in.dim(d));
      } else if (in.dim(d) >= 0 && in.dim(d) != 1) {
        return c.Error(absl::StrCat("cannot squeeze dim ", d, " of ", in.DebugString(),
                                    ": its size is ", in.dim(d), ", not 1"));
      }
    }
  }
  c.set_output(0, PartialShape(dims));
  return absl::OkStatus();
}

}  // namespace

void RegisterLayoutOps(OpRegistry& r) {
  (void)r.Register(OpDefBuilder("Pad")
                       .Input("input: T")
                       .Output("output: T")
                       .TypeAttr("T", AllTypes())
                       .Attr("paddings", AttrType::kIntList)
                       .Shape(PadShape)
                       .Doc("input padded with zeros: paddings[2d], paddings[2d+1] before and "
                            "after dim d."));
  (void)r.Register(OpDefBuilder("PadV2")
                       .Input("input: T")
                       .Input("constant_values: T")
                       .Output("output: T")
                       .TypeAttr("T", AllTypes())
                       .Attr("paddings", AttrType::kIntList)
                       .Shape(PadShape)
                       .Doc("Pad with the scalar constant_values."));
  (void)r.Register(OpDefBuilder("SliceLike")
                       .Input("input: T")
                       .Input("like: Tlike")
                       .Output("output: T")
                       .TypeAttr("T", AllTypes())
                       .TypeAttr("Tlike")
                       .Attr("begin", AttrType::kIntList)
                       .Shape(SliceLikeShape)
                       .Doc("The box of input at begin with like's shape (Pad's gradient)."));
  (void)r.Register(OpDefBuilder("ConcatV2")
                       .Input("values: N * T")
                       .Output("output: T")
                       .Attr("N", AttrType::kInt)
                       .TypeAttr("T", AllTypes())
                       .Attr("axis", AttrType::kInt)
                       .Shape(ConcatShape)
                       .Doc("values joined along axis (negative: from the end)."));
  (void)r.Register(OpDefBuilder("SplitLike")
                       .Input("input: T")
                       .Input("like: N * T")
                       .Output("output: N * T")
                       .Attr("N", AttrType::kInt)
                       .TypeAttr("T", AllTypes())
                       .Attr("axis", AttrType::kInt)
                       .Shape(SplitLikeShape)
                       .Doc("input cut along axis into pieces shaped like each like "
                            "(ConcatV2's gradient)."));
  (void)r.Register(OpDefBuilder("Transpose")
                       .Input("x: T")
                       .Output("y: T")
                       .TypeAttr("T", AllTypes())
                       .Attr("perm", AttrType::kIntList)
                       .Shape(TransposeShape)
                       .Doc("y's dim i is x's dim perm[i]."));
  (void)r.Register(OpDefBuilder("Squeeze")
                       .Cheap()
                       .Input("input: T")
                       .Output("output: T")
                       .TypeAttr("T")
                       .Attr("squeeze_dims", AttrType::kIntList, std::vector<int64_t>{})
                       .Shape(SqueezeShape)
                       .Doc("input without the listed size-1 dims (empty: all of them); shares "
                            "input's buffer."));
}

namespace ops {

Output Pad(Output x, std::vector<int64_t> paddings, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("Pad", in, {{"paddings", std::move(paddings)}}, name);
}

Output PadV2(Output x, std::vector<int64_t> paddings, Output constant_values,
             absl::string_view name) {
  if (!x.valid() || !constant_values.valid()) return Output();
  Output in[] = {x, constant_values};
  return x.builder()->Op("PadV2", in, {{"paddings", std::move(paddings)}}, name);
}

Output SliceLike(Output x, Output like, std::vector<int64_t> begin, absl::string_view name) {
  if (!x.valid() || !like.valid()) return Output();
  Output in[] = {x, like};
  return x.builder()->Op("SliceLike", in, {{"begin", std::move(begin)}}, name);
}

Output ConcatV2(std::span<const Output> values, int64_t axis, absl::string_view name) {
  if (values.empty()) return Output();
  for (const Output& v : values) {
    if (!v.valid()) return Output();
  }
  return values[0].builder()->Op("ConcatV2", values, {{"axis", axis}}, name);
}

std::vector<Output> SplitLike(Output x, std::span<const Output> likes, int64_t axis,
                              absl::string_view name) {
  if (!x.valid() || likes.empty()) return std::vector<Output>(likes.size());
  std::vector<Output> in = {x};
  for (const Output& like : likes) {
    if (!like.valid()) return std::vector<Output>(likes.size());
    in.push_back(like);
  }
  GraphBuilder* b = x.builder();
  const int id = b->AddNode("SplitLike", in, {{"axis", axis}}, name);
  std::vector<Output> out;
  for (size_t k = 0; k < likes.size(); ++k) {
    out.push_back(id < 0 ? Output() : Output(b, id, static_cast<int>(k)));
  }
  return out;
}

Output Transpose(Output x, std::vector<int64_t> perm, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("Transpose", in, {{"perm", std::move(perm)}}, name);
}

Output Squeeze(Output x, std::vector<int64_t> squeeze_dims, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("Squeeze", in, {{"squeeze_dims", std::move(squeeze_dims)}}, name);
}

}  // namespace ops
}  // namespace graphrt
