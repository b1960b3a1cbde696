#include "core/graph/io/graph_def.h"

#include <algorithm>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "core/graph/io/foreign_formats.h"
#include "core/graph/io/proto_util.h"
#include "google/protobuf/text_format.h"

namespace graphrt {
namespace {

// The wire enum follows the in-memory enum one to one (a table, not a switch,
// so a new dtype is one line).
struct WireType {
  DataType dtype;
  proto::DataType wire;
};
constexpr WireType kWireTypes[] = {
    {DataType::kFloat32, proto::DT_FLOAT32}, {DataType::kInt32, proto::DT_INT32},
    {DataType::kInt64, proto::DT_INT64},     {DataType::kUint8, proto::DT_UINT8},
    {DataType::kBool, proto::DT_BOOL},       {DataType::kFloat64, proto::DT_FLOAT64},
    {DataType::kInt8, proto::DT_INT8},       {DataType::kInt16, proto::DT_INT16},
    {DataType::kUint16, proto::DT_UINT16},   {DataType::kUint32, proto::DT_UINT32},
    {DataType::kUint64, proto::DT_UINT64},   {DataType::kFloat16, proto::DT_FLOAT16},
};

proto::DataType DataTypeToProto(DataType dtype) {
  for (const WireType& t : kWireTypes) {
    if (t.dtype == dtype) return t.wire;
  }
  return proto::DT_INVALID;
}

absl::StatusOr<DataType> DataTypeFromProto(int dtype) {
  for (const WireType& t : kWireTypes) {
    if (t.wire == dtype) return t.dtype;
  }
  std::vector<absl::string_view> names;
  for (const WireType& t : kWireTypes) names.push_back(DataTypeName(t.dtype));
  return absl::InvalidArgumentError(
      absl::StrCat("dtype ", dtype, " is not one of ", absl::StrJoin(names, ", ")));
}

proto::Shape ShapeToProto(const PartialShape& shape) {
  proto::Shape out;
  out.set_unknown_rank(!shape.known_rank());
  for (int64_t d : shape.dims()) out.add_dim(d);
  return out;
}

absl::StatusOr<PartialShape> ShapeFromProto(const proto::Shape& shape) {
  if (shape.unknown_rank()) {
    if (shape.dim_size() != 0) {
      return absl::InvalidArgumentError("a shape of unknown rank lists dimensions");
    }
    return PartialShape::UnknownRank();
  }
  for (int64_t d : shape.dim()) {
    if (d < -1) return absl::InvalidArgumentError(absl::StrCat("dimension ", d, " is below -1"));
  }
  return PartialShape(std::span<const int64_t>(shape.dim().data(), shape.dim_size()));
}

absl::Status NotAGraphDef(GraphFormat format, absl::string_view why) {
  return absl::DataLossError(absl::StrCat("not a ",
                                          format == GraphFormat::kText ? "text-format" : "binary",
                                          " graphrt GraphDef: ", why));
}

// `data` into `def`, or DATA_LOSS saying why the bytes are no graphrt
// GraphDef: empty, not protobuf, a field graph.proto does not declare (Note
// [Unknown fields] in proto_util.cc), or no nodes without being the empty
// GraphDef that ToGraphDef writes (`version: 1`): in binary exactly its two
// bytes (two bytes with another version are as likely some other message),
// in text any version from 1, so that FromGraphDef asks for an upgrade.
absl::Status ReadGraphDef(absl::string_view data, GraphFormat format, proto::GraphDef* def) {
  RETURN_IF_ERROR(CheckNotEmpty(data));
  if (format == GraphFormat::kText) {
    if (absl::Status s = ParseTextProto(data, def); !s.ok()) return NotAGraphDef(format, s.message());
    if (def->node_size() == 0 && def->version() < 1) {  // FromGraphDef checks newer ones
      return NotAGraphDef(format, absl::StrCat("no nodes, and not the empty graph `version: ",
                                               kGraphDefVersion, "`"));
    }
    return absl::OkStatus();
  }
  if (!def->ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return NotAGraphDef(format, absl::StrCat(data.size(), " bytes that do not parse as protobuf"));
  }
  if (absl::Status s = CheckGraphDefFields(*def); !s.ok()) return NotAGraphDef(format, s.message());
  if (def->node_size() == 0) {
    proto::GraphDef empty;
    empty.set_version(kGraphDefVersion);
    if (data != empty.SerializeAsString()) {
      return NotAGraphDef(format, absl::StrCat(data.size(), " bytes with no nodes, not the empty ",
                                               "graph (", empty.ByteSizeLong(), " bytes: version ",
                                               kGraphDefVersion, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

proto::Tensor TensorToProto(const Tensor& tensor) {
  proto::Tensor out;
  out.set_dtype(DataTypeToProto(tensor.dtype()));
  for (int64_t d : tensor.shape().dims()) out.add_dim(d);
  if (tensor.IsInitialized() && tensor.dtype() != DataType::kResource) {
    out.set_content(static_cast<const char*>(tensor.raw_data()), tensor.TotalBytes());
  }
  return out;
}

absl::StatusOr<Tensor> TensorFromProto(const proto::Tensor& tensor) {
  // An all-default message is the uninitialised Tensor (e.g. the default
  // initial_value of a VarHandleOp).
  if (tensor.dtype() == proto::DT_INVALID && tensor.dim_size() == 0 && tensor.content().empty()) {
    return Tensor();
  }
  ASSIGN_OR_RETURN(DataType dtype, DataTypeFromProto(tensor.dtype()));
  ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make(std::span<const int64_t>(
                                          tensor.dim().data(), tensor.dim_size())));
  return Tensor::FromBytes(dtype, shape, tensor.content());
}

proto::AttrValue AttrToProto(const AttrValue& value) {
  proto::AttrValue out;
  struct Writer {
    proto::AttrValue& out;
    void operator()(int64_t v) const { out.set_i(v); }
    void operator()(float v) const { out.set_f(v); }
    void operator()(bool v) const { out.set_b(v); }
    void operator()(const std::string& v) const { out.set_s(v); }
    void operator()(DataType v) const { out.set_type(DataTypeToProto(v)); }
    void operator()(const PartialShape& v) const { *out.mutable_shape() = ShapeToProto(v); }
    void operator()(const std::vector<int64_t>& v) const {
      auto* list = out.mutable_list_i();
      for (int64_t x : v) list->add_value(x);
    }
    void operator()(const Tensor& v) const { *out.mutable_tensor() = TensorToProto(v); }
  };
  std::visit(Writer{out}, value);
  return out;
}

absl::StatusOr<AttrValue> AttrFromProto(const proto::AttrValue& value) {
  switch (value.value_case()) {
    case proto::AttrValue::kI: return AttrValue(value.i());
    case proto::AttrValue::kF: return AttrValue(value.f());
    case proto::AttrValue::kB: return AttrValue(value.b());
    case proto::AttrValue::kS: return AttrValue(value.s());
    case proto::AttrValue::kType: {
      ASSIGN_OR_RETURN(DataType t, DataTypeFromProto(value.type()));
      return AttrValue(t);
    }
    case proto::AttrValue::kShape: {
      ASSIGN_OR_RETURN(PartialShape s, ShapeFromProto(value.shape()));
      return AttrValue(std::move(s));
    }
    case proto::AttrValue::kListI:
      return AttrValue(std::vector<int64_t>(value.list_i().value().begin(),
                                            value.list_i().value().end()));
    case proto::AttrValue::kTensor: {
      ASSIGN_OR_RETURN(Tensor t, TensorFromProto(value.tensor()));
      return AttrValue(std::move(t));
    }
    case proto::AttrValue::VALUE_NOT_SET: break;
  }
  return absl::InvalidArgumentError("the attr has no value set");
}

proto::GraphDef ToGraphDef(const Graph& graph) {
  proto::GraphDef out;
  out.set_version(kGraphDefVersion);
  for (const NodeDef& def : graph.ToNodeDefs()) {
    proto::NodeDef* node = out.add_node();
    node->set_name(def.name);
    node->set_op(def.op);
    for (const std::string& in : def.inputs) node->add_input(in);
    node->set_device(def.device);
    std::vector<const std::pair<const std::string, AttrValue>*> attrs;
    for (const auto& entry : def.attrs) attrs.push_back(&entry);
    std::sort(attrs.begin(), attrs.end(), [](auto* a, auto* b) { return a->first < b->first; });
    for (const auto* entry : attrs) {
      proto::AttrEntry* e = node->add_attr();
      e->set_key(entry->first);
      *e->mutable_value() = AttrToProto(entry->second);
    }
  }
  return out;
}

absl::StatusOr<Graph> FromGraphDef(const proto::GraphDef& def, const OpRegistry* ops) {
  if (def.version() < 0 || def.version() > kGraphDefVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "GraphDef version ", def.version(), " is not supported (this build reads 0 to ",
        kGraphDefVersion, "); upgrade graphrt to read it"));
  }
  std::vector<NodeDef> defs;
  defs.reserve(def.node_size());
  for (const proto::NodeDef& node : def.node()) {
    NodeDef d{node.name(), node.op(), {node.input().begin(), node.input().end()}, node.device(),
              {}};
    for (const proto::AttrEntry& entry : node.attr()) {
      auto attr = AttrFromProto(entry.value());
      if (!attr.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("node '", node.name(), "' (", node.op(),
                                                       "): attr '", entry.key(), "': ",
                                                       attr.status().message()));
      }
      d.attrs.insert_or_assign(entry.key(), *std::move(attr));  // the last wins, as in a map
    }
    defs.push_back(std::move(d));
  }
  return Graph::FromNodeDefs(defs, ops);
}

absl::StatusOr<Graph> ParseGraph(absl::string_view data, GraphFormat format,
                                 const OpRegistry* ops) {
  proto::GraphDef def;
  if (absl::Status s = ReadGraphDef(data, format, &def); !s.ok()) {
    return RefuseGraphBytes(data, std::move(s));
  }
  return FromGraphDef(def, ops);
}

std::string SerializeGraph(const Graph& graph, GraphFormat format) {
  proto::GraphDef def = ToGraphDef(graph);
  std::string out;
  if (format == GraphFormat::kText) {
    google::protobuf::TextFormat::PrintToString(def, &out);
  } else {
    def.SerializeToString(&out);
  }
  return out;
}

GraphFormat FormatForPath(absl::string_view path) {
  return absl::EndsWith(path, ".pbtxt") || absl::EndsWith(path, ".txt") ? GraphFormat::kText
                                                                          : GraphFormat::kBinary;
}

absl::StatusOr<Graph> ReadGraph(const std::string& path, const OpRegistry* ops) {
  ASSIGN_OR_RETURN(std::string data, ReadFileToString(path));
  const GraphFormat format = FormatForPath(path);
  auto graph = ParseGraph(data, format, ops);
  if (!graph.ok()) {
    const bool binary_refused =
        format == GraphFormat::kBinary && graph.status().code() == absl::StatusCode::kDataLoss;
    return absl::Status(graph.status().code(),
                        absl::StrCat(path, ": ", graph.status().message(),
                                     binary_refused && !data.empty()
                                         ? " (a TensorFlow frozen graph is read with ReadTfGraph)"
                                         : ""));
  }
  return graph;
}

absl::Status WriteGraph(const Graph& graph, const std::string& path) {
  return WriteStringToFile(path, SerializeGraph(graph, FormatForPath(path)));
}

}  // namespace graphrt
