#include "core/executor/session.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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
  for (const Device* d : devices_) {
    attrs.push_back(d->attributes());
    device_ctx_.push_back({d->name(), d->arena(), d->inter_op_threads(), d->intra_op(),
                           d->allocator(), d->gpu()});
  }
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
  for (int i = 0; i < graph_.num_nodes(); ++i) {
    const Device* device = devices_[placement_[i].device_index];
    node_device_.push_back(placement_[i].device_index);
    OpKernelConstruction c(graph_.node(i), device->type(), &resources_, device->allocator(),
                           device->gpu());
    ScopedAllocationOwner owner(graph_.node(i).name());  // constants, variables
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
    if (it != plans_.end()) return it->second;
  }
  ExecutorEnv env;
  env.graph = &graph_;
  env.kernels = kernel_ptrs_;
  env.node_device = node_device_;
  env.devices = device_ctx_;
  env.resources = &resources_;
  env.inline_cost_ns = options_.inline_cost_ns;
  ASSIGN_OR_RETURN(std::unique_ptr<ExecutorPlan> plan,
                   ExecutorPlan::Build(env, feeds, fetches, targets));
  std::shared_ptr<const ExecutorPlan> shared(std::move(plan));
  MutexLock lock(&mu_);
  return plans_.emplace(std::move(key), std::move(shared)).first->second;
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
  StepTrace* trace = options.trace && metadata != nullptr ? &metadata->trace : nullptr;
  return RunPlan(*plan, feed_values, trace);
}

absl::StatusOr<std::vector<Tensor>> Session::RunPlan(const ExecutorPlan& plan,
                                                     std::span<const Tensor> feeds,
                                                     StepTrace* trace) {
  const int64_t step_id = next_step_id_.fetch_add(1, std::memory_order_relaxed);
  if (!ProgramTraceEnabled()) return plan.Run(feeds, step_id, trace);
  StepTrace local;  // GRAPHRT_TRACE: every step is traced
  if (trace == nullptr) trace = &local;
  absl::StatusOr<std::vector<Tensor>> out = plan.Run(feeds, step_id, trace);
  AppendToProgramTrace(*trace);
  return out;
}

absl::StatusOr<Session::CallableHandle> Session::MakeCallable(
    const std::vector<TensorName>& feeds, const std::vector<TensorName>& fetches,
    const std::vector<TensorName>& targets) {
  ASSIGN_OR_RETURN(std::shared_ptr<const ExecutorPlan> plan,
                   GetPlan(Names(feeds), Names(fetches), Names(targets)));
  MutexLock lock(&mu_);
  callables_.push_back(std::move(plan));
  return static_cast<CallableHandle>(callables_.size() - 1);
}

absl::StatusOr<std::vector<Tensor>> Session::RunCallable(CallableHandle handle,
                                                         std::span<const Tensor> feeds) {
  std::shared_ptr<const ExecutorPlan> plan;
  {
    MutexLock lock(&mu_);
    if (handle < 0 || handle >= static_cast<CallableHandle>(callables_.size())) {
      return absl::InvalidArgumentError(absl::StrCat("no callable with handle ", handle));
    }
    plan = callables_[handle];
  }
  return RunPlan(*plan, feeds, nullptr);
}

}  // namespace graphrt
