#include "core/graph/ops/resize_ops.h"

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

// The output dims come from run-time values (scales or sizes): only the
// rank is known here, and the lengths of roi, scales and sizes are checked
// against it where they are known.
absl::Status ResizeShape(ShapeContext& c) {
  const PartialShape& x = c.input(0);
  if (!x.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  const int rank = x.rank();
  struct Vec { int input; const char* name; int64_t want; };
  for (const Vec& v : {Vec{1, "roi", 2 * rank}, Vec{2, "scales", rank}, Vec{3, "sizes", rank}}) {
    const PartialShape& s = c.input(v.input);
    if (!s.known_rank()) continue;
    if (s.rank() != 1) {
      return c.Error(absl::StrCat(v.name, " must be a vector, got ", s.DebugString()));
    }
    if (s.dim(0) > 0 && s.dim(0) != v.want) {
      return c.Error(absl::StrCat(v.name, " must have ", v.want, " elements (x has rank ", rank,
                                  "), got ", s.dim(0)));
    }
  }
  std::vector<int64_t> dims(rank, -1);
  c.set_output(0, PartialShape(std::span<const int64_t>(dims)));
  return absl::OkStatus();
}

}  // namespace

void RegisterResizeOps(OpRegistry& r) {
  (void)r.Register(OpDefBuilder("Resize")
                       .Input("x: T")
                       .Input("roi: float32")
                       .Input("scales: float32")
                       .Input("sizes: int64")
                       .Output("y: T")
                       .TypeAttr("T", {DataType::kFloat32})
                       .Attr("mode", AttrType::kString, std::string("nearest"))
                       .Attr("coordinate_transformation_mode", AttrType::kString,
                             std::string("half_pixel"))
                       .Attr("nearest_mode", AttrType::kString, std::string("round_prefer_floor"))
                       .Attr("cubic_coeff_a", AttrType::kFloat, -0.75f)
                       .Attr("exclude_outside", AttrType::kBool, false)
                       .Attr("extrapolation_value", AttrType::kFloat, 0.0f)
                       .Shape(ResizeShape)
                       .Doc("N-D nearest/linear/cubic resize, ONNX Resize semantics; one of "
                            "scales [rank] and sizes [rank] non-empty."));
}

namespace ops {

Output Resize(Output x, Output roi, Output scales, Output sizes, const ResizeAttrs& attrs,
              absl::string_view name) {
  if (!x.valid()) return Output();
  GraphBuilder& b = *x.builder();
  if (!roi.valid()) roi = b.Const(Tensor(DataType::kFloat32, TensorShape{0}));
  if (!scales.valid()) scales = b.Const(Tensor(DataType::kFloat32, TensorShape{0}));
  if (!sizes.valid()) sizes = b.Const(Tensor(DataType::kInt64, TensorShape{0}));
  Output in[] = {x, roi, scales, sizes};
  return b.Op("Resize", in,
              {{"mode", attrs.mode},
               {"coordinate_transformation_mode", attrs.coordinate_transformation_mode},
               {"nearest_mode", attrs.nearest_mode},
               {"cubic_coeff_a", attrs.cubic_coeff_a},
               {"exclude_outside", attrs.exclude_outside},
               {"extrapolation_value", attrs.extrapolation_value}},
              name);
}

}  // namespace ops
}  // namespace graphrt
