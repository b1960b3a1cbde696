// Session: a graph made ready to run, and Run.
//
// GRAPHRT_TRACE=path traces every step of every session into one timeline
// written at exit (core/executor/step_trace.h).
//
//   auto session = Session::Create(std::move(graph), SessionOptions{});
//   auto out = (*session)->Run({{x, batch}}, {loss}, {train_op});
//
// Create checks the graph, places every node on the runtime's devices
// (core/placer/placement.h), adds copies between devices, makes every kernel
// (so a missing kernel or a bad attr is reported here, naming the node), and
// creates the variables with their initial values.
// Run prunes the graph to what the fetches and targets need; the plan for a
// (feeds, fetches, targets) signature is built on first use and cached (at
// most SessionOptions::max_cached_plans, least recently used evicted first).
// MakeCallable/RunCallable skip the cache lookup for hot loops and keep their
// plan until ReleaseCallable.
//
// Deadlines and cancellation (core/executor/run_options.h,
// docs/cancellation.md): a step past RunOptions::timeout_ms (default
// SessionOptions::timeout_ms) returns DEADLINE_EXCEEDED, a step whose
// RunOptions::cancellation token is cancelled returns CANCELLED; both name
// the nodes still running, and the session's next step runs normally.
//
// Thread-safety: Run and RunCallable may be called from many threads at
// once; each call has its own step state and shares only the variables
// (each locked on its own). Variables persist across runs.
#ifndef GRAPHRT_CORE_EXECUTOR_SESSION_H_
#define GRAPHRT_CORE_EXECUTOR_SESSION_H_

#include <atomic>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/base/sync.h"
#include "core/executor/resource_mgr.h"
#include "core/executor/run_options.h"
#include "core/executor/runtime.h"
#include "core/executor/session_options.h"
#include "core/executor/step_trace.h"
#include "core/graph/builder.h"
#include "core/memory/allocation_owner.h"
#include "core/placer/placement.h"

namespace graphrt {

// A tensor or node named by string ("x", "x:1") or by a builder Output.
class TensorName {
 public:
  TensorName(const char* name) : name_(name) {}                   // NOLINT
  TensorName(std::string name) : name_(std::move(name)) {}        // NOLINT
  TensorName(const Output& output) : name_(output.name()) {}      // NOLINT
  const std::string& str() const { return name_; }

 private:
  std::string name_;
};

using FeedList = std::vector<std::pair<TensorName, Tensor>>;

class Device;
class ExecutorPlan;
class OpKernel;

class Session {
 public:
  static absl::StatusOr<std::unique_ptr<Session>> Create(Graph graph,
                                                         const SessionOptions& options = {});
  ~Session();

  // Runs one step: feeds placeholders, returns `fetches` in order after
  // running everything they and `targets` depend on. Thread-safe.
  absl::StatusOr<std::vector<Tensor>> Run(const FeedList& feeds,
                                          const std::vector<TensorName>& fetches,
                                          const std::vector<TensorName>& targets = {});
  // The same, with options (tracing, a deadline, a cancellation token:
  // core/executor/run_options.h) and what they asked to record in
  // `metadata` (may be null).
  absl::StatusOr<std::vector<Tensor>> Run(const RunOptions& options, const FeedList& feeds,
                                          const std::vector<TensorName>& fetches,
                                          const std::vector<TensorName>& targets,
                                          RunMetadata* metadata);

  // A prepared signature: RunCallable takes feed values in this order.
  using CallableHandle = int64_t;
  absl::StatusOr<CallableHandle> MakeCallable(const std::vector<TensorName>& feeds,
                                              const std::vector<TensorName>& fetches,
                                              const std::vector<TensorName>& targets = {});
  absl::StatusOr<std::vector<Tensor>> RunCallable(CallableHandle handle,
                                                  std::span<const Tensor> feeds);
  // The same with options, as Run's.
  absl::StatusOr<std::vector<Tensor>> RunCallable(const RunOptions& options,
                                                  CallableHandle handle,
                                                  std::span<const Tensor> feeds,
                                                  RunMetadata* metadata = nullptr);
  // Frees the callable's plan (unless the cache still holds it); its handle
  // is never valid again. INVALID_ARGUMENT for an unknown or released handle.
  absl::Status ReleaseCallable(CallableHandle handle);
  // Plans in the signature cache now (at most options().max_cached_plans).
  int num_cached_plans() const;

  const Graph& graph() const { return graph_; }
  const SessionOptions& options() const { return options_; }  // resolved
  // Every node's device and why, by node id of graph() (which includes the
  // copies the partitioner added between devices).
  const std::vector<NodePlacement>& placement() const { return placement_; }
  const std::shared_ptr<Runtime>& runtime() const { return runtime_; }
  ResourceMgr& resources() { return resources_; }

 private:
  Session(Graph graph, const SessionOptions& options);
  absl::Status Init();
  // Runs one step of `plan` with `options` (its trace into `metadata` when
  // asked and not null), and into the program trace when GRAPHRT_TRACE is on
  // (core/executor/step_trace.h).
  absl::StatusOr<std::vector<Tensor>> RunPlan(const ExecutorPlan& plan,
                                              std::span<const Tensor> feeds,
                                              const RunOptions& options, RunMetadata* metadata);
  absl::Status UnknownCallable(CallableHandle handle) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::shared_ptr<const ExecutorPlan>> GetPlan(
      const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
      const std::vector<std::string>& targets);

  Graph graph_;
  SessionOptions options_;
  std::shared_ptr<Runtime> runtime_;
  std::vector<Device*> devices_;          // the runtime's, by device index
  std::vector<NodePlacement> placement_;  // by node id
  std::vector<int32_t> node_device_;      // by node id
  std::vector<AllocationOwner> owners_;   // by node id: names for OOM reports
  ResourceMgr resources_;
  std::vector<std::unique_ptr<OpKernel>> kernels_;  // by node id
  std::vector<OpKernel*> kernel_ptrs_;
  std::atomic<int64_t> next_step_id_{1};

  // The plan cache: most recently used first, with an index by signature.
  using PlanList = std::list<std::pair<std::string, std::shared_ptr<const ExecutorPlan>>>;
  mutable Mutex mu_;
  PlanList lru_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, PlanList::iterator> plans_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<CallableHandle, std::shared_ptr<const ExecutorPlan>> callables_
      ABSL_GUARDED_BY(mu_);
  CallableHandle next_callable_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_SESSION_H_
