// The partitioner: one subgraph per device, with copies on the edges that
// cross devices.
//
// Each data edge whose producer and consumer are placed on different devices
// is routed through a "_Copy" node placed on the consumer's device; there is
// one copy per (tensor, destination device), shared by all consumers there.
// Control edges cross devices as they are (the executor orders them). The
// result is one graph whose nodes are partitioned by their placement: the
// executor sends each node to its own device's queue.
//
// Thread-safety: a pure function.
#ifndef GRAPHRT_CORE_PLACER_PARTITION_H_
#define GRAPHRT_CORE_PLACER_PARTITION_H_

#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/graph.h"
#include "core/placer/placement.h"

namespace graphrt {

struct PartitionedGraph {
  Graph graph;                          // the input graph plus copy nodes
  std::vector<NodePlacement> placement; // by node id of `graph`
  int num_copies = 0;
  int num_devices_used = 0;
};

// `placement` is indexed by node id of `graph`.
absl::StatusOr<PartitionedGraph> PartitionGraph(const Graph& graph,
                                                std::span<const NodePlacement> placement,
                                                std::span<const DeviceAttributes> devices);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_PLACER_PARTITION_H_
