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

absl::Status ReverseSequenceShape(ShapeContext& c) {
  const PartialShape& x = c.input(0);
  if (x.known_rank()) {
    for (const char* name : {"seq_dim", "batch_dim"}) {
      absl::StatusOr<int64_t> a = c.attr<int64_t>(name);
      if (!a.ok()) return c.Error(a.status().message());
      if (*a < 0 || *a >= x.rank()) {
        return c.Error(absl::StrCat(name, " ", *a, " is out of range for ", x.DebugString()));
      }
    }
  }
  c.set_output(0, x);
  return absl::OkStatus();
}

// The selected count is known only at run time.
absl::Status CompressShape(ShapeContext& c) {
  const PartialShape& x = c.input(0);
  absl::StatusOr<bool> flatten = c.attr<bool>("flatten");
  absl::StatusOr<int64_t> axis = c.attr<int64_t>("axis");
  if (!flatten.ok() || !axis.ok()) return c.Error("needs attrs axis and flatten");
  if (*flatten) {
    c.set_output(0, PartialShape{-1});
    return absl::OkStatus();
  }
  if (!x.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  if (*axis < -x.rank() || *axis >= x.rank()) {
    return c.Error(absl::StrCat("axis ", *axis, " is out of range for ", x.DebugString()));
  }
  std::vector<int64_t> dims(x.dims().begin(), x.dims().end());
  dims[*axis < 0 ? *axis + x.rank() : *axis] = -1;
  c.set_output(0, PartialShape(std::span<const int64_t>(dims)));
  return absl::OkStatus();
}

absl::Status MaxUnpoolShape(ShapeContext& c) {
  const PartialShape& x = c.input(0);
  if (!x.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  std::vector<int64_t> dims(x.dims().begin(), x.dims().end());
  for (size_t d = 2; d < dims.size(); ++d) dims[d] = -1;  // may come from output_shape
  c.set_output(0, PartialShape(std::span<const int64_t>(dims)));
  return absl::OkStatus();
}

absl::Status NonZeroShape(ShapeContext& c) {
  const PartialShape& x = c.input(0);
  c.set_output(0, x.known_rank() ? PartialShape{x.rank(), -1} : PartialShape{-1, -1});
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
  (void)r.Register(OpDefBuilder("ReverseSequence")
                       .Input("input: T")
                       .Input("seq_lengths: Tlen")
                       .Output("output: T")
                       .TypeAttr("T")
                       .TypeAttr("Tlen", {DataType::kInt32, DataType::kInt64})
                       .Attr("seq_dim", AttrType::kInt)
                       .Attr("batch_dim", AttrType::kInt, int64_t{0})
                       .Shape(ReverseSequenceShape)
                       .Doc("Reverses the first seq_lengths[b] elements along seq_dim per batch."));
  (void)r.Register(OpDefBuilder("Compress")
                       .Input("input: T")
                       .Input("condition: bool")
                       .Output("output: T")
                       .TypeAttr("T")
                       .Attr("axis", AttrType::kInt, int64_t{0})
                       .Attr("flatten", AttrType::kBool, false)
                       .Shape(CompressShape)
                       .Doc("Slices along axis (or elements, flattened) where condition is true."));
  (void)r.Register(OpDefBuilder("MaxUnpool")
                       .Input("x: T")
                       .Input("indices: int64")
                       .Input("output_shape: int64")
                       .Output("y: T")
                       .TypeAttr("T", {DataType::kFloat32})
                       .Attr("kernel_shape", AttrType::kIntList)
                       .Attr("strides", AttrType::kIntList, std::vector<int64_t>{})
                       .Attr("pads", AttrType::kIntList, std::vector<int64_t>{})
                       .Shape(MaxUnpoolShape)
                       .Doc("Scatters x into zeros at MaxPool's flat indices (ONNX MaxUnpool)."));
  (void)r.Register(OpDefBuilder("NonZero")
                       .Input("x: T")
                       .Output("indices: int64")
                       .TypeAttr("T")
                       .Shape(NonZeroShape)
                       .Doc("int64 [rank, n]: coordinates of the non-zero elements (ONNX)."));
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

Output ReverseSequence(Output x, Output seq_lengths, int64_t seq_dim, int64_t batch_dim,
                       absl::string_view name) {
  if (!x.valid() || !seq_lengths.valid()) return Output();
  Output in[] = {x, seq_lengths};
  return x.builder()->Op("ReverseSequence", in,
                         {{"seq_dim", seq_dim}, {"batch_dim", batch_dim}}, name);
}

Output MaxUnpool(Output x, Output indices, Output output_shape, std::vector<int64_t> kernel_shape,
                 std::vector<int64_t> strides, std::vector<int64_t> pads,
                 absl::string_view name) {
  if (!x.valid() || !indices.valid()) return Output();
  if (!output_shape.valid()) {
    output_shape = x.builder()->Const(Tensor(DataType::kInt64, TensorShape{0}));
  }
  Output in[] = {x, indices, output_shape};
  return x.builder()->Op("MaxUnpool", in,
                         {{"kernel_shape", std::move(kernel_shape)},
                          {"strides", std::move(strides)},
                          {"pads", std::move(pads)}},
                         name);
}

Output NonZero(Output x, absl::string_view name) {
  if (!x.valid()) return Output();
  Output in[] = {x};
  return x.builder()->Op("NonZero", in, {}, name);
}

Output Compress(Output x, Output condition, int64_t axis, bool flatten,
                absl::string_view name) {
  if (!x.valid() || !condition.valid()) return Output();
  Output in[] = {x, condition};
  return x.builder()->Op("Compress", in, {{"axis", axis}, {"flatten", flatten}}, name);
}

}  // namespace ops
}  // namespace graphrt
