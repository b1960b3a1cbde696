#include "core/graph/tf/tf_import.h"

#include <deque>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "core/graph/io/foreign_formats.h"
#include "core/graph/io/graph_def.h"
#include "core/graph/io/proto_util.h"
#include "core/graph/tf/tf_ops.h"

namespace graphrt {
namespace {

using tf_import::FoldedDim;
using tf_import::NodeError;

// Note [Folding shape expressions]
// Rationale: TensorFlow computes shapes at run time with Shape, StridedSlice
// and Pack; Keras' Flatten, for one, reshapes to Pack(StridedSlice(Shape(x),
// 0, 1), 784). graphrt's Reshape, reductions and ExpandDims take shapes and
// axes as attrs, fixed when the graph is built.
// Approach: those TF ops are never imported as nodes. When a converter asks
// for an input's static value, Fold evaluates the expression at import time
// from Consts and from the shapes graphrt inferred for already imported
// nodes; an unknown dimension folds to -1, which is exactly what Reshape
// accepts for one dimension. A fully known expression used as data becomes
// a Const of TF's dtype and rank (Note [Folded values keep TF's type]).
// Limitations: only rank-1 StridedSlice without ellipsis or new axes, Pack of
// scalars on axis 0, and at most one unknown dimension in a Reshape.
bool IsShapeOp(absl::string_view op) {
  return op == "Shape" || op == "StridedSlice" || op == "Pack";
}
constexpr int kMaxFoldDepth = 64;

struct TfInput {
  std::string node;
  int index = 0;
  bool control = false;
};

absl::StatusOr<TfInput> ParseTfInput(absl::string_view text) {
  TfInput in;
  if (!text.empty() && text[0] == '^') {
    in.control = true;
    in.node = std::string(text.substr(1));
    return in;
  }
  in.node = std::string(text);
  if (size_t colon = text.rfind(':'); colon != absl::string_view::npos) {
    if (!absl::SimpleAtoi(text.substr(colon + 1), &in.index) || in.index < 0) {
      return absl::InvalidArgumentError(absl::StrCat("input '", text, "' is malformed"));
    }
    in.node = std::string(text.substr(0, colon));
  }
  return in;
}

class Importer {
 public:
  Importer(const tfproto::GraphDef& def, const TfImportOptions& options)
      : def_(def), options_(options) {}

  absl::StatusOr<Graph> Run() {
    RETURN_IF_ERROR(Index());
    RETURN_IF_ERROR(CheckSupported());
    ASSIGN_OR_RETURN(std::vector<int> order, TopoOrder());
    for (int i : order) {
      const std::string& op = def_.node(i).op();
      // Consts and shape expressions are imported when something reads them.
      if (op == "Const" || (IsShapeOp(op) && IsFolded(i, 0))) continue;
      RETURN_IF_ERROR(ImportNode(i));
    }
    RETURN_IF_ERROR(graph_.Validate());
    return std::move(graph_);
  }

  // Data input `k` of node `i` as a graphrt endpoint name.
  absl::StatusOr<std::string> DataInput(int i, int k);
  absl::StatusOr<std::vector<FoldedDim>> Fold(const TfInput& in, int consumer, int depth);
  absl::StatusOr<PartialShape> ShapeOf(const std::string& endpoint) const {
    ASSIGN_OR_RETURN(Endpoint e, graph_.ParseEndpoint(endpoint));
    return graph_.node(e.node).output_shape(e.index);
  }
  int num_data_inputs(int i) const { return num_data_[i]; }
  const TfInput& input(int i, int k) const { return inputs_[i][k]; }

 private:
  absl::Status Index();
  absl::Status CheckSupported() const;
  absl::StatusOr<std::vector<int>> TopoOrder() const;
  absl::Status ImportNode(int i);
  absl::StatusOr<std::vector<FoldedDim>> FoldStridedSlice(int t, int depth);
  struct FoldedType {
    DataType dtype = DataType::kInt32;
    bool scalar = false;
  };
  absl::StatusOr<FoldedType> TypeOfFolded(int t, int depth);
  // Whether node t is a shape expression to fold (Note [Slicing data at
  // run time]); false for a StridedSlice of a data tensor.
  bool IsFolded(int t, int depth) const;

  const tfproto::GraphDef& def_;
  TfImportOptions options_;
  absl::flat_hash_map<std::string, int> index_;
  std::vector<std::vector<TfInput>> inputs_;
  std::vector<int> num_data_;
  std::vector<bool> imported_;
  Graph graph_;
};

class Context : public tf_import::NodeContext {
 public:
  Context(Importer& importer, const tfproto::NodeDef& node, int i)
      : importer_(importer), node_(node), i_(i) {}
  const tfproto::NodeDef& node() const override { return node_; }
  int num_data_inputs() const override { return importer_.num_data_inputs(i_); }
  absl::StatusOr<std::vector<FoldedDim>> StaticDims(int k) override {
    if (k >= num_data_inputs()) return NodeError(node_, "input ", k, " is missing");
    return importer_.Fold(importer_.input(i_, k), i_, 0);
  }
  absl::StatusOr<std::string> InputName(int k) override {
    if (k >= num_data_inputs()) return NodeError(node_, "input ", k, " is missing");
    return importer_.DataInput(i_, k);
  }
  absl::StatusOr<PartialShape> InputShape(int k) override {
    ASSIGN_OR_RETURN(std::string name, InputName(k));
    return importer_.ShapeOf(name);
  }

 private:
  Importer& importer_;
  const tfproto::NodeDef& node_;
  int i_;
};

absl::Status Importer::Index() {
  const int n = def_.node_size();
  inputs_.resize(n);
  num_data_.resize(n, 0);
  imported_.resize(n, false);
  for (int i = 0; i < n; ++i) {
    const tfproto::NodeDef& node = def_.node(i);
    if (node.name().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("TF node ", i, " (", node.op(),
                                                     ") has no name"));
    }
    if (!index_.emplace(node.name(), i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("duplicate TF node name '", node.name(), "'"));
    }
  }
  for (int i = 0; i < n; ++i) {
    const tfproto::NodeDef& node = def_.node(i);
    for (const std::string& text : node.input()) {
      auto in = ParseTfInput(text);
      if (!in.ok()) return NodeError(node, in.status().message());
      if (!index_.contains(in->node)) {
        return absl::NotFoundError(absl::StrCat("TF node '", node.name(), "': input '", text,
                                                "' names no node in the graph"));
      }
      if (!in->control) {
        if (num_data_[i] != static_cast<int>(inputs_[i].size())) {
          return NodeError(node, "data input '", text, "' follows a control input");
        }
        ++num_data_[i];
      }
      inputs_[i].push_back(*std::move(in));
    }
  }
  return absl::OkStatus();
}

absl::Status Importer::CheckSupported() const {
  std::map<std::string, std::vector<std::string>> unsupported;  // sorted for the message
  for (const tfproto::NodeDef& node : def_.node()) {
    if (tf_import::FindConverter(node.op()) == nullptr && !IsShapeOp(node.op())) {
      unsupported[node.op()].push_back(absl::StrCat("'", node.name(), "'"));
    }
  }
  if (unsupported.empty()) return absl::OkStatus();
  std::vector<std::string> parts;
  for (auto& [op, nodes] : unsupported) {
    if (nodes.size() > 5) {
      const size_t more = nodes.size() - 5;
      nodes.resize(5);
      nodes.push_back(absl::StrCat("and ", more, " more"));
    }
    parts.push_back(absl::StrCat(op, " (node", nodes.size() > 1 ? "s " : " ",
                                 absl::StrJoin(nodes, ", "), ")"));
  }
  return absl::UnimplementedError(absl::StrCat(
      "the TensorFlow graph uses ops graphrt cannot import: ", absl::StrJoin(parts, "; "),
      ". Supported: ", absl::StrJoin(SupportedTfOps(), ", ")));
}

absl::StatusOr<std::vector<int>> Importer::TopoOrder() const {
  const int n = def_.node_size();
  std::vector<int> pending(n, 0);
  std::vector<std::vector<int>> consumers(n);
  for (int i = 0; i < n; ++i) {
    for (const TfInput& in : inputs_[i]) {
      ++pending[i];
      consumers[index_.at(in.node)].push_back(i);
    }
  }
  std::deque<int> ready;
  for (int i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push_back(i);
  }
  std::vector<int> order;
  while (!ready.empty()) {
    const int i = ready.front();
    ready.pop_front();
    order.push_back(i);
    for (int c : consumers[i]) {
      if (--pending[c] == 0) ready.push_back(c);
    }
  }
  if (static_cast<int>(order.size()) == n) return order;
  std::vector<std::string> stuck;
  for (int i = 0; i < n && stuck.size() < 5; ++i) {
    if (pending[i] > 0) stuck.push_back(absl::StrCat("'", def_.node(i).name(), "'"));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "the TensorFlow graph has a cycle through (or behind) nodes ", absl::StrJoin(stuck, ", ")));
}

absl::Status Importer::ImportNode(int i) {
  const tfproto::NodeDef& node = def_.node(i);
  Context ctx(*this, node, i);
  ASSIGN_OR_RETURN(tf_import::Converted c, (*tf_import::FindConverter(node.op()))(ctx));
  NodeDef out{node.name(), c.op, {}, options_.keep_devices ? node.device() : "",
              std::move(c.attrs)};
  for (int k : c.inputs) {
    if (k >= num_data_[i]) return NodeError(node, "expects input ", k, ", has ", num_data_[i]);
    ASSIGN_OR_RETURN(std::string name, DataInput(i, k));
    out.inputs.push_back(std::move(name));
  }
  for (const TfInput& in : inputs_[i]) {
    // Control edges from Consts and shape expressions order nothing that
    // graphrt runs, so they are dropped with those nodes.
    if (in.control && imported_[index_.at(in.node)]) out.inputs.push_back("^" + in.node);
  }
  RETURN_IF_ERROR(graph_.AddNode(out).status());
  imported_[i] = true;
  return absl::OkStatus();
}

absl::StatusOr<std::string> Importer::DataInput(int i, int k) {
  const TfInput& in = inputs_[i][k];
  const int t = index_.at(in.node);
  const std::string& op = def_.node(t).op();
  if (!imported_[t] && op == "Const") RETURN_IF_ERROR(ImportNode(t));
  if (!imported_[t] && IsShapeOp(op) && IsFolded(t, 0)) {
    ASSIGN_OR_RETURN(std::vector<FoldedDim> dims, Fold(TfInput{in.node, 0, false}, i, 0));
    std::vector<int64_t> v;
    for (const FoldedDim& d : dims) v.push_back(d.value);
    if (std::find(v.begin(), v.end(), -1) != v.end()) {
      return NodeError(def_.node(i), "input '", in.node, "' (", op,
                       ") is only known when the graph runs ([", absl::StrJoin(v, ","),
                       "]); graphrt folds shape expressions at import time only");
    }
    ASSIGN_OR_RETURN(FoldedType type, TypeOfFolded(t, 0));
    if (type.scalar && v.size() != 1) {
      return NodeError(def_.node(t), "folds to ", v.size(), " values where TF has a scalar");
    }
    const TensorShape shape = type.scalar ? TensorShape{} : TensorShape{int64_t(v.size())};
    Tensor value = type.dtype == DataType::kInt64
                       ? Tensor::FromVector(v, shape)
                       : Tensor::FromVector(std::vector<int32_t>(v.begin(), v.end()), shape);
    RETURN_IF_ERROR(graph_.AddNode(NodeDef{in.node, "Const", {}, "",
                                           {{"value", std::move(value)},
                                            {"dtype", type.dtype}}})
                        .status());
    imported_[t] = true;
  }
  return in.index == 0 ? in.node : absl::StrCat(in.node, ":", in.index);
}

absl::StatusOr<std::vector<FoldedDim>> Importer::Fold(const TfInput& in, int consumer, int depth) {
  const int t = index_.at(in.node);
  const tfproto::NodeDef& node = def_.node(t);
  if (depth > kMaxFoldDepth) return NodeError(node, "shape expression nested too deeply");
  if (node.op() == "Identity" && num_data_[t] == 1) return Fold(inputs_[t][0], consumer, depth + 1);
  if (node.op() == "Const") {
    ASSIGN_OR_RETURN(const Tensor value, tf_import::ConstValue(node));
    // Rank 2: Pad's [rank, 2] paddings, read in row-major order.
    if (value.rank() > 2) return NodeError(node, "a shape, axis or paddings must have rank <= 2");
    std::vector<FoldedDim> out;
    if (value.dtype() == DataType::kInt32) {
      for (int32_t v : value.flat<int32_t>()) out.push_back({v, "", -1});
    } else if (value.dtype() == DataType::kInt64) {
      for (int64_t v : value.flat<int64_t>()) out.push_back({v, "", -1});
    } else {
      return NodeError(node, "a shape or axis must be int32 or int64");
    }
    return out;
  }
  if (node.op() == "Shape" && num_data_[t] == 1) {
    const int src = index_.at(inputs_[t][0].node);
    if (!imported_[src]) {
      if (def_.node(src).op() != "Const") {
        return NodeError(node, "reads '", inputs_[t][0].node, "' before it is imported");
      }
      RETURN_IF_ERROR(ImportNode(src));
    }
    ASSIGN_OR_RETURN(Endpoint e, graph_.ParseEndpoint(absl::StrCat(
                                     inputs_[t][0].node, ":", inputs_[t][0].index)));
    const PartialShape& shape = graph_.node(e.node).output_shape(e.index);
    if (!shape.known_rank()) {
      return NodeError(node, "the rank of '", inputs_[t][0].node,
                       "' is unknown at import time; give the Placeholder a shape");
    }
    std::vector<FoldedDim> out;
    for (int k = 0; k < shape.rank(); ++k) {
      out.push_back(shape.dim(k) >= 0 ? FoldedDim{shape.dim(k), "", -1}
                                      : FoldedDim{-1, graph_.EndpointName(e), k});
    }
    return out;
  }
  if (node.op() == "StridedSlice" && num_data_[t] == 4) return FoldStridedSlice(t, depth);
  if (node.op() == "Pack") {
    std::vector<FoldedDim> out;
    for (int k = 0; k < num_data_[t]; ++k) {
      ASSIGN_OR_RETURN(std::vector<FoldedDim> v, Fold(inputs_[t][k], consumer, depth + 1));
      if (v.size() != 1) return NodeError(node, "only Pack of scalars is folded");
      out.push_back(v[0]);
    }
    return out;
  }
  return NodeError(def_.node(consumer), "input '", in.node, "' (", node.op(),
                   ") must be known at import time: a Const or a Shape/StridedSlice/Pack "
                   "expression over known shapes");
}

// Note [Slicing data at run time]
// StridedSlice slices shapes (folded) and data (x[:, 2:6] in Keras models).
// It is folded when what it slices is itself a shape expression or a Const
// (through Identity); otherwise it is imported as graphrt's StridedSlice,
// whose bounds must be known at import time but whose input is not.
bool Importer::IsFolded(int t, int depth) const {
  const std::string& op = def_.node(t).op();
  if (op == "Shape" || op == "Pack" || op == "Const") return true;
  if ((op == "StridedSlice" || op == "Identity") && num_data_[t] >= 1 &&
      depth <= kMaxFoldDepth) {
    return IsFolded(index_.at(inputs_[t][0].node), depth + 1);
  }
  return false;
}

// Note [Folded values keep TF's type]
// A folded expression used as data (tf.cast(tf.shape(k)[-1], tf.float32) in
// attention layers) becomes a Const that must be what TF computes: Shape
// gives out_type (int32 unless int64 is asked), StridedSlice keeps its
// input's dtype and drops the axis its shrink mask names (a scalar), Pack of
// scalars keeps their dtype, a Const is what it holds.
absl::StatusOr<Importer::FoldedType> Importer::TypeOfFolded(int t, int depth) {
  const tfproto::NodeDef& node = def_.node(t);
  if (depth > kMaxFoldDepth) return NodeError(node, "shape expression nested too deeply");
  auto input_type = [&]() -> absl::StatusOr<FoldedType> {
    if (num_data_[t] < 1) return NodeError(node, "has no data input");
    return TypeOfFolded(index_.at(inputs_[t][0].node), depth + 1);
  };
  if (node.op() == "Const") {
    ASSIGN_OR_RETURN(const Tensor value, tf_import::ConstValue(node));
    return FoldedType{value.dtype(), value.rank() == 0};
  }
  if (node.op() == "Identity") return input_type();
  if (node.op() == "Shape") {
    DataType dtype = DataType::kInt32;
    if (const tfproto::AttrValue* a = tf_import::FindTfAttr(node, "out_type");
        a != nullptr && a->value_case() == tfproto::AttrValue::kType) {
      ASSIGN_OR_RETURN(dtype, tf_import::DataTypeFromTf(a->type()));
    }
    return FoldedType{dtype, false};
  }
  if (node.op() == "StridedSlice") {
    ASSIGN_OR_RETURN(FoldedType type, input_type());
    const tfproto::AttrValue* a = tf_import::FindTfAttr(node, "shrink_axis_mask");
    type.scalar = a != nullptr && (a->i() & 1) != 0;
    return type;
  }
  if (node.op() == "Pack") {
    ASSIGN_OR_RETURN(FoldedType type, input_type());
    type.scalar = false;
    return type;
  }
  return NodeError(node, "is not a foldable shape expression");
}

absl::StatusOr<std::vector<FoldedDim>> Importer::FoldStridedSlice(int t, int depth) {
  const tfproto::NodeDef& node = def_.node(t);
  auto mask = [&](const char* name) -> int64_t {
    const tfproto::AttrValue* a = tf_import::FindTfAttr(node, name);
    return a == nullptr ? 0 : a->i();
  };
  if (mask("ellipsis_mask") != 0 || mask("new_axis_mask") != 0) {
    return NodeError(node, "ellipsis and new-axis slices are not folded");
  }
  ASSIGN_OR_RETURN(std::vector<FoldedDim> input, Fold(inputs_[t][0], t, depth + 1));
  std::vector<int64_t> v[4];
  for (int k = 1; k < 4; ++k) {
    ASSIGN_OR_RETURN(std::vector<FoldedDim> dims, Fold(inputs_[t][k], t, depth + 1));
    for (const FoldedDim& d : dims) v[k].push_back(d.value);
  }
  if (v[1].size() != 1 || v[2].size() != 1 || v[3].size() != 1 || v[3][0] == 0) {
    return NodeError(node, "only rank-1 slices with a nonzero stride are folded");
  }
  const int64_t n = static_cast<int64_t>(input.size());
  const int64_t stride = v[3][0];
  // Python slicing: negative indices count from the end, then clamp.
  auto clamp_index = [&](int64_t x) {
    if (x < 0) x += n;
    return stride > 0 ? std::clamp<int64_t>(x, 0, n) : std::clamp<int64_t>(x, -1, n - 1);
  };
  const int64_t begin = (mask("begin_mask") & 1) ? (stride > 0 ? 0 : n - 1) : clamp_index(v[1][0]);
  if (mask("shrink_axis_mask") & 1) {
    int64_t b = v[1][0] < 0 ? v[1][0] + n : v[1][0];
    if (b < 0 || b >= n) return NodeError(node, "slice index ", v[1][0], " out of range");
    return std::vector<FoldedDim>{input[b]};
  }
  const int64_t end = (mask("end_mask") & 1) ? (stride > 0 ? n : -1) : clamp_index(v[2][0]);
  std::vector<FoldedDim> out;
  for (int64_t x = begin; stride > 0 ? x < end : x > end; x += stride) {
    if (x >= 0 && x < n) out.push_back(input[x]);
  }
  return out;
}

// `bytes` into `def`, or DATA_LOSS saying why they are no TensorFlow
// GraphDef: empty, not protobuf, a field TensorFlow's GraphDef or NodeDef
// does not have (Note [Unknown fields] in core/graph/io/proto_util.cc), or
// no nodes.
absl::Status ReadTfGraphDef(absl::string_view bytes, tfproto::GraphDef* def) {
  RETURN_IF_ERROR(CheckNotEmpty(bytes));
  auto refuse = [](absl::string_view why) {
    return absl::DataLossError(absl::StrCat("not a TensorFlow GraphDef: ", why));
  };
  if (!def->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return refuse(absl::StrCat(bytes.size(), " bytes that do not parse as protobuf"));
  }
  if (absl::Status s = CheckGraphDefFields(*def); !s.ok()) return refuse(s.message());
  if (def->node_size() == 0) return refuse(absl::StrCat(bytes.size(), " bytes with no nodes"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Graph> ImportTfGraph(const tfproto::GraphDef& def,
                                    const TfImportOptions& options) {
  ASSIGN_OR_RETURN(Graph graph, Importer(def, options).Run());
  if (graph.num_nodes() == 0 && def.node_size() > 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the TensorFlow graph's ", def.node_size(), " nodes are all Consts or shape expressions "
        "that no other node reads, which graphrt imports only when read: nothing to run"));
  }
  return graph;
}

absl::StatusOr<Graph> ParseTfGraph(absl::string_view bytes, const TfImportOptions& options) {
  tfproto::GraphDef def;
  if (absl::Status s = ReadTfGraphDef(bytes, &def); !s.ok()) {
    return RefuseGraphBytes(bytes, std::move(s));
  }
  return ImportTfGraph(def, options);
}

absl::StatusOr<Graph> ReadTfGraph(const std::string& path, const TfImportOptions& options) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path));
  auto graph = ParseTfGraph(bytes, options);
  if (!graph.ok()) {
    return absl::Status(graph.status().code(),
                        absl::StrCat(path, ": ", graph.status().message()));
  }
  return graph;
}

std::vector<std::string> SupportedTfOps() {
  std::vector<std::string> ops = tf_import::ConverterOps();
  for (const char* op : {"Pack", "Shape", "StridedSlice"}) {
    ops.push_back(absl::StrCat(op, " (folded)"));
  }
  return ops;
}

}  // namespace graphrt
