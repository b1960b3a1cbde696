#include "core/graph/ops/misc_ops.h"

#include "absl/strings/str_cat.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

const std::vector<DataType> kFloats = {DataType::kFloat32, DataType::kFloat64};

absl::Status MvnShape(ShapeContext& c) {
  absl::StatusOr<std::vector<int64_t>> axes = c.attr<std::vector<int64_t>>("axes");
  if (!axes.ok()) return c.Error(axes.status().message());
  if (c.input(0).known_rank()) {
    absl::StatusOr<std::vector<int>> norm = NormalizeAxes(*axes, c.input(0).rank());
    if (!norm.ok()) return c.Error(norm.status().message());
  }
  c.set_output(0, c.input(0));
  return absl::OkStatus();
}

absl::Status DeterminantShape(ShapeContext& c) {
  const PartialShape& x = c.input(0);
  if (!x.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  const int r = x.rank();
  if (r < 2) return c.Error(absl::StrCat("needs [..., M, M], got ", x.DebugString()));
  if (x.dim(r - 1) >= 0 && x.dim(r - 2) >= 0 && x.dim(r - 1) != x.dim(r - 2)) {
    return c.Error(absl::StrCat("needs square matrices [..., M, M], got ", x.DebugString()));
  }
  c.set_output(0, PartialShape(x.dims().subspan(0, r - 2)));
  return absl::OkStatus();
}

}  // namespace

void RegisterMiscOps(OpRegistry& r) {
  (void)r.Register(OpDefBuilder("Shrink")
                       .Input("x: T")
                       .Output("y: T")
                       .TypeAttr("T", kFloats)
                       .Attr("bias", AttrType::kFloat, 0.0f)
                       .Attr("lambd", AttrType::kFloat, 0.5f)
                       .Shape(UnchangedShape)
                       .Doc("x < -lambd ? x + bias : x > lambd ? x - bias : 0 (ONNX Shrink)."));
  (void)r.Register(OpDefBuilder("MeanVarianceNormalization")
                       .Input("x: T")
                       .Output("y: T")
                       .TypeAttr("T", kFloats)
                       .Attr("axes", AttrType::kIntList, std::vector<int64_t>{0, 2, 3})
                       .Shape(MvnShape)
                       .Doc("(x - mean) / sqrt(var + 1e-9) over axes (ONNX MVN)."));
  (void)r.Register(OpDefBuilder("MatrixDeterminant")
                       .Input("input: T")
                       .Output("output: T")
                       .TypeAttr("T", kFloats)
                       .Shape(DeterminantShape)
                       .Doc("Determinants of [..., M, M] (LU with partial pivoting)."));
}

namespace ops {

Output Shrink(Output x, float bias, float lambd, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("Shrink", in, {{"bias", bias}, {"lambd", lambd}}, name);
}

Output MeanVarianceNormalization(Output x, std::vector<int64_t> axes, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("MeanVarianceNormalization", in, {{"axes", std::move(axes)}}, name);
}

Output MatrixDeterminant(Output x, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("MatrixDeterminant", in, {}, name);
}

}  // namespace ops
}  // namespace graphrt
