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
// CheckpointOptions renames on the way: a session whose variables are
// copies of one model (a distribution strategy's replicas, "replica_1/w")
// can save the single-device names ("w") once, and restore every copy from
// them, so that a single-device session can resume or serve the checkpoint
// (examples/fashion_mnist_cnn/cnn_trainer.cc does). Without options every
// variable is saved and restored under its own node name.
//
// Thread-safety: both are safe to call while other threads Run the session
// (each variable is read or assigned under its own lock), but neither is a
// snapshot across variables: a checkpoint taken during a training step may
// hold some variables from before that step and some from after, and a step
// running during a restore may see a mix or overwrite restored values. For a
// consistent checkpoint, save and restore between steps.
#ifndef GRAPHRT_CORE_EXECUTOR_CHECKPOINT_H_
#define GRAPHRT_CORE_EXECUTOR_CHECKPOINT_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/executor/session.h"

namespace graphrt {

struct CheckpointOptions {
  // The entry session variable `name` is saved as; std::nullopt: not saved
  // (a copy whose value another variable's entry holds). Unset: `name`. Two
  // variables saved as one entry are an INVALID_ARGUMENT error.
  std::function<std::optional<std::string>(absl::string_view name)> save_as;
  // The entry session variable `name` is restored from; several variables
  // may restore from one entry. Unset: `name`. Mismatch errors name the
  // entry (and the variable, when they differ).
  std::function<std::string(absl::string_view name)> restore_from;
};

absl::Status SaveCheckpoint(Session& session, const std::string& path,
                            const CheckpointOptions& options = {});
absl::Status RestoreCheckpoint(Session& session, const std::string& path,
                               const CheckpointOptions& options = {});

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_CHECKPOINT_H_
