// GlooMesh: the connected Gloo context of one task (internal to
// graphrt::gloo_communicator): the join in the rendezvous directory that
// names absent tasks, connectFullMesh, and, after a failure, which peers are
// known to be gone. See Note [Joining] in gloo_mesh.cc.
//
// Thread-safety: none; GlooCommunicator serialises every call under its lock.
#ifndef GRAPHRT_CORE_EXECUTOR_GLOO_GLOO_MESH_H_
#define GRAPHRT_CORE_EXECUTOR_GLOO_GLOO_MESH_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gloo/context.h>

#include "absl/status/status.h"
#include "core/executor/cluster_spec.h"

namespace graphrt {

class GlooMesh {
 public:
  explicit GlooMesh(ClusterSpec spec) : spec_(std::move(spec)) {}

  // Joins and connects; DEADLINE_EXCEEDED naming the tasks that never
  // joined, FAILED_PRECONDITION for a directory holding an earlier run's
  // keys, UNAVAILABLE when Gloo cannot connect.
  absl::Status Connect();
  // The connected context (after Connect returned OK).
  const std::shared_ptr<gloo::Context>& context() const { return context_; }
  const ClusterSpec& spec() const { return spec_; }

  // After a failed collective: the peers whose process is known to have
  // exited (same host, pid gone), or else every peer as a candidate.
  std::string DescribeLostPeers() const;

 private:
  const ClusterSpec spec_;
  std::shared_ptr<gloo::Context> context_;
  // Each task's host name and pid as it announced them (by rank).
  std::vector<std::string> hostnames_;
  std::vector<int64_t> pids_;
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_GLOO_GLOO_MESH_H_
