// Array op functions: Identity, Reshape, Cast, ExpandDims, BroadcastLike,
// Size, NoOp (and, on GraphBuilder,
// Placeholder and Const). Defined in array_ops.cc with their OpDefs.
#ifndef GRAPHRT_CORE_GRAPH_OPS_ARRAY_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_ARRAY_OPS_H_

#include <vector>

#include "core/graph/builder.h"

namespace graphrt::ops {

Output Identity(Output x, absl::string_view name = {});
// `shape` may hold one -1, inferred from the element count.
Output Reshape(Output x, std::vector<int64_t> shape, absl::string_view name = {});
Output Cast(Output x, DataType dtype, absl::string_view name = {});
// x with a dim of 1 inserted at `axis` (negative counts from the end, -1
// appends); shares x's buffer.
Output ExpandDims(Output x, int64_t axis, absl::string_view name = {});
// x broadcast to the shape of `like` (only like's shape is read).
Output BroadcastLike(Output x, Output like, absl::string_view name = {});
// The number of elements of x, as a scalar of `out_type` (int32 or int64).
Output Size(Output x, DataType out_type = DataType::kInt64, absl::string_view name = {});
Output NoOp(GraphBuilder& b, absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterArrayOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_ARRAY_OPS_H_
