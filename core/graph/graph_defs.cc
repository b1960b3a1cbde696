// Graph <-> NodeDef lists, and whole-graph validation (Graph::Validate).
#include <deque>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/graph/graph.h"
#include "core/base/status_macros.h"

namespace graphrt {

namespace {
absl::string_view InputNodeName(absl::string_view input) {
  if (!input.empty() && input[0] == '^') input.remove_prefix(1);
  if (size_t colon = input.rfind(':'); colon != absl::string_view::npos) {
    input = input.substr(0, colon);
  }
  return input;
}
}  // namespace

absl::StatusOr<Graph> Graph::FromNodeDefs(const std::vector<NodeDef>& defs,
                                          const OpRegistry* ops) {
  // Order the defs so that every node follows its inputs (Kahn's algorithm);
  // what is left over lies on, or behind, a cycle.
  absl::flat_hash_map<absl::string_view, int> index;
  for (int i = 0; i < static_cast<int>(defs.size()); ++i) {
    if (!index.emplace(defs[i].name, i).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "duplicate node name '", defs[i].name, "'; node names must be unique"));
    }
  }
  std::vector<int> pending(defs.size(), 0);
  std::vector<std::vector<int>> consumers(defs.size());
  for (int i = 0; i < static_cast<int>(defs.size()); ++i) {
    for (const std::string& input : defs[i].inputs) {
      auto it = index.find(InputNodeName(input));
      if (it == index.end()) {
        return absl::NotFoundError(absl::StrCat("node '", defs[i].name, "': input '", input,
                                                "' names no node in the graph"));
      }
      ++pending[i];
      consumers[it->second].push_back(i);
    }
  }
  std::deque<int> ready;
  for (int i = 0; i < static_cast<int>(defs.size()); ++i) {
    if (pending[i] == 0) ready.push_back(i);
  }
  Graph graph(ops);
  while (!ready.empty()) {
    int i = ready.front();
    ready.pop_front();
    RETURN_IF_ERROR(graph.AddNode(defs[i]).status());
    for (int c : consumers[i]) {
      if (--pending[c] == 0) ready.push_back(c);
    }
  }
  if (graph.num_nodes() != static_cast<int>(defs.size())) {
    std::vector<std::string> stuck;
    for (int i = 0; i < static_cast<int>(defs.size()); ++i) {
      if (pending[i] > 0) stuck.push_back(defs[i].name);
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "the graph has a cycle through (or behind) nodes [", absl::StrJoin(stuck, ", "),
        "]; a dataflow graph must be acyclic: break the cycle"));
  }
  return graph;
}

std::vector<NodeDef> Graph::ToNodeDefs() const {
  std::vector<NodeDef> defs;
  defs.reserve(nodes_.size());
  for (const auto& n : nodes_) defs.push_back(n->ToNodeDef(*this));
  return defs;
}

absl::Status Graph::Validate() const {
  std::vector<int> pending(num_nodes(), 0);
  for (const auto& n : nodes_) {
    for (const Endpoint& e : n->inputs_) {
      if (e.node < 0 || e.node >= num_nodes() || e.index >= nodes_[e.node]->num_outputs()) {
        return absl::InvalidArgumentError(
            absl::StrCat("node ", n->DebugName(), " has an input out of range"));
      }
    }
    pending[n->id_] = n->num_inputs() + static_cast<int>(n->control_inputs_.size());
  }
  std::vector<std::vector<int>> consumers = ConsumerLists();
  std::vector<int> ready;
  for (int i = 0; i < num_nodes(); ++i) {
    if (pending[i] == 0) ready.push_back(i);
  }
  int visited = 0;
  while (!ready.empty()) {
    int i = ready.back();
    ready.pop_back();
    ++visited;
    for (int c : consumers[i]) {
      if (--pending[c] == 0) ready.push_back(c);
    }
  }
  if (visited != num_nodes()) {
    std::vector<std::string> stuck;
    for (int i = 0; i < num_nodes(); ++i) {
      if (pending[i] > 0) stuck.push_back(nodes_[i]->name());
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "the graph has a cycle through (or behind) nodes [", absl::StrJoin(stuck, ", "), "]"));
  }
  return absl::OkStatus();
}

}  // namespace graphrt
