// One converter per supported TF op (declared in tf_ops.h). Each checks what
// graphrt cannot express (a data format, an integer Div) and names the node.
#include "core/graph/tf/tf_ops.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"

namespace graphrt::tf_import {

const tfproto::AttrValue* FindTfAttr(const tfproto::NodeDef& node, absl::string_view name) {
  const tfproto::AttrValue* found = nullptr;
  for (const tfproto::AttrEntry& e : node.attr()) {
    if (e.key() == name) found = &e.value();  // the last wins, as in TF's map
  }
  return found;
}

absl::StatusOr<Tensor> ConstValue(const tfproto::NodeDef& node) {
  const tfproto::AttrValue* a = FindTfAttr(node, "value");
  if (a == nullptr || a->value_case() != tfproto::AttrValue::kTensor) {
    return NodeError(node, "attr 'value' (a tensor) is missing");
  }
  auto value = TensorFromTf(a->tensor());
  if (!value.ok()) return NodeError(node, "attr 'value': ", value.status().message());
  return value;
}

namespace {

bool BoolAttr(const tfproto::NodeDef& node, const std::string& name, bool fallback) {
  const tfproto::AttrValue* a = FindTfAttr(node, name);
  return a != nullptr && a->value_case() == tfproto::AttrValue::kB ? a->b() : fallback;
}

int64_t IntAttr(const tfproto::NodeDef& node, const std::string& name, int64_t fallback) {
  const tfproto::AttrValue* a = FindTfAttr(node, name);
  return a != nullptr && a->value_case() == tfproto::AttrValue::kI ? a->i() : fallback;
}

float FloatAttr(const tfproto::NodeDef& node, const std::string& name, float fallback) {
  const tfproto::AttrValue* a = FindTfAttr(node, name);
  return a != nullptr && a->value_case() == tfproto::AttrValue::kF ? a->f() : fallback;
}

absl::StatusOr<DataType> TypeAttr(const tfproto::NodeDef& node, const std::string& name) {
  const tfproto::AttrValue* a = FindTfAttr(node, name);
  if (a == nullptr || a->value_case() != tfproto::AttrValue::kType) {
    return NodeError(node, "attr '", name, "' (a dtype) is missing");
  }
  auto t = DataTypeFromTf(a->type());
  if (!t.ok()) return NodeError(node, "attr '", name, "': ", t.status().message());
  return *t;
}

// The graphrt op `op` over all the node's data inputs, no attrs.
absl::StatusOr<Converted> Same(NodeContext& ctx, const char* op) {
  Converted out{op, {}, {}};
  for (int i = 0; i < ctx.num_data_inputs(); ++i) out.inputs.push_back(i);
  return out;
}

// A single static int (an axis or dimension) from data input `i`.
absl::StatusOr<int64_t> StaticInt(NodeContext& ctx, int i) {
  ASSIGN_OR_RETURN(std::vector<int64_t> v, ctx.StaticInts(i));
  if (v.size() != 1) return NodeError(ctx.node(), "input ", i, " must hold one axis");
  return v[0];
}

absl::StatusOr<Converted> Placeholder(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(DataType dtype, TypeAttr(ctx.node(), "dtype"));
  Converted out{op, {}, {{"dtype", dtype}}};
  if (const tfproto::AttrValue* a = FindTfAttr(ctx.node(), "shape");
      a != nullptr && a->value_case() == tfproto::AttrValue::kShape) {
    auto shape = ShapeFromTf(a->shape());
    if (!shape.ok()) return NodeError(ctx.node(), "attr 'shape': ", shape.status().message());
    out.attrs["shape"] = *shape;
  }
  return out;
}

absl::StatusOr<Converted> Const(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(Tensor value, ConstValue(ctx.node()));
  const DataType dtype = value.dtype();
  return Converted{op, {}, {{"value", std::move(value)}, {"dtype", dtype}}};
}

absl::StatusOr<Converted> MatMul(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(Converted out, Same(ctx, op));
  out.attrs["transpose_a"] = BoolAttr(ctx.node(), "transpose_a", false);
  out.attrs["transpose_b"] = BoolAttr(ctx.node(), "transpose_b", false);
  return out;
}

// BatchMatMul (V1: equal batch dims) and V2 (broadcast batch dims) are one
// graphrt op: broadcasting accepts every V1 graph.
absl::StatusOr<Converted> BatchMatMul(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(Converted out, Same(ctx, op));
  out.attrs["adj_x"] = BoolAttr(ctx.node(), "adj_x", false);
  out.attrs["adj_y"] = BoolAttr(ctx.node(), "adj_y", false);
  return out;
}

absl::StatusOr<Converted> BiasAdd(NodeContext& ctx, const char* op) {
  if (const tfproto::AttrValue* a = FindTfAttr(ctx.node(), "data_format");
      a != nullptr && !a->s().empty() && a->s() != "NHWC") {
    return NodeError(ctx.node(), "data_format '", a->s(),
                     "' is not supported; graphrt's BiasAdd adds along the last axis (NHWC)");
  }
  return Same(ctx, op);
}

absl::StatusOr<Converted> Div(NodeContext& ctx, const char* op) {
  // TF's Div floors for integers; graphrt's Div is only trusted for floats here.
  ASSIGN_OR_RETURN(DataType t, TypeAttr(ctx.node(), "T"));
  if (t != DataType::kFloat32) {
    return NodeError(ctx.node(), "integer division (", DataTypeName(t),
                     ") is not supported; only float32 Div/RealDiv is");
  }
  return Same(ctx, op);
}

absl::StatusOr<Converted> Cast(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(DataType dst, TypeAttr(ctx.node(), "DstT"));
  return Converted{op, {0}, {{"DstT", dst}}};
}

// Keras' Flatten asks for [batch, -1] with batch = Shape(x)[0] unknown: two
// unknowns for graphrt's Reshape. When one unknown copies x's own dimension,
// the literal -1 is x's other elements over the known target dimensions.
absl::Status ResolveCopiedDims(NodeContext& ctx, std::vector<FoldedDim>& target) {
  ASSIGN_OR_RETURN(std::string input, ctx.InputName(0));
  ASSIGN_OR_RETURN(PartialShape in, ctx.InputShape(0));
  if (!in.known_rank()) return absl::OkStatus();
  std::vector<bool> copied(in.rank(), false);
  int literal = -1, copies = 0;
  int64_t known = 1;
  for (int i = 0; i < static_cast<int>(target.size()); ++i) {
    const FoldedDim& d = target[i];
    if (d.value != -1) {
      known *= d.value;
    } else if (d.source == input && d.dim >= 0 && d.dim < in.rank() && !copied[d.dim]) {
      copied[d.dim] = true;
      ++copies;
    } else if (literal < 0) {
      literal = i;
    } else {
      return absl::OkStatus();  // two literal unknowns: nothing to resolve
    }
  }
  if (literal < 0 || copies != 1 || known <= 0) return absl::OkStatus();
  int64_t rest = 1;
  for (int k = 0; k < in.rank(); ++k) {
    if (copied[k]) continue;
    if (in.dim(k) < 0) return absl::OkStatus();
    rest *= in.dim(k);
  }
  if (rest % known == 0) target[literal].value = rest / known;
  return absl::OkStatus();
}

absl::StatusOr<Converted> Reshape(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(std::vector<FoldedDim> dims, ctx.StaticDims(1));
  RETURN_IF_ERROR(ResolveCopiedDims(ctx, dims));
  std::vector<int64_t> shape;
  for (const FoldedDim& d : dims) shape.push_back(d.value);
  if (std::count(shape.begin(), shape.end(), -1) > 1) {
    return NodeError(ctx.node(), "target shape [", absl::StrJoin(shape, ","),
                     "] has more than one unknown dimension; graphrt needs it known at "
                     "import time up to one -1");
  }
  return Converted{op, {0}, {{"shape", std::move(shape)}}};
}

absl::StatusOr<Converted> ExpandDims(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(int64_t axis, StaticInt(ctx, 1));
  return Converted{op, {0}, {{"axis", axis}}};
}

absl::StatusOr<Converted> Reduction(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(std::vector<int64_t> axes, ctx.StaticInts(1));
  return Converted{op, {0},
                   {{"axis", std::move(axes)},
                    {"keep_dims", BoolAttr(ctx.node(), "keep_dims", false)}}};
}

absl::StatusOr<Converted> ArgMax(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(int64_t axis, StaticInt(ctx, 1));
  DataType out_type = DataType::kInt64;
  if (FindTfAttr(ctx.node(), "output_type") != nullptr) {
    ASSIGN_OR_RETURN(out_type, TypeAttr(ctx.node(), "output_type"));
  }
  return Converted{op, {0}, {{"axis", axis}, {"output_type", out_type}}};
}

// GatherV2 (params, indices, axis): the axis, a scalar, becomes the attr;
// batch_dims is TF's attr (Keras' Embedding uses axis 0, batch_dims 0).
absl::StatusOr<Converted> GatherV2(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(int64_t axis, StaticInt(ctx, 2));
  const int64_t batch_dims = IntAttr(ctx.node(), "batch_dims", 0);
  return Converted{op, {0, 1}, {{"axis", axis}, {"batch_dims", batch_dims}}};
}

// StridedSlice of a data tensor (shape slices are folded by the importer,
// Note [Slicing data at run time]): begin, end and strides, known at import
// time, and the masks become attrs; the input's shape is read when it runs.
absl::StatusOr<Converted> StridedSlice(NodeContext& ctx, const char* op) {
  Converted out{op, {0}, {}};
  const char* bounds[] = {"begin", "end", "strides"};
  for (int k = 1; k <= 3; ++k) {
    ASSIGN_OR_RETURN(std::vector<int64_t> v, ctx.StaticInts(k));
    out.attrs[bounds[k - 1]] = std::move(v);
  }
  for (const char* mask : {"begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                           "shrink_axis_mask"}) {
    out.attrs[mask] = IntAttr(ctx.node(), mask, 0);
  }
  return out;
}

// Cumsum (x, axis): the axis stays an input, read when it runs.
absl::StatusOr<Converted> Cumsum(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(Converted out, Same(ctx, op));
  out.attrs["exclusive"] = BoolAttr(ctx.node(), "exclusive", false);
  out.attrs["reverse"] = BoolAttr(ctx.node(), "reverse", false);
  return out;
}

// OneHot (indices, depth, on_value, off_value): TF's inputs, the axis attr.
absl::StatusOr<Converted> OneHot(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(Converted out, Same(ctx, op));
  out.attrs["axis"] = IntAttr(ctx.node(), "axis", -1);
  return out;
}

// TopKV2 (input, k): sorted as TF's attr; indices int32 as TF gives them.
absl::StatusOr<Converted> TopKV2(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(Converted out, Same(ctx, op));
  out.attrs["sorted"] = BoolAttr(ctx.node(), "sorted", true);
  out.attrs["index_type"] = DataType::kInt32;
  if (FindTfAttr(ctx.node(), "index_type") != nullptr) {
    ASSIGN_OR_RETURN(DataType t, TypeAttr(ctx.node(), "index_type"));
    out.attrs["index_type"] = t;
  }
  return out;
}

// Pad (input, paddings) and PadV2 (input, paddings, constant_values): the
// [rank, 2] paddings become the flattened attr.
absl::StatusOr<Converted> Pad(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(std::vector<int64_t> pads, ctx.StaticInts(1));
  Converted out{op, {0}, {{"paddings", std::move(pads)}}};
  if (ctx.num_data_inputs() > 2) out.inputs.push_back(2);
  return out;
}

// ConcatV2 (values..., axis): the axis, the last input, becomes the attr.
absl::StatusOr<Converted> ConcatV2(NodeContext& ctx, const char* op) {
  const int n = ctx.num_data_inputs() - 1;
  if (n < 1) return NodeError(ctx.node(), "needs at least one value and the axis");
  ASSIGN_OR_RETURN(int64_t axis, StaticInt(ctx, n));
  Converted out{op, {}, {{"axis", axis}}};
  for (int i = 0; i < n; ++i) out.inputs.push_back(i);
  return out;
}

absl::StatusOr<Converted> Transpose(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(std::vector<int64_t> perm, ctx.StaticInts(1));
  return Converted{op, {0}, {{"perm", std::move(perm)}}};
}

absl::StatusOr<Converted> Squeeze(NodeContext& ctx, const char* op) {
  std::vector<int64_t> dims;
  if (const tfproto::AttrValue* a = FindTfAttr(ctx.node(), "squeeze_dims");
      a != nullptr && a->value_case() == tfproto::AttrValue::kList) {
    dims.assign(a->list().i().begin(), a->list().i().end());
  }
  return Converted{op, {0}, {{"squeeze_dims", std::move(dims)}}};
}

// Einsum: the equation attr copied (graphrt's Einsum takes TF's).
absl::StatusOr<Converted> Einsum(NodeContext& ctx, const char* op) {
  const tfproto::AttrValue* eq = FindTfAttr(ctx.node(), "equation");
  if (eq == nullptr || eq->value_case() != tfproto::AttrValue::kS) {
    return NodeError(ctx.node(), "attr 'equation' (a string) is missing");
  }
  Converted out{op, {}, {{"equation", eq->s()}}};
  for (int i = 0; i < ctx.num_data_inputs(); ++i) out.inputs.push_back(i);
  return out;
}

// ReverseSequence: seq_dim and batch_dim copied (batch_dim defaults to 0).
absl::StatusOr<Converted> ReverseSequence(NodeContext& ctx, const char* op) {
  const tfproto::AttrValue* seq = FindTfAttr(ctx.node(), "seq_dim");
  if (seq == nullptr || seq->value_case() != tfproto::AttrValue::kI) {
    return NodeError(ctx.node(), "attr 'seq_dim' (an int) is missing");
  }
  const int64_t batch_dim = IntAttr(ctx.node(), "batch_dim", 0);
  return Converted{op, {0, 1}, {{"seq_dim", int64_t{seq->i()}}, {"batch_dim", batch_dim}}};
}

// Conv2D, DepthwiseConv2dNative, MaxPool, AvgPool: the window attrs copied
// as they are (graphrt's ops take TF's); NCHW is refused here, naming the node.
absl::StatusOr<Converted> Windowed(NodeContext& ctx, const char* op) {
  Converted out{op, {}, {}};
  for (int i = 0; i < ctx.num_data_inputs(); ++i) out.inputs.push_back(i);
  for (const char* name : {"strides", "ksize", "dilations", "explicit_paddings"}) {
    const tfproto::AttrValue* a = FindTfAttr(ctx.node(), name);
    if (a == nullptr || a->value_case() != tfproto::AttrValue::kList) continue;
    const std::string op_name = op;
    if (std::string(name) == "ksize" && op_name.find("Pool") == std::string::npos) continue;
    if (std::string(name) == "dilations" && op_name.find("Pool") != std::string::npos) continue;
    if (std::string(name) == "explicit_paddings" && op_name == "AvgPool") continue;
    out.attrs[name] = std::vector<int64_t>(a->list().i().begin(), a->list().i().end());
  }
  for (const char* name : {"padding", "data_format"}) {
    if (const tfproto::AttrValue* a = FindTfAttr(ctx.node(), name);
        a != nullptr && a->value_case() == tfproto::AttrValue::kS && !a->s().empty()) {
      out.attrs[name] = std::string(a->s());
    }
  }
  if (auto it = out.attrs.find("data_format");
      it != out.attrs.end() && std::get<std::string>(it->second) != "NHWC") {
    return NodeError(ctx.node(), "data_format '", std::get<std::string>(it->second),
                     "' is not supported; graphrt's convolutions and pools are NHWC only");
  }
  return out;
}

// FusedBatchNormV3 for inference (frozen Keras models): is_training false.
absl::StatusOr<Converted> FusedBatchNorm(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(Converted out, Windowed(ctx, op));
  out.attrs.erase("strides");
  if (BoolAttr(ctx.node(), "is_training", true)) {
    return NodeError(ctx.node(), "is_training is true; graphrt imports FusedBatchNormV3 for "
                     "inference only (freeze the model in inference mode)");
  }
  out.attrs["is_training"] = false;
  if (const tfproto::AttrValue* a = FindTfAttr(ctx.node(), "epsilon");
      a != nullptr && a->value_case() == tfproto::AttrValue::kF) {
    out.attrs["epsilon"] = a->f();
  }
  return out;
}

// LeakyRelu: TF's alpha (default 0.2) carried over.
absl::StatusOr<Converted> LeakyRelu(NodeContext& ctx, const char* op) {
  ASSIGN_OR_RETURN(Converted out, Same(ctx, op));
  out.attrs["alpha"] = FloatAttr(ctx.node(), "alpha", 0.2f);
  return out;
}

// TF op -> how it converts and the graphrt op it becomes.
const absl::flat_hash_map<std::string, Converter>& Table() {
  static const auto* table = new absl::flat_hash_map<std::string, Converter>{
      {"Placeholder", {Placeholder, "Placeholder"}},
      {"Const", {Const, "Const"}},
      {"Identity", {Same, "Identity"}},
      {"StopGradient", {Same, "Identity"}},
      {"Snapshot", {Same, "Identity"}},
      {"NoOp", {Same, "NoOp"}},
      {"MatMul", {MatMul, "MatMul"}},
      {"BatchMatMul", {BatchMatMul, "BatchMatMulV2"}},
      {"BatchMatMulV2", {BatchMatMul, "BatchMatMulV2"}},
      {"BiasAdd", {BiasAdd, "BiasAdd"}},
      {"Add", {Same, "Add"}},
      {"AddV2", {Same, "Add"}},
      {"Sub", {Same, "Sub"}},
      {"Mul", {Same, "Mul"}},
      {"RealDiv", {Div, "Div"}},
      {"Div", {Div, "Div"}},
      {"Maximum", {Same, "Maximum"}},
      {"Neg", {Same, "Neg"}},
      {"Exp", {Same, "Exp"}},
      {"Log", {Same, "Log"}},
      {"Tanh", {Same, "Tanh"}},
      {"Sigmoid", {Same, "Sigmoid"}},
      {"Relu", {Same, "Relu"}},
      {"Softmax", {Same, "Softmax"}},
      {"LogSoftmax", {Same, "LogSoftmax"}},
      {"Equal", {Same, "Equal"}},
      {"AddN", {Same, "AddN"}},
      {"SparseSoftmaxCrossEntropyWithLogits", {Same, "SparseSoftmaxCrossEntropyWithLogits"}},
      {"Cast", {Cast, "Cast"}},
      {"Reshape", {Reshape, "Reshape"}},
      {"ExpandDims", {ExpandDims, "ExpandDims"}},
      {"Sum", {Reduction, "Sum"}},
      {"Mean", {Reduction, "Mean"}},
      {"Max", {Reduction, "Max"}},
      {"Min", {Reduction, "Min"}},
      {"Prod", {Reduction, "Prod"}},
      {"GatherV2", {GatherV2, "GatherV2"}},
      {"StridedSlice", {StridedSlice, "StridedSlice"}},
      {"Cumsum", {Cumsum, "Cumsum"}},
      {"Tile", {Same, "Tile"}},
      {"Range", {Same, "Range"}},
      {"OneHot", {OneHot, "OneHot"}},
      {"TopKV2", {TopKV2, "TopKV2"}},
      {"ArgMax", {ArgMax, "ArgMax"}},
      {"Sqrt", {Same, "Sqrt"}},
      {"Rsqrt", {Same, "Rsqrt"}},
      {"Square", {Same, "Square"}},
      {"Pad", {Pad, "Pad"}},
      {"PadV2", {Pad, "PadV2"}},
      {"ConcatV2", {ConcatV2, "ConcatV2"}},
      {"Transpose", {Transpose, "Transpose"}},
      {"Squeeze", {Squeeze, "Squeeze"}},
      {"Conv2D", {Windowed, "Conv2D"}},
      {"DepthwiseConv2dNative", {Windowed, "DepthwiseConv2dNative"}},
      {"MaxPool", {Windowed, "MaxPool"}},
      {"AvgPool", {Windowed, "AvgPool"}},
      {"FusedBatchNormV3", {FusedBatchNorm, "FusedBatchNormV3"}},
      // Elementwise math, comparison, logic and activations (elementwise_ops.h).
      {"LeakyRelu", {LeakyRelu, "LeakyRelu"}},
      {"Elu", {Same, "Elu"}},
      {"Selu", {Same, "Selu"}},
      {"Softplus", {Same, "Softplus"}},
      {"Softsign", {Same, "Softsign"}},
      {"Erf", {Same, "Erf"}},
      {"Erfc", {Same, "Erfc"}},
      {"SquaredDifference", {Same, "SquaredDifference"}},
      {"Less", {Same, "Less"}},
      {"LessEqual", {Same, "LessEqual"}},
      {"Greater", {Same, "Greater"}},
      {"GreaterEqual", {Same, "GreaterEqual"}},
      {"NotEqual", {Same, "NotEqual"}},
      {"LogicalAnd", {Same, "LogicalAnd"}},
      {"LogicalOr", {Same, "LogicalOr"}},
      {"LogicalNot", {Same, "LogicalNot"}},
      {"SelectV2", {Same, "SelectV2"}},
      {"Pow", {Same, "Pow"}},
      {"FloorMod", {Same, "FloorMod"}},
      {"TruncateMod", {Same, "TruncateMod"}},
      {"Minimum", {Same, "Minimum"}},
      {"Abs", {Same, "Abs"}},
      {"Floor", {Same, "Floor"}},
      {"Ceil", {Same, "Ceil"}},
      {"Round", {Same, "Round"}},
      {"Sign", {Same, "Sign"}},
      {"Reciprocal", {Same, "Reciprocal"}},
      {"Sin", {Same, "Sin"}},
      {"Cos", {Same, "Cos"}},
      {"IsNan", {Same, "IsNan"}},
      {"IsInf", {Same, "IsInf"}},
      {"Einsum", {Einsum, "Einsum"}},
      {"MatrixDeterminant", {Same, "MatrixDeterminant"}},
      {"ReverseSequence", {ReverseSequence, "ReverseSequence"}},
  };
  return *table;
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> NodeContext::StaticInts(int i) {
  ASSIGN_OR_RETURN(std::vector<FoldedDim> dims, StaticDims(i));
  std::vector<int64_t> values;
  for (const FoldedDim& d : dims) values.push_back(d.value);
  return values;
}

const Converter* FindConverter(absl::string_view op) {
  auto it = Table().find(op);
  return it == Table().end() ? nullptr : &it->second;
}

std::vector<std::string> ConverterOps() {
  std::vector<std::string> ops;
  for (const auto& [name, converter] : Table()) ops.push_back(name);
  std::sort(ops.begin(), ops.end());
  return ops;
}

}  // namespace graphrt::tf_import
