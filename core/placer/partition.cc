#include "core/placer/partition.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace graphrt {

absl::StatusOr<PartitionedGraph> PartitionGraph(const Graph& graph,
                                                std::span<const NodePlacement> placement,
                                                std::span<const DeviceAttributes> devices) {
  std::vector<NodeDef> defs = graph.ToNodeDefs();  // defs[i] is node i
  absl::flat_hash_map<std::string, NodePlacement> by_name;
  by_name.reserve(defs.size());
  for (int i = 0; i < graph.num_nodes(); ++i) by_name.emplace(defs[i].name, placement[i]);

  // One copy per (producer endpoint, destination device).
  absl::flat_hash_map<std::pair<int64_t, int>, std::string> copies;
  absl::flat_hash_set<int> used;
  std::vector<NodeDef> copy_defs;
  for (int id = 0; id < graph.num_nodes(); ++id) {
    const Node& n = graph.node(id);
    const int dst = placement[id].device_index;
    used.insert(dst);
    for (int i = 0; i < n.num_inputs(); ++i) {
      const Endpoint& e = n.input(i);
      const int src = placement[e.node].device_index;
      if (src == dst) continue;
      const Node& producer = graph.node(e.node);
      if (n.input_type(i) == DataType::kResource) {
        return absl::InternalError(absl::StrCat(
            "node ", n.DebugName(), " on ", placement[id].device, " uses resource ",
            producer.DebugName(), " on ", placement[e.node].device,
            "; resource users must be colocated with the resource"));
      }
      const int64_t key = (int64_t{e.node} << 20) | e.index;
      auto [it, fresh] = copies.try_emplace({key, dst});
      if (fresh) {
        const DeviceAttributes& to = devices[dst];
        std::string name = absl::StrCat(graph.EndpointName(e), "/_copy_to_", to.type, "_", to.id);
        while (by_name.contains(name)) name += "_";  // graph nodes and copies so far
        NodeDef copy{name, "_Copy", {graph.EndpointName(e)}, "", {}};
        NodePlacement p;
        p.device = to.name;
        p.device_index = dst;
        p.rule = "copy";
        p.reason = absl::StrCat("copies '", graph.EndpointName(e), "' from ",
                                ShortDeviceName(devices[src].type, devices[src].id), " to ",
                                ShortDeviceName(to.type, to.id), " for its consumers there");
        by_name.emplace(name, std::move(p));
        copy_defs.push_back(std::move(copy));
        it->second = name;
      }
      defs[id].inputs[i] = it->second;
    }
  }
  PartitionedGraph out;
  out.num_copies = static_cast<int>(copy_defs.size());
  out.num_devices_used = static_cast<int>(used.size());
  defs.insert(defs.end(), std::make_move_iterator(copy_defs.begin()),
              std::make_move_iterator(copy_defs.end()));
  ASSIGN_OR_RETURN(out.graph, Graph::FromNodeDefs(defs, &graph.ops()));
  out.placement.reserve(out.graph.num_nodes());
  for (int id = 0; id < out.graph.num_nodes(); ++id) {
    out.placement.push_back(by_name.at(out.graph.node(id).name()));
  }
  return out;
}

}  // namespace graphrt
