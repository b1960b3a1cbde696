#include "core/graph/ops/math_ops.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "core/graph/shape_inference.h"
#include "core/base/status_macros.h"

namespace graphrt {
namespace {

using DT = DataType;
const std::vector<DataType> kNumeric = {DT::kFloat32, DT::kInt32, DT::kInt64};
const std::vector<DataType> kComparable = {
    DT::kFloat32, DT::kInt32, DT::kInt64,  DT::kUint8,  DT::kBool,  DT::kFloat64,
    DT::kInt8,    DT::kInt16, DT::kUint16, DT::kUint32, DT::kUint64};
// The elementwise arithmetic of imported models (ONNX): every real type.
const std::vector<DataType> kArithmetic = {DT::kFloat32, DT::kInt32,  DT::kInt64,
                                           DT::kFloat64, DT::kInt8,   DT::kInt16,
                                           DT::kUint8,   DT::kUint16, DT::kUint32,
                                           DT::kUint64};
const std::vector<DataType> kSignedArithmetic = {DT::kFloat32, DT::kInt32, DT::kInt64,
                                                 DT::kFloat64, DT::kInt8,  DT::kInt16};
const std::vector<DataType> kFloats = {DT::kFloat32, DT::kFloat64};

absl::Status MatMulShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(bool ta, c.attr<bool>("transpose_a"));
  ASSIGN_OR_RETURN(bool tb, c.attr<bool>("transpose_b"));
  const PartialShape& a = c.input(0);
  const PartialShape& b = c.input(1);
  if ((a.known_rank() && a.rank() != 2) || (b.known_rank() && b.rank() != 2)) {
    return c.Error(absl::StrCat("both inputs must be matrices; got ", a.DebugString(),
                                " and ", b.DebugString()));
  }
  const int64_t m = a.known_rank() ? a.dim(ta ? 1 : 0) : -1;
  const int64_t ka = a.known_rank() ? a.dim(ta ? 0 : 1) : -1;
  const int64_t kb = b.known_rank() ? b.dim(tb ? 1 : 0) : -1;
  const int64_t n = b.known_rank() ? b.dim(tb ? 0 : 1) : -1;
  if (ka >= 0 && kb >= 0 && ka != kb) {
    return c.Error(absl::StrCat("inner dimensions differ: ", a.DebugString(),
                                ta ? " (transposed)" : "", " x ", b.DebugString(),
                                tb ? " (transposed)" : "", " (", ka, " vs ", kb, ")"));
  }
  c.set_output(0, PartialShape{m, n});
  return absl::OkStatus();
}

// MatMul's output; the bias must be a vector of the product's columns and
// the activation one FusedMatMul knows.
absl::Status FusedMatMulShape(ShapeContext& c) {
  RETURN_IF_ERROR(MatMulShape(c));
  auto activation = c.attr<std::string>("activation");
  if (!activation.ok()) return c.Error(activation.status().message());
  if (*activation != "None" && *activation != "Relu") {
    return c.Error(absl::StrCat("activation \"", *activation,
                                "\" is not supported: use \"None\" or \"Relu\""));
  }
  ASSIGN_OR_RETURN(bool tb, c.attr<bool>("transpose_b"));
  const PartialShape& b = c.input(1);
  const PartialShape& bias = c.input(2);
  const int64_t n = b.known_rank() ? b.dim(tb ? 0 : 1) : -1;
  if (bias.known_rank() &&
      (bias.rank() != 1 || (n >= 0 && bias.dim(0) >= 0 && bias.dim(0) != n))) {
    return c.Error(absl::StrCat("bias ", bias.DebugString(),
                                " must be a vector of the product's columns (", n, ")"));
  }
  return absl::OkStatus();
}

absl::Status ReduceShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(std::vector<int64_t> axis, c.attr<std::vector<int64_t>>("axis"));
  ASSIGN_OR_RETURN(bool keep_dims, c.attr<bool>("keep_dims"));
  const PartialShape& in = c.input(0);
  if (!in.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  auto axes = NormalizeAxes(axis, in.rank());
  if (!axes.ok()) return c.Error(axes.status().message());
  std::vector<int64_t> dims;
  for (int i = 0, k = 0; i < in.rank(); ++i) {
    const bool reduced = k < static_cast<int>(axes->size()) && (*axes)[k] == i;
    if (reduced) ++k;
    if (!reduced) {
      dims.push_back(in.dim(i));
    } else if (keep_dims) {
      dims.push_back(1);
    }
  }
  c.set_output(0, PartialShape(dims));
  return absl::OkStatus();
}

absl::Status ArgMaxShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(int64_t axis, c.attr<int64_t>("axis"));
  const PartialShape& in = c.input(0);
  if (!in.known_rank()) {
    c.set_output(0, PartialShape::UnknownRank());
    return absl::OkStatus();
  }
  if (in.rank() == 0) return c.Error("ArgMax needs an input of rank >= 1");
  int64_t axis_arr[] = {axis};
  auto axes = NormalizeAxes(axis_arr, in.rank());
  if (!axes.ok()) return c.Error(axes.status().message());
  std::vector<int64_t> dims;
  for (int i = 0; i < in.rank(); ++i) {
    if (i != (*axes)[0]) dims.push_back(in.dim(i));
  }
  c.set_output(0, PartialShape(dims));
  return absl::OkStatus();
}

void Binary(OpRegistry& r, const char* name, std::vector<DataType> types) {
  (void)r.Register(OpDefBuilder(name)
                       .Input("x: T")
                       .Input("y: T")
                       .Output("z: T")
                       .TypeAttr("T", std::move(types))
                       .Shape(BroadcastShapeFn));
}

void Unary(OpRegistry& r, const char* name, std::vector<DataType> types) {
  (void)r.Register(OpDefBuilder(name)
                       .Input("x: T")
                       .Output("y: T")
                       .TypeAttr("T", std::move(types))
                       .Shape(UnchangedShape));
}

// Reductions also take float64 (ONNX's ReduceX on double; CPU kernels only).
const std::vector<DataType> kReductionTypes = {DT::kFloat32, DT::kFloat64, DT::kInt32,
                                               DT::kInt64};

void Reduction(OpRegistry& r, const char* name) {
  (void)r.Register(OpDefBuilder(name)
                       .Input("input: T")
                       .Output("output: T")
                       .TypeAttr("T", kReductionTypes)
                       .Attr("axis", AttrType::kIntList, std::vector<int64_t>{})
                       .Attr("keep_dims", AttrType::kBool, false)
                       .Shape(ReduceShape));
}

}  // namespace

void RegisterMathOps(OpRegistry& r) {
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) Binary(r, op, kArithmetic);
  std::vector<DataType> maximum_types = kArithmetic;
  maximum_types.push_back(DT::kFloat16);  // ONNX's Max takes it (computed in float32)
  Binary(r, "Maximum", std::move(maximum_types));
  (void)r.Register(OpDefBuilder("Equal")
                       .Input("x: T")
                       .Input("y: T")
                       .Output("z: bool")
                       .TypeAttr("T", kComparable)
                       .Shape(BroadcastShapeFn));
  (void)r.Register(OpDefBuilder("AddN")
                       .Input("inputs: N * T")
                       .Output("sum: T")
                       .Attr("N", AttrType::kInt)
                       .TypeAttr("T", kNumeric)
                       .Shape(BroadcastShapeFn));
  Unary(r, "Neg", kSignedArithmetic);
  for (const char* op : {"Exp", "Log", "Sigmoid", "Tanh"}) Unary(r, op, kFloats);
  for (const char* op : {"Sqrt", "Rsqrt"}) Unary(r, op, kFloats);
  Unary(r, "Square", kNumeric);
  (void)r.Register(OpDefBuilder("MatMul")
                       .Input("a: T")
                       .Input("b: T")
                       .Output("product: T")
                       .TypeAttr("T", {DT::kFloat32})
                       .Attr("transpose_a", AttrType::kBool, false)
                       .Attr("transpose_b", AttrType::kBool, false)
                       .Shape(MatMulShape));
  (void)r.Register(OpDefBuilder("FusedMatMul")
                       .Input("a: T")
                       .Input("b: T")
                       .Input("bias: T")
                       .Output("product: T")
                       .TypeAttr("T", {DT::kFloat32})
                       .Attr("transpose_a", AttrType::kBool, false)
                       .Attr("transpose_b", AttrType::kBool, false)
                       .Attr("activation", AttrType::kString, std::string("None"))
                       .Shape(FusedMatMulShape)
                       .Doc("Activation(MatMul(a, b) + bias) in one kernel; bias [N], "
                            "activation \"None\" or \"Relu\" (graphrt's; TF's _FusedMatMul "
                            "with fused_ops [BiasAdd(, Relu)])."));
  for (const char* op : {"Sum", "Mean", "Max"}) Reduction(r, op);
  for (const char* op : {"Min", "Prod"}) Reduction(r, op);  // ONNX ReduceMin/Prod, TF's
  (void)r.Register(OpDefBuilder("ReduceSumLike")
                       .Input("input: T")
                       .Input("like: Tlike")
                       .Output("output: T")
                       .TypeAttr("T", kNumeric)
                       .TypeAttr("Tlike")
                       .Shape(LikeShapeFn)
                       .Doc("input summed down to the shape of like, which must broadcast to "
                            "input's shape (the gradient of a broadcast); only like's shape is "
                            "read."));
  (void)r.Register(OpDefBuilder("ArgMax")
                       .Input("input: T")
                       .Output("output: output_type")
                       .TypeAttr("T", kNumeric)
                       .Attr("axis", AttrType::kInt, int64_t{0})
                       .TypeAttr("output_type", {DT::kInt32, DT::kInt64})
                       .Shape(ArgMaxShape));
}

namespace ops {
namespace {
Output Call(absl::string_view op, std::initializer_list<Output> inputs, AttrMap attrs,
            absl::string_view name) {
  GraphBuilder* b = nullptr;
  for (const Output& in : inputs) {
    if (!in.valid()) return Output();
    b = in.builder();
  }
  return b->Op(op, std::span<const Output>(inputs.begin(), inputs.size()), std::move(attrs),
               name);
}
}  // namespace

Output Add(Output x, Output y, absl::string_view n) { return Call("Add", {x, y}, {}, n); }
Output Sub(Output x, Output y, absl::string_view n) { return Call("Sub", {x, y}, {}, n); }
Output Mul(Output x, Output y, absl::string_view n) { return Call("Mul", {x, y}, {}, n); }
Output Div(Output x, Output y, absl::string_view n) { return Call("Div", {x, y}, {}, n); }
Output Maximum(Output x, Output y, absl::string_view n) { return Call("Maximum", {x, y}, {}, n); }
Output Equal(Output x, Output y, absl::string_view n) { return Call("Equal", {x, y}, {}, n); }
Output AddN(std::span<const Output> inputs, absl::string_view name) {
  for (const Output& in : inputs) {
    if (!in.valid()) return Output();
  }
  if (inputs.empty()) return Output();
  return inputs[0].builder()->Op("AddN", inputs, {}, name);
}
Output Neg(Output x, absl::string_view n) { return Call("Neg", {x}, {}, n); }
Output Exp(Output x, absl::string_view n) { return Call("Exp", {x}, {}, n); }
Output Log(Output x, absl::string_view n) { return Call("Log", {x}, {}, n); }
Output Sigmoid(Output x, absl::string_view n) { return Call("Sigmoid", {x}, {}, n); }
Output Tanh(Output x, absl::string_view n) { return Call("Tanh", {x}, {}, n); }
Output Sqrt(Output x, absl::string_view n) { return Call("Sqrt", {x}, {}, n); }
Output Rsqrt(Output x, absl::string_view n) { return Call("Rsqrt", {x}, {}, n); }
Output Square(Output x, absl::string_view n) { return Call("Square", {x}, {}, n); }

Output MatMul(Output a, Output b, MatMulAttrs attrs, absl::string_view n) {
  return Call("MatMul", {a, b},
              {{"transpose_a", attrs.transpose_a}, {"transpose_b", attrs.transpose_b}}, n);
}

Output FusedMatMul(Output a, Output b, Output bias, absl::string_view activation,
                   MatMulAttrs attrs, absl::string_view n) {
  return Call("FusedMatMul", {a, b, bias},
              {{"transpose_a", attrs.transpose_a},
               {"transpose_b", attrs.transpose_b},
               {"activation", std::string(activation)}},
              n);
}

Output Sum(Output x, ReduceAttrs a, absl::string_view n) {
  return Call("Sum", {x}, {{"axis", a.axis}, {"keep_dims", a.keep_dims}}, n);
}
Output Mean(Output x, ReduceAttrs a, absl::string_view n) {
  return Call("Mean", {x}, {{"axis", a.axis}, {"keep_dims", a.keep_dims}}, n);
}
Output Max(Output x, ReduceAttrs a, absl::string_view n) {
  return Call("Max", {x}, {{"axis", a.axis}, {"keep_dims", a.keep_dims}}, n);
}
Output ReduceSumLike(Output x, Output like, absl::string_view n) {
  return Call("ReduceSumLike", {x, like}, {}, n);
}
Output ArgMax(Output x, int64_t axis, DataType output_type, absl::string_view n) {
  return Call("ArgMax", {x}, {{"axis", axis}, {"output_type", output_type}}, n);
}

}  // namespace ops
}  // namespace graphrt
