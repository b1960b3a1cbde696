// ExecutorPlan::Run: one step of dependency counting.
//
// Note [Dependency counting]
// Rationale: the TF book's executor (figure 19-10): every node waits for a
// count of inputs; finishing a node decrements its successors; a count that
// reaches zero makes the node ready. Each node runs once per step however
// many consumers it has.
// Approach: counts are atomics in the step (see Note [Why pending counts are
// atomics]). A thread that finishes a node keeps going with the ready nodes
// it uncovered: cheap ones run inline from a local stack (no queue, no
// wake-up), and of the expensive ones it keeps one for itself when it has
// nothing else to do and hands the rest to the inter-op pool as tasks of the
// step's task_group. The Run caller enters the inter-op arena, runs the roots
// the same way and waits on the task group, stealing work while it waits.
// Limitations: a cheap node is judged by its kernel's estimate; a wrong
// estimate costs parallelism, never correctness.
//
// Note [Why pending counts are atomics]
// Two producers of one node may finish on two threads at once; fetch_sub
// with acq_rel makes exactly one of them see the count reach zero, and makes
// every producer's output writes visible to the thread that runs the node.
// A node with a single input needs no atomic at all: its producer is the
// only one who can make it ready.
//
// Note [Device op timing]
// Rationale: on an asynchronous device (a GPU) a node's host span is only
// its launch; traces must also show when its work ran on the device.
// Approach: a traced step records a timing event in each asynchronous
// device's queue when it begins (the origin; a CUDA event on the compute
// stream) and one before and after each of its nodes' Compute; after the
// step's synchronisation, the device time from the origin to each event,
// added to the origin's host time, places the node's work on the step's
// timeline.
// Limitations: the origin event completes when the stream reaches it; if
// the stream was still busy with an earlier step's work, device times of
// this step are early by that backlog (each device time is still exact
// relative to the others). Untraced steps record nothing.
//
// Note [Stopping a step]
// Rationale: a kernel that never returns must not hang Run forever, and a
// caller must be able to give up on a step; neither may cost a step that
// uses neither.
// Approach: stopping a step is failing it. A deadline (DeadlineTimer: Note
// [How a deadline fires]) or the caller's token (a callback registered for
// the step) calls Fail with DEADLINE_EXCEEDED or CANCELLED, so the per-node
// check of failed_ that skips nodes after an error also stops dispatch.
// Every failure then cancels the step's own token (stop_), which kernels
// poll through ctx.cancelled() or register wake-ups on. A kernel cannot be
// interrupted: the step waits for the running ones to return, as after any
// error, and ~StepRunner frees every entry. To name the nodes that kept
// running, a step with a deadline or token marks each node running around
// its Compute, on the same out-of-line path as tracing; other steps pay
// nothing but one pointer stored per node (the context's token). Timer
// entry and callback are removed before the step's state goes
// (DeadlineTimer::Cancel and DeregisterCallback wait out a callback that
// is running).
// Limitations: a kernel that neither polls nor is woken keeps the step (and
// its caller) until it returns by itself; the status then still names it.
#include <atomic>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "core/base/sync.h"
#include "core/executor/deadline_timer.h"
#include "core/executor/executor.h"
#include "core/memory/allocation_owner.h"

#include <chrono>

namespace graphrt {

class StepRunner {
 public:
  StepRunner(const ExecutorPlan& plan, std::span<const Tensor> feeds, int64_t step_id,
             const StepOptions& options)
      : plan_(plan), feeds_(feeds), step_id_(step_id), trace_(options.trace),
        user_token_(options.cancellation), timeout_ms_(options.timeout_ms),
        buffers_(plan.TakeBuffers()),
        pending_(buffers_->pending.get()), uses_(buffers_->uses.get()),
        entries_(buffers_->entries.get()) {
    for (size_t i = 0; i < plan.items_.size(); ++i) {
      pending_[i].store(plan.items_[i].pending, std::memory_order_relaxed);
    }
    for (int32_t e = 0; e < plan.num_entries_; ++e) {
      uses_[e].store(plan.entry_uses_[e], std::memory_order_relaxed);
    }
    if (user_token_ != nullptr || timeout_ms_ > 0) {
      running_.reset(new std::atomic<bool>[plan.items_.size()]);
      for (size_t i = 0; i < plan.items_.size(); ++i) {
        running_[i].store(false, std::memory_order_relaxed);
      }
    }
    instrumented_ = trace_ != nullptr || running_ != nullptr;
    if (trace_ != nullptr) {
      slots_.resize(plan.items_.size());
      device_origin_.assign(plan.env_.devices.size(), nullptr);
      for (int32_t d : plan.async_devices_) {
        device_origin_[d] = plan.env_.devices[d]->RecordTimingEvent();
      }
      t0_ = TraceNowTicks();
      start_steady_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::steady_clock::now().time_since_epoch())
                             .count();
    }
  }

  // Leaves every entry empty and gives the buffers back for the next step.
  ~StepRunner() {
    if (failed_.load(std::memory_order_relaxed)) {
      for (int32_t e = 0; e < plan_.num_entries_; ++e) entries_[e] = Tensor();
    } else {
      for (int32_t e : plan_.fetch_entries_) entries_[e] = Tensor();
    }
    plan_.ReturnBuffers(std::move(buffers_));
  }

  absl::StatusOr<std::vector<Tensor>> Run() {
    const int32_t home = plan_.home_device_;
    // The arena may run `step` on another of its threads when no slot is
    // free. TSan (sync.h): release after the closure is built, and acquire
    // through an address that is not read from the closure.
    static const char handoff = 0;
    auto step = [&] {
      TsanAcquire(&handoff);
      ReadyStack ready;
      for (int32_t root : plan_.roots_) {
        if (plan_.items_[root].device == home) {
          Push(root, ready);
        } else {
          SpawnOn(root);
        }
      }
      Drain(ready);
      group_.wait();
      TsanAcquire(&group_);  // every task's end
      TsanRelease(this);
    };
    TsanRelease(&handoff);
    if (running_ != nullptr) Arm();
    if (!failed_.load(std::memory_order_relaxed)) {  // else cancelled before it started
      plan_.env_.devices[home]->Execute(step);
      TsanAcquire(this);
    }
    if (running_ != nullptr) Disarm();
    absl::Status status;
    {
      MutexLock lock(&mu_);
      status = status_;
    }
    std::vector<Tensor> out;
    if (status.ok()) {
      out.reserve(plan_.fetch_entries_.size());
      for (int32_t e : plan_.fetch_entries_) out.push_back(entries_[e]);
    }
    if (!plan_.async_devices_.empty()) status = plan_.FinishStep(std::move(status), &out);
    if (trace_ != nullptr) FillTrace();  // after the devices finished: their timing events are done
    if (!status.ok()) return status;
    return out;
  }

 private:
  using ReadyStack = absl::InlinedVector<int32_t, 16>;
  using Item = ExecutorPlan::Item;

  // Starts the step's deadline and listens to the caller's token; see Note
  // [Stopping a step].
  void Arm() {
    if (user_token_ != nullptr) {
      user_key_ = user_token_->RegisterCallback([this] { Stop(absl::StatusCode::kCancelled); });
      if (user_key_ == CancellationToken::kAlreadyCancelled) {
        Fail(plan_.StopStatus(absl::StatusCode::kCancelled, step_id_, 0, nullptr));
        return;
      }
    }
    if (timeout_ms_ > 0) {
      timer_key_ = DeadlineTimer::Global().Schedule(
          DeadlineTimer::Clock::now() + std::chrono::milliseconds(timeout_ms_),
          [this] { Stop(absl::StatusCode::kDeadlineExceeded); });
    }
  }

  // Removes what Arm set up; returns after a callback running now has
  // returned, so the step's state may go.
  void Disarm() {
    if (timer_key_ >= 0) DeadlineTimer::Global().Cancel(timer_key_);
    if (user_key_ >= 0) user_token_->DeregisterCallback(user_key_);
  }

  // From the timer thread or a thread cancelling the caller's token.
  void Stop(absl::StatusCode code) {
    if (failed_.load(std::memory_order_relaxed)) return;  // already failed or stopped
    Fail(plan_.StopStatus(code, step_id_, timeout_ms_, running_.get()));
  }

  // Runs `ready` and everything it makes ready that stays on this thread.
  void Drain(ReadyStack& ready) {
    while (!ready.empty()) {
      const int32_t id = ready.back();
      ready.pop_back();
      if (failed_.load(std::memory_order_relaxed)) continue;  // skip: step failed
      const Item& item = plan_.items_[id];
      absl::Status s = RunNode(item);
      if (!s.ok()) {
        Fail(std::move(s));
        continue;
      }
      Propagate(item, ready);
    }
  }

  void Propagate(const Item& item, ReadyStack& ready) {
    int32_t kept = -1;
    const int32_t* succ = plan_.successors_.data() + item.succ_start;
    for (int32_t k = 0; k < item.num_succ; ++k) {
      const int32_t s = succ[k];
      const Item& next = plan_.items_[s];
      if (next.pending > 1 && Decrement(pending_[s]) != 1) continue;
      // Ready when its last input ended: the node that just ran.
      if (trace_ != nullptr) slots_[s].ready = slots_[&item - plan_.items_.data()].end;
      if (next.device != item.device) {
        SpawnOn(s);  // its own device's queue
      } else if (IsCheap(next)) {
        ready.push_back(s);
      } else if (kept < 0) {
        kept = s;
      } else {
        Spawn(s);
      }
    }
    if (kept >= 0) {
      if (ready.empty()) {
        ready.push_back(kept);
      } else {
        Spawn(kept);
      }
    }
  }

  void Push(int32_t id, ReadyStack& ready) {
    if (IsCheap(plan_.items_[id])) {
      ready.push_back(id);
    } else {
      Spawn(id);
    }
  }

  // count-- returning the old value; see Note [Why pending counts are
  // atomics]. A serial plan's step runs on one thread at a time (hand-offs
  // through the arena order them), so a plain load and store suffice.
  int32_t Decrement(std::atomic<int32_t>& count) const {
    if (plan_.serial_) {
      const int32_t old = count.load(std::memory_order_relaxed);
      count.store(old - 1, std::memory_order_relaxed);
      return old;
    }
    return count.fetch_sub(1, std::memory_order_acq_rel);
  }

  // Runs `id` later in the current thread's arena (its device's: callers
  // only spawn nodes of the device they run on).
  void Spawn(int32_t id) {
    TsanRelease(this);
    group_.run([this, id] { RunTask(id); });
  }

  // Hands `id` to its device's arena. The step's task group tracks it, so
  // group_.wait() in the home arena waits for it too.
  void SpawnOn(int32_t id) {
    TsanRelease(this);
    plan_.devices_[plan_.items_[id].device].device->Enqueue(
        group_.defer([this, id] { RunTask(id); }));
  }

  // A spawned node and what it makes ready on this thread. The TSan calls
  // state oneTBB's hand-offs: spawn -> start, end -> group_.wait().
  void RunTask(int32_t id) {
    TsanAcquire(this);  // before touching any member
    ReadyStack ready = {id};
    Drain(ready);
    TsanRelease(&group_);
  }

  bool IsCheap(const Item& item) const {
    if (item.always_cheap || plan_.devices_[item.device].inter_op_threads <= 1) return true;
    if (!item.static_cost) return EstimateCheap(item);
    std::atomic<int8_t>& memo = plan_.inline_memo_[&item - plan_.items_.data()];
    const int8_t known = memo.load(std::memory_order_relaxed);
    if (known != 0) return known > 0;
    const bool cheap = EstimateCheap(item);
    memo.store(cheap ? 1 : -1, std::memory_order_relaxed);
    return cheap;
  }

  bool EstimateCheap(const Item& item) const {
    absl::InlinedVector<const Tensor*, 8> inputs(item.num_inputs);
    for (int32_t i = 0; i < item.num_inputs; ++i) {
      inputs[i] = &entries_[plan_.input_entries_[item.input_start + i]];
    }
    return item.kernel->CostEstimateNs(inputs) < plan_.env_.inline_cost_ns;
  }

  absl::Status RunNode(const Item& item) {
    if (!instrumented_) return RunNodeUntraced(item);
    return RunNodeInstrumented(item);
  }

  // Traced steps, and steps that may be stopped: these mark the node
  // running (Note [Stopping a step]).
  ABSL_ATTRIBUTE_NOINLINE absl::Status RunNodeInstrumented(const Item& item) {
    std::atomic<bool>* running =
        running_ != nullptr ? &running_[&item - plan_.items_.data()] : nullptr;
    if (running != nullptr) running->store(true, std::memory_order_relaxed);
    absl::Status s = trace_ != nullptr ? RunNodeTraced(item) : RunNodeUntraced(item);
    if (running != nullptr) running->store(false, std::memory_order_relaxed);
    return s;
  }

  // Out of line: keeps the untraced path of RunNode small enough to inline.
  ABSL_ATTRIBUTE_NOINLINE absl::Status RunNodeTraced(const Item& item) {
    Slot& slot = slots_[&item - plan_.items_.data()];
    slot.thread = CurrentThreadIndex();
    Device* device = plan_.env_.devices[item.device];
    if (device->asynchronous()) slot.device_start = device->RecordTimingEvent();
    slot.start = Now();
    absl::Status s = RunNodeUntraced(item, &slot.bytes);
    slot.end = Now();
    if (device->asynchronous()) slot.device_end = device->RecordTimingEvent();
    slot.in_use = device->allocator()->BytesInUse();
    slot.ran = true;
    return s;
  }

  // `bytes_allocated`: where a traced step counts the bytes outputs allocate.
  absl::Status RunNodeUntraced(const Item& item, int64_t* bytes_allocated = nullptr) {
    Tensor* outputs = &entries_[item.output_start];
    if (item.feed_index >= 0) {
      outputs[0] = feeds_[item.feed_index];
    } else {
      // Most nodes have few inputs: a stack array, not zero-filled.
      constexpr int32_t kStackInputs = 8;
      Tensor* stack_inputs[kStackInputs];
      std::vector<Tensor*> heap_inputs;
      Tensor** inputs = stack_inputs;
      if (item.num_inputs > kStackInputs) {
        heap_inputs.resize(item.num_inputs);
        inputs = heap_inputs.data();
      }
      const int32_t* input_entries = plan_.input_entries_.data() + item.input_start;
      for (int32_t i = 0; i < item.num_inputs; ++i) inputs[i] = &entries_[input_entries[i]];
      OpKernelContext::Params p;
      p.kernel = item.kernel;
      p.inputs = std::span<Tensor* const>(inputs, item.num_inputs);
      p.forwardable = item.forwardable;
      p.outputs = std::span<Tensor>(outputs, item.num_outputs);
      const ExecutorPlan::DeviceSlot& device = plan_.devices_[item.device];
      p.allocator = device.allocator;
      p.intra_op = device.intra_op;
      p.resources = plan_.env_.resources;
      p.step_id = step_id_;
      p.bytes_allocated = bytes_allocated;
      p.device = device.device;
      p.source_device =
          item.source_device >= 0 ? plan_.devices_[item.source_device].device : device.device;
      p.cancellation = &stop_;
      OpKernelContext ctx(p);
      absl::Status s;
      {
        ScopedAllocationOwner owner(item.owner);  // names this node in OOM reports
        s = item.kernel->Compute(ctx);
      }
      if (!s.ok()) {
        if (s.code() == absl::StatusCode::kResourceExhausted) return OutOfMemory(item, s);
        return Annotate(item, s);
      }
      for (int32_t i = 0; i < item.num_outputs; ++i) {
        if (!outputs[i].IsInitialized()) {
          return Annotate(item, absl::InternalError(
                                    absl::StrCat("the kernel left output ", i, " unset")));
        }
      }
    }
    ReleaseInputs(item);
    for (int32_t i = 0; i < item.num_outputs; ++i) {
      if (plan_.entry_uses_[item.output_start + i] == 0) outputs[i] = Tensor();
    }
    return absl::OkStatus();
  }

  // Drops each input entry after its last use, so memory follows the
  // frontier of the step rather than the whole graph.
  void ReleaseInputs(const Item& item) {
    for (int32_t i = 0; i < item.num_inputs; ++i) {
      const int32_t e = plan_.input_entries_[item.input_start + i];
      if (plan_.entry_uses_[e] == 1 || Decrement(uses_[e]) == 1) {
        entries_[e] = Tensor();
      }
    }
  }

  // An allocation failed: the allocator's report (limit, in use, verdict,
  // largest live allocations and their nodes) when it keeps one.
  absl::Status OutOfMemory(const Item& item, const absl::Status& s) const {
    const Device& device = *plan_.env_.devices[item.device];
    if (std::optional<OomReport> report = device.allocator()->LastOomReport()) {
      return OomStatus(item.node->name(), device.name(), *report);
    }
    return Annotate(item, s);
  }

  absl::Status Annotate(const Item& item, const absl::Status& s) const {
    const std::string& device = plan_.env_.devices[item.device]->name();
    return absl::Status(s.code(), absl::StrCat("node ", item.node->DebugName(), " on ",
                                               device, ": ", s.message()));
  }

  // The first error wins; every one cancels the step's token, so that
  // running kernels that poll or wait return early.
  void Fail(absl::Status s) {
    {
      MutexLock lock(&mu_);
      if (status_.ok()) status_ = std::move(s);
      failed_.store(true, std::memory_order_relaxed);
    }
    stop_.Cancel();
  }

  // Tracing (step_trace.h): one slot per item, each written by the thread
  // that made the item ready, then by the one that ran it; in ticks until
  // FillTrace converts them.
  struct Slot {
    int64_t ready = 0, start = 0, end = 0;
    int64_t bytes = 0, in_use = -1;
    int32_t thread = 0;
    bool ran = false;
    // Nodes of asynchronous devices: timing events (Note [Device op timing]).
    void* device_start = nullptr;
    void* device_end = nullptr;
  };
  // The device span of node `i` in ns from the step start (-1, -1 when its
  // device keeps no timeline); releases its events.
  std::pair<int64_t, int64_t> DeviceSpan(size_t i) {
    Slot& slot = slots_[i];
    std::pair<int64_t, int64_t> span = {-1, -1};
    if (slot.device_start == nullptr && slot.device_end == nullptr) return span;
    const int32_t d = plan_.items_[i].device;
    Device* device = plan_.env_.devices[d];
    const int64_t a = device->ElapsedNs(device_origin_[d], slot.device_start);
    const int64_t b = device->ElapsedNs(device_origin_[d], slot.device_end);
    if (a >= 0 && b >= a) span = {a, b};
    device->ReleaseTimingEvent(slot.device_start);
    device->ReleaseTimingEvent(slot.device_end);
    slot.device_start = slot.device_end = nullptr;
    return span;
  }
  int64_t Now() const { return TraceNowTicks() - t0_; }  // ticks since the step began
  void FillTrace() {
    trace_->devices.clear();
    for (const Device* d : plan_.env_.devices) trace_->devices.push_back(d->name());
    trace_->events.clear();
    const double ns = TraceNsPerTick();
    auto to_ns = [ns](int64_t ticks) { return static_cast<int64_t>(static_cast<double>(ticks) * ns); };
    for (size_t i = 0; i < slots_.size(); ++i) {
      const Slot& slot = slots_[i];
      if (!slot.ran) continue;
      const Item& item = plan_.items_[i];
      const auto [device_start, device_end] = DeviceSpan(i);
      trace_->events.push_back({item.node->name(), item.node->op(), item.device, slot.thread,
                                to_ns(slot.ready), to_ns(slot.start), to_ns(slot.end),
                                slot.bytes, slot.in_use, item.source_device, device_start,
                                device_end});
    }
    for (size_t d = 0; d < device_origin_.size(); ++d) {
      if (device_origin_[d] != nullptr) plan_.env_.devices[d]->ReleaseTimingEvent(device_origin_[d]);
    }
    trace_->step_ns = to_ns(Now());
    trace_->start_ns = start_steady_ns_;
  }

  const ExecutorPlan& plan_;
  std::span<const Tensor> feeds_;
  const int64_t step_id_;
  StepTrace* const trace_;
  CancellationToken* const user_token_;  // the caller's; may be null
  const int64_t timeout_ms_;
  // By item, while the item's kernel runs: only in steps that may be
  // stopped (a deadline or a token), to name what kept running.
  std::unique_ptr<std::atomic<bool>[]> running_;
  bool instrumented_ = false;  // traced or may be stopped: RunNodeInstrumented
  CancellationToken stop_;     // the step's own: cancelled at its first failure
  CancellationToken::CallbackKey user_key_ = CancellationToken::kAlreadyCancelled;
  DeadlineTimer::Key timer_key_ = -1;
  std::vector<Slot> slots_;
  std::vector<void*> device_origin_;  // by device: the step's first timing event
  int64_t t0_ = 0;  // TraceNowTicks() when the step began
  int64_t start_steady_ns_ = 0;
  std::unique_ptr<ExecutorPlan::StepBuffers> buffers_;
  std::atomic<int32_t>* const pending_;
  std::atomic<int32_t>* const uses_;
  Tensor* const entries_;
  tbb::task_group group_;
  std::atomic<bool> failed_{false};
  Mutex mu_;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

std::unique_ptr<ExecutorPlan::StepBuffers> ExecutorPlan::TakeBuffers() const {
  {
    MutexLock lock(&pool_mu_);
    if (!pool_.empty()) {
      std::unique_ptr<StepBuffers> b = std::move(pool_.back());
      pool_.pop_back();
      return b;
    }
  }
  auto b = std::make_unique<StepBuffers>();
  b->pending.reset(new std::atomic<int32_t>[items_.size()]);
  b->uses.reset(new std::atomic<int32_t>[num_entries_]);
  b->entries.reset(new Tensor[num_entries_]);
  return b;
}

void ExecutorPlan::ReturnBuffers(std::unique_ptr<StepBuffers> buffers) const {
  constexpr size_t kMaxPooled = 4;  // steps running at once, typically
  MutexLock lock(&pool_mu_);
  if (pool_.size() < kMaxPooled) pool_.push_back(std::move(buffers));
}

absl::StatusOr<std::vector<Tensor>> ExecutorPlan::Run(std::span<const Tensor> feeds,
                                                      int64_t step_id,
                                                      const StepOptions& options) const {
  if (feeds.size() != feed_nodes_.size()) {
    return absl::InvalidArgumentError(absl::StrCat("expected ", feed_nodes_.size(),
                                                   " feeds, got ", feeds.size()));
  }
  for (int i = 0; i < static_cast<int>(feeds.size()); ++i) {
    if (absl::Status s = CheckFeed(i, feeds[i]); !s.ok()) return s;
  }
  StepRunner runner(*this, feeds, step_id, options);
  return runner.Run();
}

}  // namespace graphrt
