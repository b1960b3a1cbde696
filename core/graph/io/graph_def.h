// GraphDef I/O: a Graph as a protobuf (core/graph/io/graph.proto), in binary
// or text format, and back.
//
// ToGraphDef writes every node with all its attrs (defaults filled in), so a
// file read back builds the same graph: same nodes, edges, devices, attrs,
// dtypes and shapes. FromGraphDef accepts nodes in any order and checks
// everything Graph::FromNodeDefs checks (unknown op, dangling input "x:3",
// cycle, duplicate name, attr of the wrong type), plus what only a file can
// get wrong (an unset attr value, a tensor whose bytes do not match its
// shape); every error names the node and, where there is one, the attr.
//
// Thread-safety: pure functions.
#ifndef GRAPHRT_CORE_GRAPH_IO_GRAPH_DEF_H_
#define GRAPHRT_CORE_GRAPH_IO_GRAPH_DEF_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/graph/graph.h"
#include "core/graph/io/graph.pb.h"

namespace graphrt {

// The format version ToGraphDef writes; FromGraphDef reads versions 0 (unset)
// to this one and rejects newer files.
inline constexpr int kGraphDefVersion = 1;

enum class GraphFormat { kBinary, kText };

proto::GraphDef ToGraphDef(const Graph& graph);
absl::StatusOr<Graph> FromGraphDef(const proto::GraphDef& def,
                                   const OpRegistry* ops = &OpRegistry::Global());

// One attr or tensor; errors name only the value (callers add the node).
proto::AttrValue AttrToProto(const AttrValue& value);
absl::StatusOr<AttrValue> AttrFromProto(const proto::AttrValue& value);
proto::Tensor TensorToProto(const Tensor& tensor);
absl::StatusOr<Tensor> TensorFromProto(const proto::Tensor& tensor);

// Bytes or text to a Graph (what ReadGraph does after reading the file).
absl::StatusOr<Graph> ParseGraph(absl::string_view data, GraphFormat format,
                                 const OpRegistry* ops = &OpRegistry::Global());
std::string SerializeGraph(const Graph& graph, GraphFormat format);

// Refusals (ParseGraph, ReadGraph): DATA_LOSS "not a binary graphrt
// GraphDef: ..." (or "text-format") for bytes that are no GraphDef, saying
// why: an empty file; bytes that do not parse; any field graph.proto does
// not declare, named with where it was ("unknown field 7 (length-delimited)
// at the top level", "... in node 'x'"); no nodes, unless the bytes are the
// empty graph ToGraphDef writes (`version: 1`: in binary exactly those two
// bytes, in text a version and no node). UNIMPLEMENTED for an ONNX model,
// saying so. Then FromGraphDef's errors.
//
// Files. The format follows the extension: ".pbtxt" and ".txt" are text,
// anything else binary. NOT_FOUND for a missing file; errors start with the
// path.
absl::StatusOr<Graph> ReadGraph(const std::string& path,
                                const OpRegistry* ops = &OpRegistry::Global());
absl::Status WriteGraph(const Graph& graph, const std::string& path);
GraphFormat FormatForPath(absl::string_view path);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_IO_GRAPH_DEF_H_
