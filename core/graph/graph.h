// Graph: nodes, data edges (node:output -> node:input) and control edges,
// checked as they are added.
//
// Every node added goes through AddNode, which resolves its inputs, checks the
// op, the arity and the dtypes, fills default attrs and runs the shape
// function; a failure names the node. Inputs must already exist, so a Graph
// built this way is acyclic; FromNodeDefs accepts nodes in any order and
// reports cycles and dangling inputs by name.
//
// Thread-safety: a Graph is built by one thread; once built it is read-only
// and may be shared (Session copies what it needs).
#ifndef GRAPHRT_CORE_GRAPH_GRAPH_H_
#define GRAPHRT_CORE_GRAPH_GRAPH_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/graph/attr_value.h"
#include "core/graph/op_def.h"
#include "core/graph/tensor_shape.h"

namespace graphrt {

// The serialisable description of one node; inputs read "x", "x:1" (output
// 1 of node x) and "^x" (a control edge from x), data inputs first.
struct NodeDef {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;
  std::string device;  // the requested device, "" for none
  AttrMap attrs;
};

struct Endpoint {
  int node = -1;  // node id
  int index = 0;  // output index
  bool operator==(const Endpoint&) const = default;
};

class Node {
 public:
  int id() const { return id_; }
  const std::string& name() const { return name_; }
  const std::string& op() const { return def_->name; }
  const OpDef& def() const { return *def_; }
  const AttrMap& attrs() const { return attrs_; }
  template <typename T>
  absl::StatusOr<T> attr(absl::string_view name) const { return GetAttr<T>(attrs_, name); }

  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  const Endpoint& input(int i) const { return inputs_[i]; }
  const std::vector<Endpoint>& inputs() const { return inputs_; }
  DataType input_type(int i) const { return input_types_[i]; }
  const std::vector<int>& control_inputs() const { return control_inputs_; }

  int num_outputs() const { return static_cast<int>(output_types_.size()); }
  DataType output_type(int i) const { return output_types_[i]; }
  const PartialShape& output_shape(int i) const { return output_shapes_[i]; }

  // The device asked for (device scope or NodeDef.device); "" for none.
  const std::string& requested_device() const { return requested_device_; }
  bool is_stateful() const { return def_->is_stateful; }

  // "name (Op)", the way nodes are named in messages.
  std::string DebugName() const;
  NodeDef ToNodeDef(const class Graph& graph) const;

 private:
  friend class Graph;
  int id_ = -1;
  std::string name_;
  const OpDef* def_ = nullptr;
  AttrMap attrs_;
  std::vector<Endpoint> inputs_;
  std::vector<DataType> input_types_;
  std::vector<int> control_inputs_;
  std::vector<DataType> output_types_;
  std::vector<PartialShape> output_shapes_;
  std::string requested_device_;
};

class Graph {
 public:
  explicit Graph(const OpRegistry* ops = &OpRegistry::Global()) : ops_(ops) {}
  Graph(Graph&&) = default;
  Graph& operator=(Graph&&) = default;

  // Builds a graph from defs in any order; reports unknown inputs and cycles.
  static absl::StatusOr<Graph> FromNodeDefs(const std::vector<NodeDef>& defs,
                                            const OpRegistry* ops = &OpRegistry::Global());
  std::vector<NodeDef> ToNodeDefs() const;

  // Adds a node whose inputs already exist. Errors (INVALID_ARGUMENT, naming
  // the node): duplicate name, unknown op, wrong arity, dtype mismatch,
  // missing or mistyped attr, shape function failure. NOT_FOUND: an input.
  absl::StatusOr<Node*> AddNode(const NodeDef& def);
  // Adds a control edge; INVALID_ARGUMENT when it would close a cycle.
  absl::Status AddControlEdge(int from, int to);

  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  const Node& node(int id) const { return *nodes_[id]; }
  Node* mutable_node(int id) { return nodes_[id].get(); }
  const Node* FindNode(absl::string_view name) const;
  // Parses "name" or "name:k" to an endpoint; NOT_FOUND/INVALID_ARGUMENT.
  absl::StatusOr<Endpoint> ParseEndpoint(absl::string_view tensor_name) const;
  std::string EndpointName(const Endpoint& e) const;

  // The data and control consumers of each node (computed on demand).
  std::vector<std::vector<int>> ConsumerLists() const;
  // Re-checks the graph: edges in range, acyclic. Cheap; Session calls it.
  absl::Status Validate() const;
  // A name not used yet: `base`, else base_1, base_2, ...
  std::string UniqueName(absl::string_view base) const;
  const OpRegistry& ops() const { return *ops_; }

 private:
  absl::Status InferTypes(Node& node, const NodeDef& def);
  absl::Status AppendControl(int from, int to);
  static uint64_t ControlKey(int from, int to) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(from)) << 32) | static_cast<uint32_t>(to);
  }
  // True while every edge goes from a lower id to a higher one.
  bool ids_topological_ = true;
  mutable absl::flat_hash_map<std::string, int> name_suffix_;  // UniqueName's memory
  absl::flat_hash_set<uint64_t> control_edges_;                // (from, to), no duplicates
  const OpRegistry* ops_;
  std::vector<std::unique_ptr<Node>> nodes_;
  absl::flat_hash_map<std::string, int> by_name_;
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_GRAPH_H_
