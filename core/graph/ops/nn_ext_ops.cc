#include "core/graph/ops/nn_ext_ops.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

using DT = DataType;

absl::Status BatchMatMulShape(ShapeContext& c) {
  const PartialShape& x = c.input(0);
  const PartialShape& y = c.input(1);
  for (const PartialShape* s : {&x, &y}) {
    if (s->known_rank() && s->rank() < 2) {
      return c.Error(absl::StrCat("inputs must have rank >= 2 ([..., rows, cols]), got ",
                                  s->DebugString()));
    }
  }
  if (!x.known_rank() || !y.known_rank()) return absl::OkStatus();
  ASSIGN_OR_RETURN(bool adj_x, c.attr<bool>("adj_x"));
  ASSIGN_OR_RETURN(bool adj_y, c.attr<bool>("adj_y"));
  const int rx = x.rank(), ry = y.rank();
  const int64_t m = x.dim(adj_x ? rx - 1 : rx - 2), kx = x.dim(adj_x ? rx - 2 : rx - 1);
  const int64_t ky = y.dim(adj_y ? ry - 1 : ry - 2), n = y.dim(adj_y ? ry - 2 : ry - 1);
  if (kx >= 0 && ky >= 0 && kx != ky) {
    return c.Error(absl::StrCat("inner dimensions differ: x ", x.DebugString(), " and y ",
                                y.DebugString(), " (adj_x ", adj_x, ", adj_y ", adj_y, ")"));
  }
  // The batch dims broadcast as numpy's (an unknown dim takes the known one).
  absl::StatusOr<PartialShape> batch = BroadcastPartialShapes(
      PartialShape(x.dims().first(rx - 2)), PartialShape(y.dims().first(ry - 2)));
  if (!batch.ok()) {
    return c.Error(absl::StrCat("batch dimensions of x ", x.DebugString(), " and y ",
                                y.DebugString(), " do not broadcast"));
  }
  std::vector<int64_t> out(batch->dims().begin(), batch->dims().end());
  out.push_back(m);
  out.push_back(n);
  c.set_output(0, PartialShape(out));
  return absl::OkStatus();
}

absl::Status CheckAxis(ShapeContext& c, const PartialShape& x, int64_t axis) {
  if (x.known_rank() && (axis < -x.rank() || axis >= std::max(x.rank(), 1))) {
    return c.Error(absl::StrCat("axis ", axis, " is out of range for ", x.DebugString()));
  }
  return absl::OkStatus();
}

absl::Status SoftmaxNdShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(int64_t axis, c.attr<int64_t>("axis"));
  ASSIGN_OR_RETURN(std::string mode, c.attr<std::string>("mode"));
  if (mode != "softmax" && mode != "log_softmax" && mode != "hardmax") {
    return c.Error(absl::StrCat("mode '", mode, "' is not softmax, log_softmax or hardmax"));
  }
  RETURN_IF_ERROR(CheckAxis(c, c.input(0), axis));
  c.set_output(0, c.input(0));
  return absl::OkStatus();
}

absl::Status StandardizeShape(ShapeContext& c) {
  const PartialShape& x = c.input(0);
  ASSIGN_OR_RETURN(int64_t axis, c.attr<int64_t>("axis"));
  RETURN_IF_ERROR(CheckAxis(c, x, axis));
  c.set_output(0, x);
  if (x.known_rank()) {
    const int64_t a = axis < 0 ? axis + x.rank() : axis;
    std::vector<int64_t> stats(x.dims().begin(), x.dims().end());
    for (size_t i = a; i < stats.size(); ++i) stats[i] = 1;
    c.set_output(1, PartialShape(stats));
    c.set_output(2, PartialShape(stats));
  }
  return absl::OkStatus();
}

absl::Status NllShape(ShapeContext& c) {
  const PartialShape& input = c.input(0);
  const PartialShape& target = c.input(1);
  ASSIGN_OR_RETURN(std::string reduction, c.attr<std::string>("reduction"));
  if (reduction != "none" && reduction != "sum" && reduction != "mean") {
    return c.Error(absl::StrCat("reduction '", reduction, "' is not none, sum or mean"));
  }
  if (input.known_rank() && input.rank() < 2) {
    return c.Error(absl::StrCat("input must be [N, C, d...], got ", input.DebugString()));
  }
  if (input.known_rank() && target.known_rank() && target.rank() != input.rank() - 1) {
    return c.Error(absl::StrCat("target ", target.DebugString(), " must be input ",
                                input.DebugString(), " without its class axis"));
  }
  if (reduction != "none") {
    c.set_output(0, PartialShape::Scalar());
  } else {
    c.set_output(0, target);
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterNnExtOps(OpRegistry& r) {
  (void)r.Register(OpDefBuilder("BatchMatMulV2")
                       .Input("x: T")
                       .Input("y: T")
                       .Output("output: T")
                       .TypeAttr("T", {DT::kFloat32, DT::kFloat64})
                       .Attr("adj_x", AttrType::kBool, false)
                       .Attr("adj_y", AttrType::kBool, false)
                       .Shape(BatchMatMulShape)
                       .Doc("Batched matrix product with numpy-broadcast batch dims."));
  (void)r.Register(OpDefBuilder("SoftmaxNd")
                       .Input("x: T")
                       .Output("y: T")
                       .TypeAttr("T", {DT::kFloat32, DT::kFloat64})
                       .Attr("axis", AttrType::kInt, int64_t{-1})
                       .Attr("mode", AttrType::kString, std::string("softmax"))
                       .Attr("coerce_2d", AttrType::kBool, false)
                       .Shape(SoftmaxNdShape)
                       .Doc("Softmax, log-softmax or hardmax along any axis."));
  (void)r.Register(OpDefBuilder("Standardize")
                       .Input("x: T")
                       .Output("y: T")
                       .Output("mean: T")
                       .Output("inv_std: T")
                       .TypeAttr("T", {DT::kFloat32})
                       .Attr("axis", AttrType::kInt, int64_t{-1})
                       .Attr("epsilon", AttrType::kFloat, 1e-5f)
                       .Shape(StandardizeShape)
                       .Doc("(x - mean) / sqrt(var + epsilon) over the axes from `axis` on."));
  (void)r.Register(OpDefBuilder("LRNChannelsFirst")
                       .Input("x: T")
                       .Output("y: T")
                       .TypeAttr("T", {DT::kFloat32})
                       .Attr("size", AttrType::kInt)
                       .Attr("alpha", AttrType::kFloat, 1e-4f)
                       .Attr("beta", AttrType::kFloat, 0.75f)
                       .Attr("bias", AttrType::kFloat, 1.0f)
                       .Shape(UnchangedShape)
                       .Doc("ONNX LRN: across channels (axis 1) of [N, C, D...]."));
  (void)r.Register(OpDefBuilder("NegativeLogLikelihoodLoss")
                       .Input("input: T")
                       .Input("target: Tind")
                       .Input("weight: T")
                       .Output("loss: T")
                       .TypeAttr("T", {DT::kFloat32})
                       .TypeAttr("Tind", {DT::kInt32, DT::kInt64})
                       .Attr("reduction", AttrType::kString, std::string("mean"))
                       .Attr("ignore_index", AttrType::kInt, int64_t{0})
                       .Attr("has_ignore_index", AttrType::kBool, false)
                       .Shape(NllShape)
                       .Doc("ONNX NegativeLogLikelihoodLoss; weight [0] means no weights."));
}

}  // namespace graphrt
