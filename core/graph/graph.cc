#include "core/graph/graph.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/graph/shape_inference.h"
#include "core/base/status_macros.h"

namespace graphrt {

std::string Node::DebugName() const { return absl::StrCat("'", name_, "' (", op(), ")"); }

NodeDef Node::ToNodeDef(const Graph& graph) const {
  NodeDef def{name_, op(), {}, requested_device_, attrs_};
  for (const Endpoint& e : inputs_) def.inputs.push_back(graph.EndpointName(e));
  for (int c : control_inputs_) def.inputs.push_back("^" + graph.node(c).name());
  return def;
}

const Node* Graph::FindNode(absl::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : nodes_[it->second].get();
}

absl::StatusOr<Endpoint> Graph::ParseEndpoint(absl::string_view tensor_name) const {
  absl::string_view name = tensor_name;
  int index = 0;
  if (size_t colon = tensor_name.rfind(':'); colon != absl::string_view::npos) {
    if (!absl::SimpleAtoi(tensor_name.substr(colon + 1), &index) || index < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tensor name '", tensor_name, "' is malformed; expected 'node' or 'node:index'"));
    }
    name = tensor_name.substr(0, colon);
  }
  const Node* node = FindNode(name);
  if (node == nullptr) {
    return absl::NotFoundError(absl::StrCat("no node named '", name, "' in the graph"));
  }
  if (index >= node->num_outputs()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "node ", node->DebugName(), " has ", node->num_outputs(), " outputs; '",
        tensor_name, "' asks for output ", index));
  }
  return Endpoint{node->id(), index};
}

std::string Graph::EndpointName(const Endpoint& e) const {
  const std::string& name = nodes_[e.node]->name();
  return e.index == 0 ? name : absl::StrCat(name, ":", e.index);
}

std::string Graph::UniqueName(absl::string_view base) const {
  if (!by_name_.contains(base)) return std::string(base);
  // Resume from the last suffix handed out for this base: O(1) per name.
  int& next = name_suffix_[base];
  for (;;) {
    std::string candidate = absl::StrCat(base, "_", ++next);
    if (!by_name_.contains(candidate)) return candidate;
  }
}

namespace {

int ArgCount(const ArgDef& arg, const AttrMap& attrs) {
  if (arg.number_attr.empty()) return 1;
  auto n = GetAttr<int64_t>(attrs, arg.number_attr);
  return n.ok() ? static_cast<int>(*n) : -1;
}

std::string ArgList(const std::vector<ArgDef>& args) {
  return absl::StrJoin(args, ", ", [](std::string* out, const ArgDef& a) {
    absl::StrAppend(out, a.name, a.number_attr.empty() ? "" : "[]");
  });
}

}  // namespace

absl::Status Graph::InferTypes(Node& node, const NodeDef& def) {
  const OpDef& op = *node.def_;
  auto error = [&](auto&&... parts) {
    return absl::InvalidArgumentError(
        absl::StrCat("node '", def.name, "' (", def.op, "): ", parts...));
  };
  // Attrs: reject unknown ones, infer type and count attrs from the inputs.
  for (const auto& [name, value] : node.attrs_) {
    // Attrs starting with '_' belong to the runtime (e.g. "_colocate_with")
    // and are allowed on every op.
    if (!name.empty() && name[0] == '_') continue;
    const AttrDef* a = op.FindAttr(name);
    if (a == nullptr) {
      return error("op has no attr '", name, "'; its attrs are [",
                   absl::StrJoin(op.attrs, ", ",
                                 [](std::string* o, const AttrDef& d) { o->append(d.name); }),
                   "]");
    }
    if (AttrTypeOf(value) != a->type) {
      return error("attr '", name, "' must be a ", AttrTypeName(a->type), ", got ",
                   AttrValueDebugString(value));
    }
  }
  const int num_inputs = static_cast<int>(node.inputs_.size());
  int fixed = 0;
  const ArgDef* variadic = nullptr;
  for (const ArgDef& arg : op.inputs) {
    if (arg.number_attr.empty()) {
      ++fixed;
    } else {
      variadic = &arg;
    }
  }
  if (variadic != nullptr && !node.attrs_.contains(variadic->number_attr)) {
    node.attrs_[variadic->number_attr] = static_cast<int64_t>(num_inputs - fixed);
  }
  int pos = 0;
  for (const ArgDef& arg : op.inputs) {
    const int count = ArgCount(arg, node.attrs_);
    for (int k = 0; k < count && pos + k < num_inputs; ++k) {
      if (!arg.type_attr.empty() && !node.attrs_.contains(arg.type_attr)) {
        const Endpoint& e = node.inputs_[pos + k];
        node.attrs_[arg.type_attr] = nodes_[e.node]->output_type(e.index);
      }
    }
    pos += std::max(count, 0);
  }
  for (const AttrDef& a : op.attrs) {
    if (node.attrs_.contains(a.name)) continue;
    if (!a.default_value.has_value()) return error("required attr '", a.name, "' is not set");
    node.attrs_[a.name] = *a.default_value;
  }
  for (const AttrDef& a : op.attrs) {
    if (a.type != AttrType::kType || a.allowed_types.empty()) continue;
    DataType t = std::get<DataType>(node.attrs_[a.name]);
    if (std::find(a.allowed_types.begin(), a.allowed_types.end(), t) == a.allowed_types.end()) {
      return error("attr '", a.name, "' is ", DataTypeName(t), ", but the op accepts [",
                   absl::StrJoin(a.allowed_types, ", ",
                                 [](std::string* o, DataType d) { absl::StrAppend(o, DataTypeName(d)); }),
                   "]");
    }
  }
  // Arity and input dtypes.
  auto arg_type = [&](const ArgDef& arg) {
    return arg.type_attr.empty() ? arg.type : std::get<DataType>(node.attrs_[arg.type_attr]);
  };
  int expected = 0;
  for (const ArgDef& arg : op.inputs) expected += ArgCount(arg, node.attrs_);
  if (expected != num_inputs) {
    return error("expects ", expected, " inputs (", ArgList(op.inputs), "), got ", num_inputs);
  }
  pos = 0;
  for (const ArgDef& arg : op.inputs) {
    const DataType want = arg_type(arg);
    for (int k = 0; k < ArgCount(arg, node.attrs_); ++k, ++pos) {
      const Endpoint& e = node.inputs_[pos];
      const DataType got = nodes_[e.node]->output_type(e.index);
      if (got != want) {
        return error("input ", pos, " ('", arg.name, "') must be ", DataTypeName(want),
                     ", but '", EndpointName(e), "' is ", DataTypeName(got));
      }
      node.input_types_.push_back(got);
    }
  }
  for (const ArgDef& arg : op.outputs) {
    for (int k = 0; k < ArgCount(arg, node.attrs_); ++k) node.output_types_.push_back(arg_type(arg));
  }
  // Shapes.
  std::vector<PartialShape> input_shapes;
  for (const Endpoint& e : node.inputs_) input_shapes.push_back(nodes_[e.node]->output_shape(e.index));
  ShapeContext ctx(def.name, op, node.attrs_, node.input_types_, input_shapes,
                   node.num_outputs());
  if (op.shape_fn) RETURN_IF_ERROR(op.shape_fn(ctx));
  node.output_shapes_ = std::move(ctx.outputs());
  return absl::OkStatus();
}

absl::StatusOr<Node*> Graph::AddNode(const NodeDef& def) {
  if (def.name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("a node of op '", def.op, "' has no name"));
  }
  if (by_name_.contains(def.name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "duplicate node name '", def.name, "'; node names must be unique (try '",
        UniqueName(def.name), "')"));
  }
  const OpDef* op = ops_->Find(def.op);
  if (op == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "node '", def.name, "': unknown op '", def.op, "'; registered ops are [",
        absl::StrJoin(ops_->ListOps(), ", "), "]"));
  }
  auto node = std::make_unique<Node>();
  node->id_ = num_nodes();
  node->name_ = def.name;
  node->def_ = op;
  node->attrs_ = def.attrs;
  node->requested_device_ = def.device;
  for (const std::string& input : def.inputs) {
    if (!input.empty() && input[0] == '^') {
      const Node* src = FindNode(absl::string_view(input).substr(1));
      if (src == nullptr) {
        return absl::NotFoundError(absl::StrCat("node '", def.name, "': control input '",
                                                input, "' names no node in the graph"));
      }
      node->control_inputs_.push_back(src->id());
      continue;
    }
    if (!node->control_inputs_.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "node '", def.name, "': data input '", input, "' follows a control input"));
    }
    auto e = ParseEndpoint(input);
    if (!e.ok()) {
      return absl::Status(e.status().code(),
                          absl::StrCat("node '", def.name, "': input '", input, "': ",
                                       e.status().message()));
    }
    node->inputs_.push_back(*e);
  }
  RETURN_IF_ERROR(InferTypes(*node, def));
  // Drop repeated control inputs, then remember the edges for AddControlEdge.
  auto& controls = node->control_inputs_;
  controls.erase(std::remove_if(controls.begin(), controls.end(),
                                [&](int c) {
                                  return !control_edges_.insert(ControlKey(c, node->id_)).second;
                                }),
                 controls.end());
  by_name_[def.name] = node->id_;
  nodes_.push_back(std::move(node));
  return nodes_.back().get();
}

absl::Status Graph::AddControlEdge(int from, int to) {
  if (from < 0 || from >= num_nodes() || to < 0 || to >= num_nodes()) {
    return absl::OutOfRangeError("control edge between unknown node ids");
  }
  // While every edge runs from a lower id to a higher one, ids are a
  // topological order and an ascending edge cannot close a cycle.
  if (from < to && ids_topological_) return AppendControl(from, to);
  // Otherwise a cycle appears iff `to` already reaches `from`: search the
  // ancestors of `from` (stored input lists, so no consumer lists to build).
  absl::flat_hash_set<int> seen;
  std::vector<int> stack = {from};
  while (!stack.empty()) {
    const int n = stack.back();
    stack.pop_back();
    if (n == to) {
      return absl::InvalidArgumentError(absl::StrCat(
          "control edge ", nodes_[from]->name(), " -> ", nodes_[to]->name(),
          " would create a cycle: ", nodes_[to]->name(), " already reaches ",
          nodes_[from]->name()));
    }
    if (!seen.insert(n).second) continue;
    for (const Endpoint& e : nodes_[n]->inputs_) stack.push_back(e.node);
    for (int c : nodes_[n]->control_inputs_) stack.push_back(c);
  }
  if (from > to) ids_topological_ = false;
  return AppendControl(from, to);
}

absl::Status Graph::AppendControl(int from, int to) {
  if (control_edges_.insert(ControlKey(from, to)).second) {
    nodes_[to]->control_inputs_.push_back(from);
  }
  return absl::OkStatus();
}

std::vector<std::vector<int>> Graph::ConsumerLists() const {
  std::vector<std::vector<int>> consumers(num_nodes());
  for (const auto& n : nodes_) {
    for (const Endpoint& e : n->inputs_) consumers[e.node].push_back(n->id_);
    for (int c : n->control_inputs_) consumers[c].push_back(n->id_);
  }
  return consumers;
}

}  // namespace graphrt
