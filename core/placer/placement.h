// Placement records: for every node, the device it runs on and why.
//
// This is the first placer: every node runs on the CPU device, and the
// record says so and keeps the device the user asked for, so that the full
// placer (device names, GPU, colocation, soft fallback) can replace it behind
// the same record type.
//
// Thread-safety: pure functions over a read-only graph.
#ifndef GRAPHRT_CORE_PLACER_PLACEMENT_H_
#define GRAPHRT_CORE_PLACER_PLACEMENT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/graph.h"

namespace graphrt {

inline constexpr char kCpuDeviceName[] = "/job:localhost/replica:0/task:0/device:CPU:0";

struct NodePlacement {
  std::string device;     // full device name
  std::string requested;  // what the node asked for ("" for nothing)
  std::string rule;       // "default", "explicit request", "fallback", ...
  std::string reason;     // one sentence a user can read
};

// Places every node of `graph` on the CPU device.
absl::StatusOr<std::vector<NodePlacement>> PlaceAllOnCpu(const Graph& graph);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_PLACER_PLACEMENT_H_
