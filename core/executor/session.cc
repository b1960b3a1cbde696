#include "core/executor/session.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/executor/device.h"
#include "core/executor/executor.h"
#include "core/executor/kernel_registry.h"
#include "core/base/status_macros.h"
#include "core/memory/allocation_owner.h"
#include "core/placer/partition.h"

namespace graphrt {

Session::Session(Graph graph, const SessionOptions& options)
    : graph_(std::move(graph)), options_(ResolveSessionOptions(options)) {}

Session::~Session() = default;

absl::StatusOr<std::unique_ptr<Session>> Session::Create(Graph graph,
                                                         const SessionOptions& options) {
  auto session = std::unique_ptr<Session>(new Session(std::move(graph), options));
  RETURN_IF_ERROR(session->Init());
  return session;
}

absl::Status Session::Init() {
  if (options_.timeout_ms < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SessionOptions::timeout_ms is ", options_.timeout_ms,
        ": use 0 for no deadline or a positive number of milliseconds"));
  }
  RETURN_IF_ERROR(graph_.Validate());
  runtime_ = options_.runtime;
  if (runtime_ == nullptr) {
    RuntimeOptions runtime;
    runtime.inter_op_threads = options_.inter_op_threads;
    runtime.intra_op_threads = options_.intra_op_threads;
    runtime.cpu_allocator = options_.cpu_allocator;
    runtime_ = Runtime::Create(runtime);
  }
  devices_ = runtime_->devices();
  std::vector<DeviceAttributes> attrs;
  for (const Device* d : devices_) attrs.push_back(d->attributes());
  const KernelRegistry* registry = options_.kernels;
  ASSIGN_OR_RETURN(std::vector<NodePlacement> placement,
                   PlaceGraph(graph_, attrs,
                              [registry](const Node& n) { return registry->SupportedDeviceTypes(n); },
                              PlacerOptions{options_.allow_soft_placement}));
  ASSIGN_OR_RETURN(PartitionedGraph partitioned, PartitionGraph(graph_, placement, attrs));
  graph_ = std::move(partitioned.graph);
  placement_ = std::move(partitioned.placement);
  if (options_.log_device_placement) {
    // Once per graph, when the session is made; never per step.
    std::fputs(PlacementLog(graph_, placement_).c_str(), stderr);
  }
  kernels_.resize(graph_.num_nodes());
  owners_.reserve(graph_.num_nodes());
  for (int i = 0; i < graph_.num_nodes(); ++i) {
    Device* device = devices_[placement_[i].device_index];
    node_device_.push_back(placement_[i].device_index);
    OpKernelConstruction c(graph_.node(i), device, &resources_, &graph_);
    // The session keeps each node's owner name, so the buffers its kernels
    // hold (constants, variables) stay named in OOM reports.
    owners_.emplace_back(graph_.node(i).name());
    ScopedAllocationOwner owner(owners_.back());
    ASSIGN_OR_RETURN(kernels_[i], registry->CreateKernel(c));
    kernel_ptrs_.push_back(kernels_[i].get());
  }
  return absl::OkStatus();
}

namespace {
std::vector<std::string> Names(const std::vector<TensorName>& names) {
  std::vector<std::string> out;
  out.reserve(names.size());
  for (const TensorName& n : names) out.push_back(n.str());
  return out;
}
}  // namespace

absl::StatusOr<std::shared_ptr<const ExecutorPlan>> Session::GetPlan(
    const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
    const std::vector<std::string>& targets) {
  std::string key = absl::StrCat(absl::StrJoin(feeds, ","), ";", absl::StrJoin(fetches, ","),
                                 ";", absl::StrJoin(targets, ","));
  {
    MutexLock lock(&mu_);
    auto it = plans_.find(key);
    if (it != plans_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);  // most recently used
      return it->second->second;
    }
  }
  ExecutorEnv env;
  env.graph = &graph_;
  env.kernels = kernel_ptrs_;
  env.node_device = node_device_;
  env.devices = devices_;
  env.resources = &resources_;
  env.inline_cost_ns = options_.inline_cost_ns;
  env.owners = owners_;
  ASSIGN_OR_RETURN(std::unique_ptr<ExecutorPlan> plan,
                   ExecutorPlan::Build(env, feeds, fetches, targets));
  std::shared_ptr<const ExecutorPlan> shared(std::move(plan));
  std::shared_ptr<const ExecutorPlan> evicted;  // destroyed after the lock is released
  MutexLock lock(&mu_);
  if (auto it = plans_.find(key); it != plans_.end()) return it->second->second;  // a racing Run
  lru_.emplace_front(key, shared);
  plans_.emplace(std::move(key), lru_.begin());
  if (options_.max_cached_plans > 0 &&
      lru_.size() > static_cast<size_t>(options_.max_cached_plans)) {
    evicted = std::move(lru_.back().second);
    plans_.erase(lru_.back().first);
    lru_.pop_back();
  }
  return shared;
}

int Session::num_cached_plans() const {
  MutexLock lock(&mu_);
  return static_cast<int>(lru_.size());
}

absl::StatusOr<std::vector<Tensor>> Session::Run(const FeedList& feeds,
                                                 const std::vector<TensorName>& fetches,
                                                 const std::vector<TensorName>& targets) {
  return Run(RunOptions{}, feeds, fetches, targets, nullptr);
}

absl::StatusOr<std::vector<Tensor>> Session::Run(const RunOptions& options,
                                                 const FeedList& feeds,
                                                 const std::vector<TensorName>& fetches,
                                                 const std::vector<TensorName>& targets,
                                                 RunMetadata* metadata) {
  std::vector<std::string> feed_names;
  std::vector<Tensor> feed_values;
  feed_names.reserve(feeds.size());
  feed_values.reserve(feeds.size());
  for (const auto& [name, value] : feeds) {
    feed_names.push_back(name.str());
    feed_values.push_back(value);
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const ExecutorPlan> plan,
                   GetPlan(feed_names, Names(fetches), Names(targets)));
  return RunPlan(*plan, feed_values, options, metadata);
}

absl::StatusOr<std::vector<Tensor>> Session::RunPlan(const ExecutorPlan& plan,
                                                     std::span<const Tensor> feeds,
                                                     const RunOptions& options,
                                                     RunMetadata* metadata) {
  const int64_t step_id = next_step_id_.fetch_add(1, std::memory_order_relaxed);
  StepOptions step;
  step.trace = options.trace && metadata != nullptr ? &metadata->trace : nullptr;
  // 0: the session's deadline; negative: none for this step.
  step.timeout_ms = options.timeout_ms != 0 ? options.timeout_ms : options_.timeout_ms;
  step.cancellation = options.cancellation;
  if (!ProgramTraceEnabled()) return plan.Run(feeds, step_id, step);
  StepTrace local;  // GRAPHRT_TRACE: every step is traced
  if (step.trace == nullptr) step.trace = &local;
  absl::StatusOr<std::vector<Tensor>> out = plan.Run(feeds, step_id, step);
  AppendToProgramTrace(*step.trace);
  return out;
}

absl::StatusOr<Session::CallableHandle> Session::MakeCallable(
    const std::vector<TensorName>& feeds, const std::vector<TensorName>& fetches,
    const std::vector<TensorName>& targets) {
  ASSIGN_OR_RETURN(std::shared_ptr<const ExecutorPlan> plan,
                   GetPlan(Names(feeds), Names(fetches), Names(targets)));
  MutexLock lock(&mu_);
  const CallableHandle handle = next_callable_++;
  callables_.emplace(handle, std::move(plan));
  return handle;
}

absl::StatusOr<std::vector<Tensor>> Session::RunCallable(CallableHandle handle,
                                                         std::span<const Tensor> feeds) {
  return RunCallable(RunOptions{}, handle, feeds, nullptr);
}

absl::StatusOr<std::vector<Tensor>> Session::RunCallable(const RunOptions& options,
                                                         CallableHandle handle,
                                                         std::span<const Tensor> feeds,
                                                         RunMetadata* metadata) {
  std::shared_ptr<const ExecutorPlan> plan;
  {
    MutexLock lock(&mu_);
    auto it = callables_.find(handle);
    if (it == callables_.end()) return UnknownCallable(handle);
    plan = it->second;
  }
  return RunPlan(*plan, feeds, options, metadata);
}

absl::Status Session::ReleaseCallable(CallableHandle handle) {
  std::shared_ptr<const ExecutorPlan> plan;  // destroyed after the lock is released
  MutexLock lock(&mu_);
  auto it = callables_.find(handle);
  if (it == callables_.end()) return UnknownCallable(handle);
  plan = std::move(it->second);
  callables_.erase(it);
  return absl::OkStatus();
}

absl::Status Session::UnknownCallable(CallableHandle handle) const {
  return absl::InvalidArgumentError(absl::StrCat(
      "no callable with handle ", handle,
      handle >= 0 && handle < next_callable_ ? " (it was released)" : "",
      ": make one with MakeCallable"));
}

}  // namespace graphrt
