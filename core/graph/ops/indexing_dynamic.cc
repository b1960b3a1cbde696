// OpDefs and op functions of the run-time-shaped indexing ops
// (indexing_dynamic.h).
#include "core/graph/ops/indexing_dynamic.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/op_def.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

// DynamicReshape: as many unknown dims as `shape` has elements, when that
// is known (a rank-1 shape input of known length).
absl::Status DynamicReshapeShape(ShapeContext& c) {
  const PartialShape& shape = c.input(1);
  if (shape.known_rank() && shape.rank() != 1) {
    return c.Error(absl::StrCat("shape must be rank 1, is ", shape.DebugString()));
  }
  if (!shape.known_rank() || shape.dim(0) < 0) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  c.set_output(0, PartialShape(std::vector<int64_t>(shape.dim(0), -1)));
  return absl::OkStatus();
}

// DynamicSlice: the data's rank, every dim unknown (the bounds are values).
absl::Status DynamicSliceShape(ShapeContext& c) {
  const PartialShape& in = c.input(0);
  if (!in.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  for (int i = 1; i < 5; ++i) {
    if (c.input(i).known_rank() && c.input(i).rank() != 1) {
      return c.Error(absl::StrCat("input ", i, " (starts, ends, axes, steps) must be rank 1, is ",
                                  c.input(i).DebugString()));
    }
  }
  c.set_output(0, PartialShape(std::vector<int64_t>(in.rank(), -1)));
  return absl::OkStatus();
}

// DynamicUnsqueeze: the input's rank plus the axes' count, when both are
// known; which dims are the new ones is a value.
absl::Status DynamicUnsqueezeShape(ShapeContext& c) {
  const PartialShape& in = c.input(0);
  const PartialShape& axes = c.input(1);
  if (!in.known_rank() || !axes.known_rank() || axes.rank() != 1 || axes.dim(0) < 0) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  c.set_output(0, PartialShape(std::vector<int64_t>(in.rank() + axes.dim(0), -1)));
  return absl::OkStatus();
}

// DynamicSum and the like: with keep_dims the input's rank, dims unknown
// (which are reduced is a value); otherwise the rank is unknown too.
absl::Status DynamicReduceShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(bool keep, c.attr<bool>("keep_dims"));
  const PartialShape& in = c.input(0);
  if (!keep || !in.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  c.set_output(0, PartialShape(std::vector<int64_t>(in.rank(), -1)));
  return absl::OkStatus();
}

// DynamicExpand: max(input rank, shape length) dims, unknown, when both
// are known.
absl::Status DynamicExpandShape(ShapeContext& c) {
  const PartialShape& in = c.input(0);
  const PartialShape& shape = c.input(1);
  if (!in.known_rank() || !shape.known_rank() || shape.rank() != 1 || shape.dim(0) < 0) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  const int64_t rank = std::max<int64_t>(in.rank(), shape.dim(0));
  c.set_output(0, PartialShape(std::vector<int64_t>(rank, -1)));
  return absl::OkStatus();
}

// DynamicPad: the input's rank, dims unknown (the pads are values).
absl::Status DynamicPadShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(std::string mode, c.attr<std::string>("mode"));
  if (mode != "constant" && mode != "edge" && mode != "reflect") {
    return c.Error(absl::StrCat("mode '", mode, "' is none of constant, edge, reflect"));
  }
  const PartialShape& in = c.input(0);
  c.set_output(0, in.known_rank() ? PartialShape(std::vector<int64_t>(in.rank(), -1))
                                  : PartialShape::UnknownRank());
  return absl::OkStatus();
}

// Range: one dim, its length a value.
absl::Status RangeShape(ShapeContext& c) {
  for (int i = 0; i < 3; ++i) {
    if (c.input(i).known_rank() && c.input(i).rank() != 0) {
      return c.Error(absl::StrCat("input ", i, " (start, limit, delta) must be a scalar, is ",
                                  c.input(i).DebugString()));
    }
  }
  c.set_output(0, PartialShape({-1}));
  return absl::OkStatus();
}

// DynamicSqueeze: the rank depends on the axes' values (or on which dims are 1).
absl::Status UnknownRankShape(ShapeContext& c) {
  c.set_output(0, PartialShape::UnknownRank());
  return absl::OkStatus();
}

}  // namespace

void RegisterDynamicIndexingOps(OpRegistry& r) {
  (void)r.Register(OpDefBuilder("DynamicReshape")
                       .Cheap()
                       .Input("tensor: T")
                       .Input("shape: Tshape")
                       .Output("output: T")
                       .TypeAttr("T", AllElementTypes())
                       .TypeAttr("Tshape", {DataType::kInt32, DataType::kInt64})
                       .Attr("allowzero", AttrType::kBool, false)
                       .Shape(DynamicReshapeShape)
                       .Doc("ONNX's Reshape with the shape read when it runs (0 copies the "
                            "input's dim unless allowzero; at most one -1)."));
  (void)r.Register(OpDefBuilder("DynamicSlice")
                       .Input("data: T")
                       .Input("starts: Tind")
                       .Input("ends: Tind")
                       .Input("axes: Tind")
                       .Input("steps: Tind")
                       .Output("output: T")
                       .TypeAttr("T", AllElementTypes())
                       .TypeAttr("Tind", {DataType::kInt32, DataType::kInt64})
                       .Shape(DynamicSliceShape)
                       .Doc("ONNX's Slice with starts, ends, axes and steps read when it "
                            "runs (empty axes: 0, 1, ...; empty steps: all 1)."));
  (void)r.Register(OpDefBuilder("DynamicUnsqueeze")
                       .Cheap()
                       .Input("input: T")
                       .Input("axes: Tind")
                       .Output("output: T")
                       .TypeAttr("T", AllElementTypes())
                       .TypeAttr("Tind", {DataType::kInt32, DataType::kInt64})
                       .Shape(DynamicUnsqueezeShape)
                       .Doc("ONNX's Unsqueeze with axes read when it runs: a dim of 1 at "
                            "each axis of the output (negative counts from its end)."));
  (void)r.Register(OpDefBuilder("DynamicSqueeze")
                       .Cheap()
                       .Input("input: T")
                       .Input("axes: Tind")
                       .Output("output: T")
                       .TypeAttr("T", AllElementTypes())
                       .TypeAttr("Tind", {DataType::kInt32, DataType::kInt64})
                       .Shape(UnknownRankShape)
                       .Doc("ONNX's Squeeze with axes read when it runs: drops those dims "
                            "(each must be 1), or every dim of 1 when axes is empty."));
  (void)r.Register(OpDefBuilder("DynamicExpand")
                       .Input("input: T")
                       .Input("shape: Tshape")
                       .Output("output: T")
                       .TypeAttr("T", AllElementTypes())
                       .TypeAttr("Tshape", {DataType::kInt32, DataType::kInt64})
                       .Shape(DynamicExpandShape)
                       .Doc("ONNX's Expand with the shape read when it runs: input broadcast "
                            "(numpy rules, both ways) with shape."));
  (void)r.Register(OpDefBuilder("DynamicPad")
                       .Input("input: T")
                       .Input("pads: Tpads")
                       .Input("constant_value: T")
                       .Output("output: T")
                       .TypeAttr("T", AllElementTypes())
                       .TypeAttr("Tpads", {DataType::kInt32, DataType::kInt64})
                       .Attr("mode", AttrType::kString, std::string("constant"))
                       .Shape(DynamicPadShape)
                       .Doc("ONNX's Pad with pads ([begin of each dim..., end of each "
                            "dim...], negative crops) read when it runs; mode constant "
                            "(constant_value, a scalar), edge (the nearest element) or "
                            "reflect (mirrored without repeating the edge)."));
  (void)r.Register(OpDefBuilder("Range")
                       .Input("start: Tidx")
                       .Input("limit: Tidx")
                       .Input("delta: Tidx")
                       .Output("output: Tidx")
                       .TypeAttr("Tidx", {DataType::kFloat32, DataType::kFloat64,
                                          DataType::kInt16, DataType::kInt32, DataType::kInt64})
                       .Shape(RangeShape)
                       .Doc("TF's Range with ONNX's count: start, start + delta, ... while "
                            "below limit (above, for a negative delta); "
                            "max(0, ceil((limit - start) / delta)) elements, so the wrong "
                            "direction gives an empty tensor (TF reports it); delta 0 is "
                            "INVALID_ARGUMENT."));
  for (const char* op : {"DynamicSum", "DynamicMean", "DynamicMax", "DynamicMin", "DynamicProd"}) {
    (void)r.Register(OpDefBuilder(op)
                         .Input("input: T")
                         .Input("axes: Tidx")
                         .Output("output: T")
                         .TypeAttr("T", {DataType::kFloat32, DataType::kFloat64,
                                         DataType::kInt32, DataType::kInt64})
                         .TypeAttr("Tidx", {DataType::kInt32, DataType::kInt64})
                         .Attr("keep_dims", AttrType::kBool, false)
                         .Attr("noop_with_empty_axes", AttrType::kBool, false)
                         .Shape(DynamicReduceShape)
                         .Doc("Sum (Mean, Max, Min, Prod) over axes read when it runs (ONNX's "
                              "ReduceX with an axes input): empty axes reduce every axis, or "
                              "pass the input through with noop_with_empty_axes."));
  }
}

namespace ops {

Output DynamicReshape(Output tensor, Output shape, bool allowzero, absl::string_view name) {
  if (!tensor.valid() || !shape.valid()) return Output();
  Output in[] = {tensor, shape};
  return tensor.builder()->Op("DynamicReshape", in, {{"allowzero", allowzero}}, name);
}

Output DynamicSlice(Output data, Output starts, Output ends, Output axes, Output steps,
                    absl::string_view name) {
  if (!data.valid() || !starts.valid() || !ends.valid() || !axes.valid() || !steps.valid()) {
    return Output();
  }
  Output in[] = {data, starts, ends, axes, steps};
  return data.builder()->Op("DynamicSlice", in, {}, name);
}

Output DynamicUnsqueeze(Output input, Output axes, absl::string_view name) {
  if (!input.valid() || !axes.valid()) return Output();
  Output in[] = {input, axes};
  return input.builder()->Op("DynamicUnsqueeze", in, {}, name);
}

Output DynamicSqueeze(Output input, Output axes, absl::string_view name) {
  if (!input.valid() || !axes.valid()) return Output();
  Output in[] = {input, axes};
  return input.builder()->Op("DynamicSqueeze", in, {}, name);
}

Output DynamicExpand(Output input, Output shape, absl::string_view name) {
  if (!input.valid() || !shape.valid()) return Output();
  Output in[] = {input, shape};
  return input.builder()->Op("DynamicExpand", in, {}, name);
}

}  // namespace ops
}  // namespace graphrt
