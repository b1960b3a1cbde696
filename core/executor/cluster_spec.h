// ClusterSpec: the processes of a multi-worker job and which one this is,
// read from GRAPHRT_CONFIG, a JSON document shaped like TensorFlow's
// TF_CONFIG (docs/collectives.md, "Across processes"):
//
//   {"cluster": {"worker": ["host0:2222", "host1:2222"], "chief": ["host2:2222"]},
//    "task": {"type": "worker", "index": 0},
//    "rendezvous": "/shared/dir",      // graphrt's addition, optional
//    "timeout_seconds": 60}            // optional
//
// Tasks take part in collectives in rank order: the chief (when the cluster
// names one) is rank 0, then the workers by index. With no "chief" job,
// worker 0 is the chief: it alone writes checkpoints and logs.
// "rendezvous" is a directory every task can reach (the same machine, or a
// shared file system across machines) where they exchange addresses; by
// default $TMPDIR (else /tmp) + "/graphrt-rendezvous-<host>-<port of rank 0>",
// which only works when every task runs on one machine.
//
// Who calls it: programs that run as one task of a cluster (the examples,
// the multi-worker tests), then CreateGlooCommunicator
// (core/executor/gloo/gloo_communicator.h). Thread-safety: plain values and
// pure functions.
#ifndef GRAPHRT_CORE_EXECUTOR_CLUSTER_SPEC_H_
#define GRAPHRT_CORE_EXECUTOR_CLUSTER_SPEC_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace graphrt {

struct ClusterSpec {
  // "host:port" of each task of the job, by task index.
  std::vector<std::string> chief;   // at most one
  std::vector<std::string> worker;  // at least one
  // This process: "worker" or "chief", and its index in that job.
  std::string task_type = "worker";
  int task_index = 0;
  // Where the tasks meet (see the top of this file); never empty once parsed.
  std::string rendezvous;
  // How long connecting and each collective may wait for the other tasks
  // (a collective's own timeout_seconds attr, when set, overrides it for
  // that collective). Default 60 s.
  std::chrono::milliseconds timeout{60'000};

  // Tasks in the cluster, chief included.
  int num_tasks() const { return static_cast<int>(chief.size() + worker.size()); }
  // This task's rank: the chief first, then workers by index.
  int rank() const;
  // "/job:worker/task:1" for rank r (TF's task names).
  std::string task_name(int rank) const;
  // "host:port" and host of rank r.
  const std::string& address(int rank) const;
  std::string host(int rank) const;
  // True for the chief task (or worker 0 when the cluster has no chief).
  bool is_chief() const { return rank() == 0; }
};

// The spec in `json`, checked: INVALID_ARGUMENT naming the field at fault
// ("cluster.worker[1]", "task.index", ...) and what it should be.
absl::StatusOr<ClusterSpec> ParseClusterSpec(absl::string_view json);

// GRAPHRT_CONFIG parsed; nullopt when the variable is unset or empty (a
// single-process run). Errors name the variable.
absl::StatusOr<std::optional<ClusterSpec>> ClusterSpecFromEnv();

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_CLUSTER_SPEC_H_
