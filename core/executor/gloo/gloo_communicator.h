// CreateGlooCommunicator: the CollectiveCommunicator
// (core/executor/collective_communicator.h) of one task of a cluster
// (core/executor/cluster_spec.h), on Gloo (Debian's libgloo-dev, what
// PyTorch uses for CPU collectives): Gloo's TCP transport carries the data,
// its FileStore in the spec's rendezvous directory is where tasks exchange
// addresses. graphrt writes no socket protocol of its own.
//
//   ASSIGN_OR_RETURN(std::optional<ClusterSpec> spec, ClusterSpecFromEnv());
//   ASSIGN_OR_RETURN(auto comm, CreateGlooCommunicator(*spec));
//   RuntimeOptions ro;  ro.communicator = std::move(comm);
//
// Nothing connects until the first collective (or Connect()): then the task
// announces itself in the rendezvous directory, waits (up to the spec's
// timeout) until every task has, naming those that did not, and connects
// the full mesh (gloo::rendezvous::Context::connectFullMesh). Collectives run
// Gloo's algorithms: gloo::allreduce (ring), gloo::broadcast,
// gloo::allgatherv. Gloo's C++ exceptions stop at this module's boundary and
// become absl::Status (Note [Gloo failures] in gloo_communicator.cc).
//
// Thread-safety: thread-safe; collectives run one at a time per communicator.
#ifndef GRAPHRT_CORE_EXECUTOR_GLOO_GLOO_COMMUNICATOR_H_
#define GRAPHRT_CORE_EXECUTOR_GLOO_GLOO_COMMUNICATOR_H_

#include <memory>

#include "absl/status/statusor.h"
#include "core/executor/cluster_spec.h"
#include "core/executor/collective_communicator.h"

namespace graphrt {

// A communicator for `spec` (not yet connected). INVALID_ARGUMENT for a spec
// that ParseClusterSpec would refuse. Process-wide side effect: SIGPIPE is
// set to ignored if it is still at its default, so that a peer that dies
// fails a collective instead of killing this process (Note [Gloo failures]).
absl::StatusOr<std::shared_ptr<CollectiveCommunicator>> CreateGlooCommunicator(
    const ClusterSpec& spec);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_GLOO_GLOO_COMMUNICATOR_H_
