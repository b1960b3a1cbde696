// Variable ops. Users reach them through GraphBuilder::NewVariable and the
// Variable class (core/graph/builder.h); this file holds their OpDefs.
//
// VarHandleOp names a variable (the node name) and carries its initial value;
// the session creates the variable, initialised, when it is created, and the
// value persists across runs. ReadVariable, AssignVariable,
// AssignAddVariable and ApplyGradientDescent take the handle as input 0.
#ifndef GRAPHRT_CORE_GRAPH_OPS_STATE_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_STATE_OPS_H_

#include "core/graph/op_def.h"

namespace graphrt {
void RegisterStateOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_STATE_OPS_H_
