// Executor: one immutable execution plan for a (feeds, fetches, targets)
// signature, and the dependency-counting step that runs it.
//
// The plan is built once (ExecutorPlan::Build): the graph is pruned to what
// the fetches and targets need, nodes get dense ids in topological order,
// each with its kernel, its initial pending count (data + control inputs),
// its successor list and the entry slots its inputs read. Run executes one
// step (see Note [Dependency counting]): source nodes start, each finished
// node decrements its successors' counts, and a node whose count reaches
// zero runs, inline when cheap or in the inter-op pool when expensive. Each
// node runs in its own device's queue (core/executor/device.h): a node made
// ready on another device is handed to that device. The first error wins;
// nodes not yet started are skipped. At the end, asynchronous devices bring
// fetched tensors to the host and are synchronised once
// (executor_step_end.cc).
//
// A step may be stopped (StepOptions: a deadline, a cancellation token):
// it then dispatches no further node, waits for the kernels already running
// (which see ctx.cancelled()), frees its tensors and returns
// DEADLINE_EXCEEDED or CANCELLED naming the nodes that were running
// (executor_stop.cc; Note [Stopping a step] in executor.cc). A step that
// fails cancels its kernels the same way.
//
// Thread-safety: a plan is immutable and may run many steps at once; all
// per-step state lives in the step.
#ifndef GRAPHRT_CORE_EXECUTOR_EXECUTOR_H_
#define GRAPHRT_CORE_EXECUTOR_EXECUTOR_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/base/sync.h"
#include "core/executor/cancellation.h"
#include "core/executor/device.h"
#include "core/executor/op_kernel.h"
#include "core/executor/resource_mgr.h"
#include "core/executor/step_trace.h"
#include "core/executor/thread_pool.h"
#include "core/graph/graph.h"
#include "core/memory/allocation_owner.h"

namespace graphrt {

// What one step needs from its session.
struct ExecutorEnv {
  const Graph* graph = nullptr;
  std::span<OpKernel* const> kernels;      // by node id
  std::span<const int32_t> node_device;    // index into `devices`, by node id
  std::span<Device* const> devices;
  ResourceMgr* resources = nullptr;
  int64_t inline_cost_ns = 0;
  // Each node's owner name for OOM reports, by node id, kept by the caller
  // (a Session holds one per node); empty: the plan interns its own.
  std::span<const AllocationOwner> owners;
};

// What one step is told besides its feeds (Session fills it from
// RunOptions and SessionOptions).
struct StepOptions {
  StepTrace* trace = nullptr;  // receives a StepTrace of the step when not null
  // > 0: the step stops with DEADLINE_EXCEEDED this many ms after Run began.
  int64_t timeout_ms = 0;
  // Not owned: the step stops with CANCELLED when it is cancelled. Null: none.
  CancellationToken* cancellation = nullptr;
};

class ExecutorPlan {
 public:
  // INVALID_ARGUMENT (naming the node) for: a feed that is not a
  // Placeholder, a fed name given twice, a placeholder needed but not fed.
  static absl::StatusOr<std::unique_ptr<ExecutorPlan>> Build(
      const ExecutorEnv& env, std::span<const std::string> feeds,
      std::span<const std::string> fetches, std::span<const std::string> targets);

  // Runs one step: `feeds` in the order given to Build; returns the fetches
  // in order, or the first error. Thread-safe.
  absl::StatusOr<std::vector<Tensor>> Run(std::span<const Tensor> feeds, int64_t step_id,
                                          const StepOptions& options) const;
  // The same with only a trace: `trace`, when not null, receives a
  // StepTrace of the step (step_trace.h).
  absl::StatusOr<std::vector<Tensor>> Run(std::span<const Tensor> feeds, int64_t step_id,
                                          StepTrace* trace = nullptr) const {
    StepOptions options;
    options.trace = trace;
    return Run(feeds, step_id, options);
  }

  int num_nodes() const { return static_cast<int>(items_.size()); }

 private:
  friend class StepRunner;
  struct Item {
    const Node* node = nullptr;
    OpKernel* kernel = nullptr;
    int32_t input_start = 0, num_inputs = 0;
    int32_t output_start = 0, num_outputs = 0;
    int32_t succ_start = 0, num_succ = 0;
    int32_t pending = 0;      // initial count of inputs still to finish
    int32_t feed_index = -1;  // >= 0: a fed placeholder
    int32_t device = 0;       // index into env_.devices
    AllocationOwnerId owner = 0;  // the node's name for OOM reports (owners_)
    bool always_cheap = false;
    // Every input's shape is fixed when the plan is built, so the inline
    // decision (IsCheap) is the same in every step: computed once, then read
    // from inline_memo_.
    bool static_cost = false;
    uint64_t forwardable = 0;  // bit i: input i is this entry's only use
    int32_t source_device = -1;  // copy ops: the device their input comes from
  };

  absl::Status CheckFeed(int index, const Tensor& value) const;
  // Brings fetched tensors to the host and waits once for every
  // asynchronous device the step used (Note [Step end on asynchronous
  // devices] in executor_step_end.cc); `status` is the step's so far.
  // Returns the step's final status.
  absl::Status FinishStep(absl::Status status, std::vector<Tensor>* fetched) const;
  // The status of a step stopped with `code` (kCancelled or
  // kDeadlineExceeded), naming the items whose `running` mark is set
  // (executor_stop.cc); `running` null: stopped before it started.
  absl::Status StopStatus(absl::StatusCode code, int64_t step_id, int64_t timeout_ms,
                          const std::atomic<bool>* running) const;

  // One step's state, reused by later steps (allocating and touching it
  // anew costs more than a 100,000-node step's dispatch). Entries are all
  // empty while pooled.
  struct StepBuffers {
    std::unique_ptr<std::atomic<int32_t>[]> pending;
    std::unique_ptr<std::atomic<int32_t>[]> uses;
    std::unique_ptr<Tensor[]> entries;
  };
  std::unique_ptr<StepBuffers> TakeBuffers() const;
  void ReturnBuffers(std::unique_ptr<StepBuffers> buffers) const;
  mutable Mutex pool_mu_;
  mutable std::vector<std::unique_ptr<StepBuffers>> pool_ ABSL_GUARDED_BY(pool_mu_);

  ExecutorEnv env_;
  // What the step reads of each device per node, copied out of the Device
  // when the plan is built: one contiguous array, no pointer chase on the
  // per-node path (BM_Executor_Chain/1000 lost 9% without it).
  struct DeviceSlot {
    Device* device = nullptr;
    Allocator* allocator = nullptr;
    IntraOpPool* intra_op = nullptr;
    int32_t inter_op_threads = 1;
  };
  std::vector<DeviceSlot> devices_;  // by device index, as env_.devices
  std::vector<Item> items_;
  // By item, for static_cost items: 0 not yet known, 1 cheap, -1 dispatch.
  // Steps race to fill it with the same value (relaxed atomics).
  std::unique_ptr<std::atomic<int8_t>[]> inline_memo_;
  std::vector<int32_t> input_entries_;  // entry read by each input
  std::vector<int32_t> successors_;     // item ids
  std::vector<int32_t> entry_uses_;     // initial uses per entry (+1 if fetched)
  std::vector<int32_t> roots_;          // items with no inputs
  int32_t home_device_ = 0;             // the device Run starts on (a root's)
  // Every node on one device with a 1-thread inter-op pool: a step runs on
  // one thread at a time, so counts need no atomic read-modify-write.
  bool serial_ = false;
  std::vector<int32_t> fetch_entries_;
  std::vector<int32_t> fetch_devices_;  // the device each fetch is produced on
  std::vector<int32_t> async_devices_;  // asynchronous devices the plan runs nodes on
  std::vector<const Node*> feed_nodes_;
  std::vector<AllocationOwner> owners_;  // the items' names when env_.owners is empty
  int32_t num_entries_ = 0;
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_EXECUTOR_H_
