// Collective op functions: all-reduce, broadcast and all-gather between the
// participants of a group, shaped after TensorFlow's CollectiveReduceV2,
// CollectiveBcastSendV2 / CollectiveBcastRecvV2 and CollectiveGatherV2.
// OpDefs live in collective_ops.cc; the in-process kernels (logical CPU
// devices of one process) in kernels/cpu/collective_ops.cc. docs/collectives.md
// says what exists and what is next.
//
// A group is `group_size` nodes, normally one per device, that run in the
// same step with the same group_key and instance_key (int32 scalars, as
// TF's V2 ops take them as inputs). They are placed like any op: put each in
// its device's DeviceScope. Every participant gets the same result, bitwise:
// ranks follow the participants' device names, not their arrival order.
// A participant that waits longer than `timeout_seconds` for its peers fails
// with DEADLINE_EXCEEDED naming the group, the instance, who arrived and how
// many never did; a stopped step (deadline, cancellation) wakes it too.
// Collectives are stateful: never folded, merged or pruned as pure ops.
#ifndef GRAPHRT_CORE_GRAPH_OPS_COLLECTIVE_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_COLLECTIVE_OPS_H_

#include <cstdint>
#include <string>

#include "core/graph/builder.h"

namespace graphrt::ops {

// Reduction of an all-reduce. kMean sums, then divides by group_size
// (integer division for int32/int64, as TF's final_op "Div").
enum class CollectiveReduction { kSum, kMean, kMax };

struct CollectiveOptions {
  int32_t group_size = 1;
  int32_t group_key = 0;
  int32_t instance_key = 0;
  // How long a participant waits for the others; 0 takes the default, 60 s
  // (across processes: the cluster's timeout_seconds).
  float timeout_seconds = 0.0f;
  // "auto": between the devices of this process. "cluster" (or "gloo"):
  // between the processes of a cluster, one participant per process, through
  // the runtime's communicator (RuntimeOptions::communicator); group_size is
  // then the number of tasks. docs/collectives.md, "Across processes".
  std::string communication_hint = "auto";
};

// Every participant's x (float32, int32 or int64, one shape in the group)
// reduced element-wise; the result has x's shape.
Output CollectiveAllReduce(Output x, CollectiveReduction reduction,
                           const CollectiveOptions& options, absl::string_view name = {});

// Broadcast from the one participant that sends: its output is x itself;
// every receiver's output is a copy of x (receivers name x's dtype and shape).
Output CollectiveBroadcastSend(Output x, const CollectiveOptions& options,
                               absl::string_view name = {});
// (The shape is an attr here, an input in TF's op.)
Output CollectiveBroadcastRecv(GraphBuilder& b, DataType dtype, const TensorShape& shape,
                               const CollectiveOptions& options, absl::string_view name = {});

// Every participant's x concatenated on axis 0 in rank order; first
// dimensions may differ, the others must match (rank >= 1).
Output CollectiveAllGather(Output x, const CollectiveOptions& options,
                           absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterCollectiveOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_COLLECTIVE_OPS_H_
