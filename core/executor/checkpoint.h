// Checkpoints: every variable of a Session to one file, and back.
//
//   RETURN_IF_ERROR(SaveCheckpoint(*session, "run/model.ckpt"));
//   ...
//   RETURN_IF_ERROR(RestoreCheckpoint(*fresh_session, "run/model.ckpt"));
//
// "Every variable" is every VarHandleOp of the session's graph, optimiser
// slots and Adam's beta powers included (core/graph/optimizers.h), saved
// under its node name with its dtype and shape. Variables in device memory
// (a GPU) are copied through the host. The file format is
// core/graph/io/checkpoint_format.h, described in docs/checkpoints.md.
//
// SaveCheckpoint writes a temporary file next to `path`, fsyncs it, renames
// it over `path` and fsyncs the directory (Note [Checkpoint crash safety] in
// checkpoint.cc): `path` holds either the old checkpoint or the whole new one,
// whatever fails or crashes mid-save; a failed save removes its temporary
// file. FAILED_PRECONDITION when a variable has no value yet; the errno text
// of a failed write, naming the file.
//
// RestoreCheckpoint reads and checks the whole file first (corruption:
// DATA_LOSS naming what is wrong), then compares it with the session's
// variables and lists EVERY mismatch in one INVALID_ARGUMENT: variables
// missing from the checkpoint, entries the session has no variable for, and
// dtype or shape differences. Only when everything matches and every new
// value is allocated on its variable's device are the variables assigned, so
// a failed restore leaves the session as it was.
//
// Thread-safety: both are safe to call while other threads Run the session
// (each variable is read or assigned under its own lock), but neither is a
// snapshot across variables: a checkpoint taken during a training step may
// hold some variables from before that step and some from after, and a step
// running during a restore may see a mix or overwrite restored values. For a
// consistent checkpoint, save and restore between steps.
#ifndef GRAPHRT_CORE_EXECUTOR_CHECKPOINT_H_
#define GRAPHRT_CORE_EXECUTOR_CHECKPOINT_H_

#include <string>

#include "absl/status/status.h"
#include "core/executor/session.h"

namespace graphrt {

absl::Status SaveCheckpoint(Session& session, const std::string& path);
absl::Status RestoreCheckpoint(Session& session, const std::string& path);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_CHECKPOINT_H_
