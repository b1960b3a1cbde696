// The placer: for every node, the device it runs on and why.
//
//   auto placement = PlaceGraph(graph, devices,
//       [&](const Node& n) { return registry.SupportedDeviceTypes(n); }, options);
//
// The placer knows no kernel registry: `supported_types` answers which device
// types have a kernel for a node (a Session passes its KernelRegistry's
// answer; tests describe kernels by hand).
//
// Rules, in order (TF's placer, with every decision recorded):
//  1. Colocation groups. A node that takes a resource handle (a variable's
//     readers and writers) joins the group of the node that made the handle;
//     a node with attr "_colocate_with" (GraphBuilder::ColocateWith) joins the
//     named nodes' group. A group runs on one device.
//  2. The group's request is the merge of its members' device requests
//     (GraphBuilder::DeviceScope); two members asking for different devices
//     is a colocation conflict (INVALID_ARGUMENT naming both).
//  3. The device types that can run the group: those with a kernel for every
//     member (the kernel registry is keyed by op, device type and dtype).
//  4. A request is honoured by the first device that matches it and has a
//     kernel (rule "requested"). Without a request: the first GPU with a
//     kernel, else CPU:0 (rule "default").
//  5. A request nothing can honour (no such device, or no kernel there) falls
//     back to rule 4's default under soft placement (rule "soft fallback",
//     with the reason), or fails under strict placement naming the node, the
//     request, the devices that exist and the device types with a kernel.
//
// Thread-safety: pure functions over read-only inputs.
#ifndef GRAPHRT_CORE_PLACER_PLACEMENT_H_
#define GRAPHRT_CORE_PLACER_PLACEMENT_H_

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/graph.h"
#include "core/placer/device_attributes.h"

namespace graphrt {

struct NodePlacement {
  std::string device;     // full device name
  int device_index = -1;  // into the devices PlaceGraph was given
  std::string requested;  // what the node asked for ("" for nothing)
  std::string rule;       // "requested", "default", "soft fallback", "copy"
  std::string reason;     // one sentence a user can read
  std::string group;      // the colocation group's first node; "" if alone
};

// Device types ("CPU", "GPU") that have a kernel for a node, sorted.
using SupportedTypesFn = std::function<std::vector<std::string>(const Node&)>;

struct PlacerOptions {
  // Fall back to a device that can run the node when the requested one does
  // not exist or has no kernel (TF: allow_soft_placement). false: an error.
  bool allow_soft_placement = true;
};

// Places every node of `graph` on one of `devices` (at least one CPU device
// is expected; the first of a type is that type's default).
absl::StatusOr<std::vector<NodePlacement>> PlaceGraph(const Graph& graph,
                                                      std::span<const DeviceAttributes> devices,
                                                      const SupportedTypesFn& supported,
                                                      const PlacerOptions& options = {});

// Exports: a JSON array of {"node", "op", "device", "requested", "rule",
// "reason", "group"}, and a Graphviz DOT digraph with nodes filled by device
// (a legend lists the devices). In the DOT, "_Copy" nodes are drawn as
// arrows (shape=cds) with a red outline, and data edges that move a tensor
// between devices (into or out of a copy, or between nodes placed apart) are
// bold and red; those that cross devices are labelled "copy CPU:0 -> CPU:1".
std::string PlacementToJson(const Graph& graph, std::span<const NodePlacement> placement);
std::string PlacementToDot(const Graph& graph, std::span<const NodePlacement> placement);

// "name (Op): device" lines, the log_device_placement format.
std::string PlacementLog(const Graph& graph, std::span<const NodePlacement> placement);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_PLACER_PLACEMENT_H_
