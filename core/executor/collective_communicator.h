// CollectiveCommunicator: collectives between the processes of a cluster
// (core/executor/cluster_spec.h), one participant per process. The
// implementation is Gloo's (core/executor/gloo/gloo_communicator.h); this
// interface keeps the executor and the kernels free of it.
//
//   auto comm = CreateGlooCommunicator(spec);          // connects lazily
//   RuntimeOptions ro;  ro.communicator = *comm;        // shared by the runtime's
//   auto runtime = Runtime::Create(ro);                 // CPU devices
//
// The collective kernels (kernels/cpu/collective_ops.cc) reach it as a
// service of their CPU device (FindCollectiveCommunicator) when an op's
// communication_hint is "cluster" (docs/collectives.md).
//
// Semantics: every task calls the same collectives in the same order (the
// communicator runs one at a time per process). The first collective
// connects the full mesh and blocks until every task has joined. Each call
// first exchanges a small header (kind, dtype, shape, who sends), so tasks
// that disagree fail with INVALID_ARGUMENT naming both. A peer that dies or
// never comes fails the call within the timeout with DEADLINE_EXCEEDED or
// UNAVAILABLE naming the task(s) and the collective; after that every call
// returns FAILED_PRECONDITION (the mesh is broken: restart the job).
// A call is not interrupted by cancellation: it is bounded by its timeout.
//
// Thread-safety: every method is thread-safe (calls are serialised).
#ifndef GRAPHRT_CORE_EXECUTOR_COLLECTIVE_COMMUNICATOR_H_
#define GRAPHRT_CORE_EXECUTOR_COLLECTIVE_COMMUNICATOR_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "core/graph/tensor.h"

namespace graphrt {

class Device;

// What one collective call is, for matching and for error messages.
struct CollectiveCall {
  std::string op;    // "CollectiveReduceV2", ...
  std::string node;  // the node's name (or the caller's label)
  int64_t group_key = 0;
  int64_t instance_key = 0;
  // 0: the communicator's own (the cluster's timeout_seconds).
  std::chrono::milliseconds timeout{0};
};

class CollectiveCommunicator {
 public:
  enum class Reduction { kSum, kMax };

  virtual ~CollectiveCommunicator() = default;

  // Tasks in the cluster, and this one's rank and name ("/job:worker/task:1").
  virtual int num_tasks() const = 0;
  virtual int rank() const = 0;
  virtual std::string task_name(int rank) const = 0;

  // Connects to every other task, waiting for them up to the timeout; done
  // at most once (later calls return the first outcome). The collectives
  // below call it themselves.
  virtual absl::Status Connect() = 0;

  // `data` (float32, int32 or int64; one dtype and shape on every task)
  // replaced by the element-wise sum or max over the tasks.
  virtual absl::Status AllReduce(const CollectiveCall& call, Tensor& data,
                                 Reduction reduction) = 0;
  // The one task whose `send` is non-null sends it; every other task's
  // `recv` (same dtype and shape) receives a copy.
  virtual absl::Status Broadcast(const CollectiveCall& call, const Tensor* send,
                                 Tensor* recv) = 0;
  // Every task's `input` (rank >= 1; dims after the first equal)
  // concatenated on axis 0 in rank order, into the tensor `allocate` returns
  // for the total first dimension.
  virtual absl::Status AllGather(
      const CollectiveCall& call, const Tensor& input,
      absl::FunctionRef<absl::StatusOr<Tensor*>(int64_t first_dim)> allocate) = 0;
};

// The communicator the runtime gave `device` (RuntimeOptions::communicator),
// or null when there is none.
CollectiveCommunicator* FindCollectiveCommunicator(Device* device);
// Makes `communicator` a service of `device` (the runtime does this for
// its CPU devices).
void AttachCollectiveCommunicator(Device& device,
                                  std::shared_ptr<CollectiveCommunicator> communicator);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_COLLECTIVE_COMMUNICATOR_H_
