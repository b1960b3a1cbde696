// OpDefs and op functions of the indexing ops (indexing_ops.h).
#include "core/graph/ops/indexing_ops.h"

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/op_def.h"
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

void RegisterIndexingOps(OpRegistry& r) {
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
}

namespace ops {

Output GatherV2(Output params, Output indices, int64_t axis, int64_t batch_dims,
                absl::string_view name) {
  if (!params.valid() || !indices.valid()) return Output();
  Output in[] = {params, indices};
  return params.builder()->Op("GatherV2", in, {{"axis", axis}, {"batch_dims", batch_dims}},
                              name);
}

}  // namespace ops
}  // namespace graphrt
