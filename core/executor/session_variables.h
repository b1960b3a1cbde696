// The variables of a Session, found through its graph: one per VarHandleOp,
// with the device it was placed on. What checkpoints (checkpoint.h) and
// freezing (freeze.h) walk; not a public header.
// Thread-safety: ListSessionVariables only reads the session's graph and
// placement; ReadToHost and AssignFromHost take the variable's lock.
#ifndef GRAPHRT_CORE_EXECUTOR_SESSION_VARIABLES_H_
#define GRAPHRT_CORE_EXECUTOR_SESSION_VARIABLES_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "core/executor/device.h"
#include "core/executor/resource_mgr.h"
#include "core/executor/session.h"

namespace graphrt {

struct SessionVariable {
  const Node* node = nullptr;  // the VarHandleOp; the variable has its name
  std::shared_ptr<VariableResource> variable;
  Device* device = nullptr;  // where its value lives
  DataType dtype = DataType::kInvalid;
  PartialShape shape;  // as declared by the node
};

// Sorted by name. INTERNAL when a handle node has no variable (the session
// creates them all).
absl::StatusOr<std::vector<SessionVariable>> ListSessionVariables(Session& session);

// The variable's value as a host tensor (copied out of device memory, or
// shared when already on the host). FAILED_PRECONDITION when it has no value.
absl::StatusOr<Tensor> ReadToHost(const SessionVariable& v);

// `host`'s values in a fresh tensor of the variable's device memory.
absl::StatusOr<Tensor> CopyToVariableDevice(const SessionVariable& v, const Tensor& host);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_SESSION_VARIABLES_H_
