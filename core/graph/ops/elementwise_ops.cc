#include "core/graph/ops/elementwise_ops.h"

#include <vector>

#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

using DT = DataType;
const std::vector<DataType> kFloats = {DT::kFloat32, DT::kFloat64};
const std::vector<DataType> kSigned = {DT::kFloat32, DT::kFloat64, DT::kInt8,
                                       DT::kInt16,   DT::kInt32,   DT::kInt64};
const std::vector<DataType> kIntegers = {DT::kInt8,  DT::kInt16,  DT::kInt32,  DT::kInt64,
                                         DT::kUint8, DT::kUint16, DT::kUint32, DT::kUint64};
// Every real number type: floats, signed and unsigned integers.
std::vector<DataType> Numeric() {
  std::vector<DataType> t = kFloats;
  t.insert(t.end(), kIntegers.begin(), kIntegers.end());
  return t;
}

void Unary(OpRegistry& r, const char* name, std::vector<DataType> types,
           DataType out = DT::kInvalid) {
  OpDefBuilder b(name);
  b.Input("x: T").TypeAttr("T", std::move(types)).Shape(UnchangedShape);
  b.Output(out == DT::kInvalid ? "y: T" : "y: bool");
  (void)r.Register(std::move(b));
}

// A float activation with float attrs (alpha, ...), each with its default.
void Activation(OpRegistry& r, const char* name,
                std::initializer_list<std::pair<const char*, float>> attrs) {
  OpDefBuilder b(name);
  b.Input("features: T").Output("activations: T").TypeAttr("T", kFloats).Shape(UnchangedShape);
  for (const auto& [attr, value] : attrs) b.Attr(attr, AttrType::kFloat, value);
  (void)r.Register(std::move(b));
}

void Binary(OpRegistry& r, const char* name, std::vector<DataType> types, bool to_bool = false) {
  (void)r.Register(OpDefBuilder(name)
                       .Input("x: T")
                       .Input("y: T")
                       .Output(to_bool ? "z: bool" : "z: T")
                       .TypeAttr("T", std::move(types))
                       .Shape(BroadcastShapeFn));
}

// The backward op of an activation: gradients and the forward features (or
// outputs, for EluGrad), same shape; float attrs as the forward op's.
void ActivationGrad(OpRegistry& r, const char* name, const char* second,
                    std::initializer_list<std::pair<const char*, float>> attrs) {
  OpDefBuilder b(name);
  b.Input("gradients: T").Input(std::string(second) + ": T").Output("backprops: T");
  b.TypeAttr("T", kFloats).Shape(UnchangedShape);
  for (const auto& [attr, value] : attrs) b.Attr(attr, AttrType::kFloat, value);
  (void)r.Register(std::move(b));
}

}  // namespace

void RegisterElementwiseOps(OpRegistry& r) {
  for (const char* op : {"Reciprocal", "Erf", "Erfc", "Floor", "Ceil", "Round", "Sin", "Cos",
                         "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh",
                         "Atanh", "Softplus", "Softsign", "HardSwish"}) {
    Unary(r, op, kFloats);
  }
  for (const char* op : {"Abs", "Sign"}) Unary(r, op, Numeric());
  Unary(r, "IsNan", kFloats, DT::kBool);
  {
    OpDefBuilder b("IsInf");
    b.Input("x: T").Output("y: bool").TypeAttr("T", kFloats).Shape(UnchangedShape);
    b.Attr("detect_positive", AttrType::kBool, true);
    b.Attr("detect_negative", AttrType::kBool, true);
    (void)r.Register(std::move(b));
  }
  Unary(r, "LogicalNot", {DT::kBool});

  // TF's LeakyRelu default alpha is 0.2 (ONNX's 0.01: its converter sets it);
  // Selu's defaults are the constants of its paper, as TF and ONNX use.
  Activation(r, "LeakyRelu", {{"alpha", 0.2f}});
  Activation(r, "Elu", {{"alpha", 1.0f}});
  Activation(r, "Celu", {{"alpha", 1.0f}});
  Activation(r, "Selu", {{"alpha", 1.67326319217681884765625f}, {"gamma", 1.05070102214813232421875f}});
  Activation(r, "HardSigmoid", {{"alpha", 0.2f}, {"beta", 0.5f}});
  Activation(r, "ThresholdedRelu", {{"alpha", 1.0f}});
  {
    OpDefBuilder b("Gelu");
    b.Input("features: T").Output("activations: T").TypeAttr("T", kFloats).Shape(UnchangedShape);
    b.Attr("approximate", AttrType::kBool, false);
    (void)r.Register(std::move(b));
  }
  ActivationGrad(r, "LeakyReluGrad", "features", {{"alpha", 0.2f}});
  ActivationGrad(r, "EluGrad", "outputs", {{"alpha", 1.0f}});
  ActivationGrad(r, "SoftplusGrad", "features", {});

  for (const char* op : {"Pow", "SquaredDifference"}) Binary(r, op, Numeric());
  // float16 too (computed in float32): ONNX's Min, Max and Mod take it.
  std::vector<DataType> with_half = Numeric();
  with_half.push_back(DT::kFloat16);
  for (const char* op : {"Minimum", "FloorMod", "TruncateMod"}) Binary(r, op, with_half);
  Binary(r, "PRelu", kSigned);
  Binary(r, "LeftShift", kIntegers);
  Binary(r, "RightShift", kIntegers);
  for (const char* op : {"Less", "LessEqual", "Greater", "GreaterEqual"}) {
    Binary(r, op, Numeric(), /*to_bool=*/true);
  }
  {
    std::vector<DataType> t = Numeric();
    t.push_back(DT::kBool);
    Binary(r, "NotEqual", std::move(t), /*to_bool=*/true);
  }
  for (const char* op : {"LogicalAnd", "LogicalOr", "LogicalXor"}) Binary(r, op, {DT::kBool});
  (void)r.Register(OpDefBuilder("SelectV2")
                       .Input("condition: bool")
                       .Input("t: T")
                       .Input("e: T")
                       .Output("output: T")
                       .TypeAttr("T")
                       .Shape(BroadcastShapeFn)
                       .Doc("condition ? t : e elementwise, the three broadcast together "
                            "(numpy's where, ONNX Where)."));
}

namespace ops {

Output Elementwise(absl::string_view op, std::initializer_list<Output> inputs, AttrMap attrs,
                   absl::string_view name) {
  GraphBuilder* b = nullptr;
  for (const Output& in : inputs) {
    if (!in.valid()) return Output();
    b = in.builder();
  }
  if (b == nullptr) return Output();
  return b->Op(op, std::span<const Output>(inputs.begin(), inputs.size()), std::move(attrs),
               name);
}

Output Minimum(Output x, Output y, absl::string_view n) {
  return Elementwise("Minimum", {x, y}, {}, n);
}
Output Pow(Output x, Output y, absl::string_view n) { return Elementwise("Pow", {x, y}, {}, n); }
Output SelectV2(Output cond, Output t, Output e, absl::string_view n) {
  return Elementwise("SelectV2", {cond, t, e}, {}, n);
}
Output LeakyRelu(Output x, float alpha, absl::string_view n) {
  return Elementwise("LeakyRelu", {x}, {{"alpha", alpha}}, n);
}
Output Elu(Output x, float alpha, absl::string_view n) {
  return Elementwise("Elu", {x}, {{"alpha", alpha}}, n);
}
Output Softplus(Output x, absl::string_view n) { return Elementwise("Softplus", {x}, {}, n); }

}  // namespace ops
}  // namespace graphrt
