#include "core/executor/freeze.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/base/status_macros.h"
#include "core/executor/session_variables.h"

namespace graphrt {
namespace {

// The endpoint a consumer really reads: copies the partitioner added are
// looked through.
Endpoint Source(const Graph& g, Endpoint e) {
  while (g.node(e.node).def().is_copy && g.node(e.node).num_inputs() > 0) {
    e = g.node(e.node).input(0);
  }
  return e;
}

bool TouchesResources(const Node& n) {
  for (int i = 0; i < n.num_inputs(); ++i) {
    if (n.input_type(i) == DataType::kResource) return true;
  }
  for (int i = 0; i < n.num_outputs(); ++i) {
    if (n.output_type(i) == DataType::kResource) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<Graph> FreezeGraph(Session& session, const std::vector<TensorName>& fetches) {
  const Graph& g = session.graph();
  enum class Keep : uint8_t { kNo, kNode, kAsConst };
  std::vector<Keep> keep(g.num_nodes(), Keep::kNo);
  // Who first needed each node, for the error naming a training op.
  std::vector<int> needed_by(g.num_nodes(), -1);
  std::vector<int> stack;
  auto need = [&](int id, int from) {
    if (keep[id] != Keep::kNo) return;
    keep[id] = Keep::kNode;
    needed_by[id] = from;
    stack.push_back(id);
  };
  for (const TensorName& f : fetches) {
    if (const Node* node = g.FindNode(f.str()); node != nullptr) {  // also nodes without outputs
      need(Source(g, Endpoint{node->id(), 0}).node, -1);
      continue;
    }
    absl::StatusOr<Endpoint> e = g.ParseEndpoint(f.str());
    if (!e.ok()) {
      return absl::Status(e.status().code(),
                          absl::StrCat("FreezeGraph: fetch '", f.str(), "': ",
                                       e.status().message()));
    }
    need(Source(g, *e).node, -1);
  }
  while (!stack.empty()) {
    const int id = stack.back();
    stack.pop_back();
    const Node& n = g.node(id);
    if (n.op() == "ReadVariable") {
      keep[id] = Keep::kAsConst;  // its handle and ordering edges are not needed
      continue;
    }
    if (TouchesResources(n) || n.is_stateful()) {
      std::vector<std::string> chain;
      for (int at = needed_by[id]; at >= 0; at = needed_by[at]) chain.push_back(g.node(at).name());
      return absl::InvalidArgumentError(absl::StrCat(
          "FreezeGraph: node ", n.DebugName(), " updates or holds a variable, but the fetches "
          "need it", chain.empty() ? "" : absl::StrCat(" (needed by ", absl::StrJoin(chain, " <- "), ")"),
          "; a frozen graph has no variables: fetch only inference outputs, which read "
          "variables but do not depend on their updates"));
    }
    for (const Endpoint& in : n.inputs()) need(Source(g, in).node, id);
    for (int c : n.control_inputs()) need(c, id);
  }

  absl::flat_hash_map<std::string, SessionVariable> vars;
  ASSIGN_OR_RETURN(std::vector<SessionVariable> list, ListSessionVariables(session));
  for (SessionVariable& v : list) vars.emplace(v.node->name(), std::move(v));

  std::vector<NodeDef> defs;
  for (int id = 0; id < g.num_nodes(); ++id) {
    if (keep[id] == Keep::kNo) continue;
    const Node& n = g.node(id);
    if (keep[id] == Keep::kAsConst) {
      const Node& handle = g.node(Source(g, n.input(0)).node);
      auto it = vars.find(handle.name());
      if (it == vars.end()) {
        return absl::InternalError(absl::StrCat("FreezeGraph: node ", n.DebugName(),
                                                " reads '", handle.name(),
                                                "', which is no variable of the session"));
      }
      ASSIGN_OR_RETURN(Tensor value, ReadToHost(it->second));
      const DataType dtype = value.dtype();
      defs.push_back(NodeDef{n.name(), "Const", {}, n.requested_device(),
                             {{"value", std::move(value)}, {"dtype", dtype}}});
      continue;
    }
    NodeDef def{n.name(), n.op(), {}, n.requested_device(), n.attrs()};
    for (const Endpoint& in : n.inputs()) def.inputs.push_back(g.EndpointName(Source(g, in)));
    for (int c : n.control_inputs()) def.inputs.push_back("^" + g.node(c).name());
    if (auto it = def.attrs.find("_colocate_with"); it != def.attrs.end()) {
      std::vector<std::string> kept;
      if (const auto* names = std::get_if<std::string>(&it->second)) {
        for (absl::string_view name : absl::StrSplit(*names, ',', absl::SkipEmpty())) {
          const Node* other = g.FindNode(name);
          if (other != nullptr && keep[other->id()] != Keep::kNo) kept.emplace_back(name);
        }
      }
      if (kept.empty()) {
        def.attrs.erase(it);
      } else {
        it->second = absl::StrJoin(kept, ",");
      }
    }
    defs.push_back(std::move(def));
  }
  return Graph::FromNodeDefs(defs, &g.ops());
}

}  // namespace graphrt
