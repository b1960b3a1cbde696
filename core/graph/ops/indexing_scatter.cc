// OpDefs of GatherND, ScatterND and ScatterElements (indexing_scatter.h).
#include "core/graph/ops/indexing_scatter.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/op_def.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

// GatherND: indices[:-1] + data[batch_dims + k:], k = indices' last dim.
absl::Status GatherNdShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(int64_t b, c.attr<int64_t>("batch_dims"));
  const PartialShape& data = c.input(0);
  const PartialShape& indices = c.input(1);
  if (!data.known_rank() || !indices.known_rank() || indices.rank() < 1 ||
      indices.dim(indices.rank() - 1) < 0) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  const int64_t k = indices.dim(indices.rank() - 1);
  if (b < 0 || b >= indices.rank() || b + k > data.rank()) {
    return c.Error(absl::StrCat("batch_dims ", b, " and index depth ", k, " do not fit data ",
                                data.DebugString(), " and indices ", indices.DebugString()));
  }
  std::vector<int64_t> dims(indices.dims().begin(), indices.dims().end() - 1);
  for (int64_t d = b + k; d < data.rank(); ++d) dims.push_back(data.dim(static_cast<int>(d)));
  c.set_output(0, PartialShape(dims));
  return absl::OkStatus();
}

}  // namespace

void RegisterScatterOps(OpRegistry& r) {
  (void)r.Register(OpDefBuilder("GatherND")
                       .Input("data: T")
                       .Input("indices: Tind")
                       .Output("output: T")
                       .TypeAttr("T", AllElementTypes())
                       .TypeAttr("Tind", {DataType::kInt32, DataType::kInt64})
                       .Attr("batch_dims", AttrType::kInt, int64_t{0})
                       .Shape(GatherNdShape)
                       .Doc("ONNX's GatherND: slices of data picked by the index tuples in "
                            "indices' last dim, the first batch_dims dims walked together."));
  for (const char* op : {"ScatterND", "ScatterElements"}) {
    OpDefBuilder def(op);
    def.Input("data: T")
        .Input("indices: Tind")
        .Input("updates: T")
        .Output("output: T")
        .TypeAttr("T", AllElementTypes())
        .TypeAttr("Tind", {DataType::kInt32, DataType::kInt64})
        .Attr("reduction", AttrType::kString, std::string("none"))
        .Shape(UnchangedShape);
    if (std::string(op) == "ScatterElements") {
      def.Attr("axis", AttrType::kInt, int64_t{0})
          .Doc("ONNX's ScatterElements: data with updates[i][j] written at "
               "[indices[i][j]][j] along axis.");
    } else {
      def.Doc("ONNX's ScatterND: data with each slice of updates written at the "
              "index tuple in indices' last dim.");
    }
    (void)r.Register(def);
  }
}

}  // namespace graphrt
