// OpDefs and op functions of the indexing ops (indexing_ops.h).
#include "core/graph/ops/indexing_ops.h"

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/op_def.h"
#include "core/graph/ops/indexing_dynamic.h"
#include "core/graph/ops/indexing_scatter.h"
#include "core/graph/ops/indexing_slice.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

// params[:axis] + indices[batch_dims:] + params[axis+1:]; the batch dims
// must agree where both are known.
absl::Status GatherV2Shape(ShapeContext& c) {
  ASSIGN_OR_RETURN(int64_t axis, c.attr<int64_t>("axis"));
  ASSIGN_OR_RETURN(int64_t batch_dims, c.attr<int64_t>("batch_dims"));
  const PartialShape& params = c.input(0);
  const PartialShape& indices = c.input(1);
  if (!params.known_rank() || !indices.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  const int64_t rank = params.rank(), irank = indices.rank();
  if (axis < -rank || axis >= rank) {
    return c.Error(absl::StrCat("axis ", axis, " is out of range [", -rank, ", ", rank,
                                ") for params of shape ", params.DebugString()));
  }
  if (axis < 0) axis += rank;
  if (batch_dims < -irank || batch_dims > irank) {
    return c.Error(absl::StrCat("batch_dims ", batch_dims, " is out of range [", -irank, ", ",
                                irank, "] for indices of shape ", indices.DebugString()));
  }
  if (batch_dims < 0) batch_dims += irank;
  if (batch_dims > axis) {
    return c.Error(absl::StrCat("batch_dims ", batch_dims, " must be <= axis ", axis));
  }
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < axis; ++d) {
    if (d < batch_dims && params.dim(d) >= 0 && indices.dim(d) >= 0 &&
        params.dim(d) != indices.dim(d)) {
      return c.Error(absl::StrCat("batch dim ", d, " differs: params ", params.DebugString(),
                                  ", indices ", indices.DebugString()));
    }
    dims.push_back(params.dim(d));
  }
  for (int64_t d = batch_dims; d < irank; ++d) dims.push_back(indices.dim(d));
  for (int64_t d = axis + 1; d < rank; ++d) dims.push_back(params.dim(d));
  c.set_output(0, PartialShape(dims));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StridedSliceAttrs> ReadStridedSliceAttrs(const AttrMap& attrs) {
  StridedSliceAttrs a;
  ASSIGN_OR_RETURN(a.begin, GetAttr<std::vector<int64_t>>(attrs, "begin"));
  ASSIGN_OR_RETURN(a.end, GetAttr<std::vector<int64_t>>(attrs, "end"));
  ASSIGN_OR_RETURN(a.strides, GetAttr<std::vector<int64_t>>(attrs, "strides"));
  ASSIGN_OR_RETURN(a.begin_mask, GetAttr<int64_t>(attrs, "begin_mask"));
  ASSIGN_OR_RETURN(a.end_mask, GetAttr<int64_t>(attrs, "end_mask"));
  ASSIGN_OR_RETURN(a.ellipsis_mask, GetAttr<int64_t>(attrs, "ellipsis_mask"));
  ASSIGN_OR_RETURN(a.new_axis_mask, GetAttr<int64_t>(attrs, "new_axis_mask"));
  ASSIGN_OR_RETURN(a.shrink_axis_mask, GetAttr<int64_t>(attrs, "shrink_axis_mask"));
  return a;
}

namespace {

absl::Status StridedSliceShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(StridedSliceAttrs a, ReadStridedSliceAttrs(c.node_attrs()));
  const PartialShape& in = c.input(0);
  if (!in.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  auto plan = PlanStridedSlice(in.dims(), a);
  if (!plan.ok()) return c.Error(absl::StrCat(plan.status().message(), " (input ",
                                              in.DebugString(), ")"));
  c.set_output(0, PartialShape(plan->output));
  return absl::OkStatus();
}

// GatherElements: the output has the indices' shape; ranks must agree.
absl::Status GatherElementsShape(ShapeContext& c) {
  const PartialShape& data = c.input(0);
  const PartialShape& indices = c.input(1);
  if (data.known_rank() && indices.known_rank() && data.rank() != indices.rank()) {
    return c.Error(absl::StrCat("data ", data.DebugString(), " and indices ",
                                indices.DebugString(), " must have one rank"));
  }
  c.set_output(0, indices);
  return absl::OkStatus();
}

// Tile: each dim multiplied by a count only known when it runs.
absl::Status TileShape(ShapeContext& c) {
  const PartialShape& in = c.input(0);
  if (!in.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  c.set_output(0, PartialShape(std::vector<int64_t>(in.rank(), -1)));
  return absl::OkStatus();
}

// OneHot: indices' shape with a dim of depth (known when it runs) at axis.
absl::Status OneHotShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(int64_t axis, c.attr<int64_t>("axis"));
  const PartialShape& in = c.input(0);
  if (!in.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  const int64_t rank = in.rank() + 1;
  if (axis < -1 || axis >= rank) {
    return c.Error(absl::StrCat("axis ", axis, " is out of range [-1, ", rank, ")"));
  }
  std::vector<int64_t> dims(in.dims().begin(), in.dims().end());
  dims.insert(dims.begin() + (axis < 0 ? rank - 1 : axis), -1);
  c.set_output(0, PartialShape(dims));
  return absl::OkStatus();
}

// TopKV2: the input's shape with the axis' size k, known when it runs.
absl::Status TopKShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(int64_t axis, c.attr<int64_t>("axis"));
  const PartialShape& in = c.input(0);
  if (!in.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    c.set_output(1, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  const int64_t rank = in.rank();
  if (axis < -rank || axis >= rank) {
    return c.Error(absl::StrCat("axis ", axis, " is out of range for ", in.DebugString()));
  }
  std::vector<int64_t> dims(in.dims().begin(), in.dims().end());
  dims[axis < 0 ? axis + rank : axis] = -1;
  c.set_output(0, PartialShape(dims));
  c.set_output(1, PartialShape(dims));
  return absl::OkStatus();
}

}  // namespace

void RegisterIndexingOps(OpRegistry& r) {
  RegisterDynamicIndexingOps(r);  // DynamicReshape, DynamicSlice, ...
  RegisterScatterOps(r);          // GatherND, ScatterND, ScatterElements
  (void)r.Register(OpDefBuilder("GatherV2")
                       .Input("params: Tparams")
                       .Input("indices: Tindices")
                       .Output("output: Tparams")
                       .TypeAttr("Tparams", AllElementTypes())
                       .TypeAttr("Tindices", {DataType::kInt32, DataType::kInt64})
                       .Attr("axis", AttrType::kInt, int64_t{0})
                       .Attr("batch_dims", AttrType::kInt, int64_t{0})
                       .Shape(GatherV2Shape)
                       .Doc("Slices of params along axis picked by indices (negative "
                            "indices count from the end)."));
  (void)r.Register(OpDefBuilder("StridedSlice")
                       .Input("input: T")
                       .Output("output: T")
                       .TypeAttr("T", AllElementTypes())
                       .Attr("begin", AttrType::kIntList)
                       .Attr("end", AttrType::kIntList)
                       .Attr("strides", AttrType::kIntList)
                       .Attr("begin_mask", AttrType::kInt, int64_t{0})
                       .Attr("end_mask", AttrType::kInt, int64_t{0})
                       .Attr("ellipsis_mask", AttrType::kInt, int64_t{0})
                       .Attr("new_axis_mask", AttrType::kInt, int64_t{0})
                       .Attr("shrink_axis_mask", AttrType::kInt, int64_t{0})
                       .Shape(StridedSliceShape)
                       .Doc("TF's StridedSlice with begin/end/strides as attrs; resolved "
                            "against the input's shape when it runs (indexing_slice.h)."));
  (void)r.Register(OpDefBuilder("GatherElements")
                       .Input("data: T")
                       .Input("indices: Tindices")
                       .Output("output: T")
                       .TypeAttr("T", AllElementTypes())
                       .TypeAttr("Tindices", {DataType::kInt32, DataType::kInt64})
                       .Attr("axis", AttrType::kInt, int64_t{0})
                       .Shape(GatherElementsShape)
                       .Doc("ONNX's GatherElements: output[i][j] = data[indices[i][j]][j] "
                            "along axis (negative indices count from the end)."));
  (void)r.Register(OpDefBuilder("Tile")
                       .Input("input: T")
                       .Input("multiples: Tmultiples")
                       .Output("output: T")
                       .TypeAttr("T", AllElementTypes())
                       .TypeAttr("Tmultiples", {DataType::kInt32, DataType::kInt64})
                       .Shape(TileShape)
                       .Doc("input repeated multiples[d] times along each dim d."));
  (void)r.Register(OpDefBuilder("Trilu")
                       .Input("input: T")
                       .Input("k: int64")
                       .Output("output: T")
                       .TypeAttr("T", AllElementTypes())
                       .Attr("upper", AttrType::kBool, true)
                       .Shape(UnchangedShape)
                       .Doc("ONNX's Trilu: the upper (j - i >= k) or lower (j - i <= k) "
                            "triangle of each matrix in the last two dims, zeros elsewhere; "
                            "k a scalar read when it runs."));
  (void)r.Register(OpDefBuilder("OneHot")
                       .Input("indices: TI")
                       .Input("depth: int32")
                       .Input("on_value: T")
                       .Input("off_value: T")
                       .Output("output: T")
                       .TypeAttr("T", AllElementTypes())
                       .TypeAttr("TI", {DataType::kUint8, DataType::kInt32, DataType::kInt64})
                       .Attr("axis", AttrType::kInt, int64_t{-1})
                       .Attr("negative_indices_count_from_end", AttrType::kBool, false)
                       .Shape(OneHotShape)
                       .Doc("TF's OneHot: on_value where the new dim's index equals the index, "
                            "off_value elsewhere (also for indices out of range); with "
                            "negative_indices_count_from_end (ONNX) -1 is depth - 1."));
  (void)r.Register(OpDefBuilder("TopKV2")
                       .Input("input: T")
                       .Input("k: Tk")
                       .Output("values: T")
                       .Output("indices: index_type")
                       .TypeAttr("T", {DataType::kFloat32, DataType::kFloat64, DataType::kInt32,
                                       DataType::kInt64})
                       .TypeAttr("Tk", {DataType::kInt32, DataType::kInt64})
                       .TypeAttr("index_type", {DataType::kInt32, DataType::kInt64})
                       .Attr("sorted", AttrType::kBool, true)
                       .Attr("axis", AttrType::kInt, int64_t{-1})
                       .Attr("largest", AttrType::kBool, true)
                       .Shape(TopKShape)
                       .Doc("TF's TopKV2 (the k largest along the last axis, ties to the "
                            "lower index), with ONNX's axis and largest (false: the k "
                            "smallest); k a scalar read when it runs."));
  (void)r.Register(OpDefBuilder("Cumsum")
                       .Input("x: T")
                       .Input("axis: Tidx")
                       .Output("out: T")
                       .TypeAttr("T", {DataType::kFloat32, DataType::kFloat64, DataType::kInt32,
                                       DataType::kInt64})
                       .TypeAttr("Tidx", {DataType::kInt32, DataType::kInt64})
                       .Attr("exclusive", AttrType::kBool, false)
                       .Attr("reverse", AttrType::kBool, false)
                       .Shape(UnchangedShape)
                       .Doc("TF's Cumsum: running sums along axis (a scalar read when it "
                            "runs); exclusive leaves each element out of its own sum, "
                            "reverse sums from the end."));
}

namespace ops {

Output GatherV2(Output params, Output indices, int64_t axis, int64_t batch_dims,
                absl::string_view name) {
  if (!params.valid() || !indices.valid()) return Output();
  Output in[] = {params, indices};
  return params.builder()->Op("GatherV2", in, {{"axis", axis}, {"batch_dims", batch_dims}},
                              name);
}

Output StridedSlice(Output x, const StridedSliceAttrs& a, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("StridedSlice", in,
                         {{"begin", a.begin}, {"end", a.end}, {"strides", a.strides},
                          {"begin_mask", a.begin_mask}, {"end_mask", a.end_mask},
                          {"ellipsis_mask", a.ellipsis_mask},
                          {"new_axis_mask", a.new_axis_mask},
                          {"shrink_axis_mask", a.shrink_axis_mask}},
                         name);
}

}  // namespace ops
}  // namespace graphrt
