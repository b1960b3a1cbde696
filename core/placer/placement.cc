#include "core/placer/placement.h"

namespace graphrt {

absl::StatusOr<std::vector<NodePlacement>> PlaceAllOnCpu(const Graph& graph) {
  std::vector<NodePlacement> out(graph.num_nodes());
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node& n = graph.node(i);
    NodePlacement& p = out[i];
    p.device = kCpuDeviceName;
    p.requested = n.requested_device();
    if (p.requested.empty()) {
      p.rule = "default";
      p.reason = "the CPU is the only device";
    } else {
      p.rule = "fallback";
      p.reason = "requested '" + p.requested +
                 "', but this placer knows only the CPU device (soft placement)";
    }
  }
  return out;
}

}  // namespace graphrt
