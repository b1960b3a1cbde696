// Array op functions: Identity, Reshape, Cast, NoOp (and, on GraphBuilder,
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
Output NoOp(GraphBuilder& b, absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterArrayOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_ARRAY_OPS_H_
