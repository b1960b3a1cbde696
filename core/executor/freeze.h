// Freezing: a Session's graph for serving, with its variables' current
// values baked in.
//
//   ASSIGN_OR_RETURN(Graph frozen, FreezeGraph(*session, {"probs"}));
//   RETURN_IF_ERROR(WriteGraph(frozen, "model.pb"));   // core/graph/io/graph_def.h
//   // graphrt run model.pb --feed x=images.npy --fetch probs   (examples/graphrt_cli)
//
// FreezeGraph keeps exactly what the fetches need (their data and control
// inputs, transitively), with every ReadVariable among them replaced by a
// Const of the same name holding the variable's value now (copied to the host
// from a GPU), its control inputs dropped (they only ordered it after writes
// of the variable). Everything else goes: gradients, optimiser updates and
// slots, the variables themselves, and the copies the session added between
// devices (consumers read the copied tensor directly). Node names, attrs and
// requested devices stay as they were, so the same fetch and feed names work
// on the frozen graph; a "_colocate_with" attr keeps only names still there.
// The result has no resource tensors and no stateful ops left on the path.
//
// Errors: NOT_FOUND / INVALID_ARGUMENT for a fetch that is not in the graph;
// INVALID_ARGUMENT naming the node when a fetch needs a node that updates or
// holds a variable (an Assign, an optimiser update, a handle consumed other
// than by ReadVariable): fetch the inference outputs only;
// FAILED_PRECONDITION for a variable read that has no value yet.
// Thread-safety: like SaveCheckpoint (core/executor/checkpoint.h): safe
// against concurrent Run, but each variable's value is taken on its own; freeze
// between training steps for a consistent model.
#ifndef GRAPHRT_CORE_EXECUTOR_FREEZE_H_
#define GRAPHRT_CORE_EXECUTOR_FREEZE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "core/executor/session.h"
#include "core/graph/graph.h"

namespace graphrt {

absl::StatusOr<Graph> FreezeGraph(Session& session, const std::vector<TensorName>& fetches);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_FREEZE_H_
