// MirroredStrategy: a copy of every variable per replica, gradients
// averaged by bucketed all-reduces, the same update on every replica.
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/distribute/buckets.h"
#include "core/graph/distribute/replicas.h"
#include "core/graph/distribute/strategy.h"
#include "core/graph/gradients.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/collective_ops.h"

namespace graphrt::distribute {
namespace {

constexpr absl::string_view kStrategy = "MirroredStrategy";

// Every replica makes its own variables, in its own scopes.
class MirroredPolicy : public VariablePolicy {
 public:
  Variable NewVariable(GraphBuilder& b, int replica, absl::string_view name,
                       Tensor initial_value) override {
    return b.NewVariable(name, std::move(initial_value));
  }
  Output Read(GraphBuilder& b, int replica, const Variable& v, absl::string_view name) override {
    return v.Read(name);
  }
};

bool SameTensor(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         (a.TotalBytes() == 0 || std::memcmp(a.raw_data(), b.raw_data(), a.TotalBytes()) == 0);
}

const Tensor* InitialValue(const Variable& v) {
  auto it = v.handle().node().attrs().find("initial_value");
  if (it == v.handle().node().attrs().end()) return nullptr;
  return std::get_if<Tensor>(&it->second);
}

// Note [Mirrored initial values]
// Rationale: replicas must start equal, or they never become equal (they
// apply equal updates). Approach: the model function runs once per replica
// and must make the same initial values (a fixed seed, not one derived from
// replica_id); Build compares every replica's initial values with replica
// 0's, bit for bit, and refuses a difference. This costs no collective at
// start-up (no broadcast), and a Session restoring a checkpoint restores
// every copy from its own saved value.
absl::Status CheckMirrored(const std::vector<ReplicaModel>& replicas, int replica) {
  const ReplicaModel& first = replicas[0];
  const ReplicaModel& model = replicas[replica];
  for (size_t j = 0; j < model.variables.size(); ++j) {
    const Variable& v = model.variables[j];
    for (int r = 0; r < replica; ++r) {
      if (replicas[r].variables[j].handle().node_id() == v.handle().node_id()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "variable '", v.name(), "' is also replica ", r, "'s; under MirroredStrategy every "
            "replica makes its own copy (ReplicaContext::NewVariable inside the model "
            "function)"));
      }
    }
    const Tensor* init = InitialValue(v);
    const Tensor* init0 = InitialValue(first.variables[j]);
    if (init == nullptr || init0 == nullptr || !SameTensor(*init, *init0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "variable '", v.name(), "' starts from another value than replica 0's '",
          first.variables[j].name(), "'; mirrored copies must start equal: draw initial "
          "values from a fixed seed, not one derived from the replica"));
    }
  }
  return absl::OkStatus();
}

// Note [Hierarchical all-reduce]
// Rationale: the cross-process collectives take one participant per process
// (docs/collectives.md, "Across processes"), and a call across processes
// costs a network round trip, so a worker with several replicas should make
// one such call per bucket, not one per replica (Horovod's hierarchical
// all-reduce, TF's MultiWorkerMirroredStrategy over several local GPUs).
// Approach: per bucket, (1) every replica's fused gradients are averaged
// in-process (`collectives`: group = this process's replicas); (2) replica
// 0 averages that across the processes (`across_processes`: group = the
// processes); (3) the other replicas cut their gradients from replica 0's
// result, which the partitioner copies to their devices. Every process has
// the same number of replicas, each on an equal share of the global batch,
// so the mean of the processes' means is the mean over every replica.
// Replica 0's collectives are chained (in-process, cross-process, next
// bucket's in-process), so a process's cross-process collectives run one
// at a time and in bucket order, as that contract requires.
// Limitations: the other replicas wait for replica 0's cross-process call
// (a reduce-scatter within the process first would split the cross-process
// work over the replicas, as NCCL's hierarchical rings do).
absl::Status HierarchicalAllReduce(GraphBuilder& b, GradientBucket& bucket,
                                   const std::vector<std::vector<Output>>& grads,
                                   std::span<const TensorShape> shapes,
                                   const ops::CollectiveOptions& local,
                                   const ops::CollectiveOptions& across,
                                   std::span<const std::string> devices,
                                   std::vector<Output>& previous,
                                   std::vector<std::vector<Output>>& reduced) {
  const int n = static_cast<int>(devices.size());
  Output global;  // replica 0's cross-process mean
  for (int i = 0; i < n; ++i) {
    std::optional<GraphBuilder::NameScope> scope;
    if (i > 0) scope.emplace(b, ReplicaScope(i));
    GraphBuilder::NameScope distribute(b, "distribute");
    GraphBuilder::DeviceScope on(b, devices[i]);
    std::vector<Output> bucket_grads;
    for (int j : bucket.variables) bucket_grads.push_back(grads[i][j]);
    const std::string name = absl::StrCat("allreduce_", local.instance_key);
    Output mean = ops::CollectiveAllReduce(FuseBucket(bucket_grads, name),
                                           ops::CollectiveReduction::kMean, local, name);
    if (previous[i].valid() && mean.valid()) b.AddControlDependency(previous[i], mean);
    previous[i] = mean;
    bucket.all_reduces.push_back(mean);
    if (i == 0) {
      global = ops::CollectiveAllReduce(mean, ops::CollectiveReduction::kMean, across,
                                        absl::StrCat("across_processes_", across.instance_key));
      previous[0] = global;
      reduced[0] = SplitBucket(global, shapes);
      continue;
    }
    // Replica 0's result, copied here once; after this replica's own
    // in-process participant, which nothing else consumes (a step prunes
    // what its targets do not need).
    Output here = ops::Identity(global, absl::StrCat("across_processes_", across.instance_key));
    if (mean.valid() && here.valid()) b.AddControlDependency(mean, here);
    reduced[i] = SplitBucket(here, shapes);
  }
  return ForReplica(b.status(), kStrategy, 0, devices[0]);
}

}  // namespace

MirroredStrategy::MirroredStrategy(std::vector<std::string> devices, MirroredOptions options)
    : devices_(std::move(devices)), options_(std::move(options)) {}

absl::StatusOr<DistributedModel> MirroredStrategy::Build(GraphBuilder& b,
                                                         std::span<const GlobalFeed> feeds,
                                                         const ModelFn& model_fn,
                                                         const OptimizerOptions& optimizer) const {
  RETURN_IF_ERROR(CheckDevices(devices_, kStrategy));
  const int n = static_cast<int>(devices_.size());
  CollectivePlan plan(options_.collectives, n);
  RETURN_IF_ERROR(plan.Validate());
  MirroredPolicy policy;
  ASSIGN_OR_RETURN(BuiltReplicas built, BuildReplicas(b, devices_, feeds, options_.input_device,
                                                      model_fn, policy, kStrategy));
  for (int i = 1; i < n; ++i) {
    RETURN_IF_ERROR(ForReplica(CheckMirrored(built.replicas, i), kStrategy, i, devices_[i]));
  }
  DistributedModel m;
  m.devices = devices_;
  m.feeds = built.feeds;
  m.replicas = std::move(built.replicas);

  // Each replica's gradients, on its device (gradient nodes follow their
  // forward nodes).
  std::vector<std::vector<Output>> grads(n);
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<std::vector<Output>> g =
        AddVariableGradients(m.replicas[i].loss, m.replicas[i].variables);
    RETURN_IF_ERROR(ForReplica(g.status(), kStrategy, i, devices_[i]));
    grads[i] = *std::move(g);
  }

  // Buckets from the last variable to the first, one all-reduce each, the
  // collectives of a device chained in bucket order (docs/collectives.md,
  // "Order": unordered collectives on a one-thread device can deadlock).
  const std::vector<Variable>& vars0 = m.replicas[0].variables;
  std::vector<int64_t> bytes;
  std::vector<TensorShape> shapes;
  for (const Variable& v : vars0) {
    shapes.push_back(*v.shape().ToTensorShape());
    bytes.push_back(shapes.back().num_elements() * static_cast<int64_t>(sizeof(float)));
  }
  m.gradients = grads;
  m.buckets = PlanBuckets(bytes, options_.bucket_bytes, options_.unfused_bytes);
  std::vector<std::vector<Output>> averaged(n, std::vector<Output>(vars0.size()));
  std::vector<Output> previous(n);
  std::optional<CollectivePlan> across;
  if (options_.across_processes.has_value()) {
    across.emplace(*options_.across_processes, 1);
    RETURN_IF_ERROR(across->Validate());
  }
  for (GradientBucket& bucket : m.buckets) {
    const ops::CollectiveOptions keys = plan.Next();
    bucket.instance_key = keys.instance_key;
    std::vector<TensorShape> bucket_shapes;
    for (int j : bucket.variables) bucket_shapes.push_back(shapes[j]);
    std::vector<std::vector<Output>> reduced(n);
    if (across.has_value()) {
      RETURN_IF_ERROR(HierarchicalAllReduce(b, bucket, grads, bucket_shapes, keys, across->Next(),
                                            devices_, previous, reduced));
    }
    for (int i = 0; i < n && !across.has_value(); ++i) {
      std::optional<GraphBuilder::NameScope> scope;
      if (i > 0) scope.emplace(b, ReplicaScope(i));
      GraphBuilder::NameScope distribute(b, "distribute");
      GraphBuilder::DeviceScope on(b, devices_[i]);
      std::vector<Output> bucket_grads;
      for (int j : bucket.variables) bucket_grads.push_back(grads[i][j]);
      Output all_reduce;
      absl::StatusOr<std::vector<Output>> r =
          AllReduceBucket(b, bucket_grads, bucket_shapes, keys, previous[i], &all_reduce);
      RETURN_IF_ERROR(ForReplica(r.status(), kStrategy, i, devices_[i]));
      reduced[i] = *std::move(r);
      bucket.all_reduces.push_back(all_reduce);
      previous[i] = all_reduce;
    }
    for (int i = 0; i < n; ++i) {
      for (size_t k = 0; k < bucket.variables.size(); ++k) {
        averaged[i][bucket.variables[k]] = reduced[i][k];
      }
    }
  }

  // The same update on every replica.
  std::vector<Output> updates;
  for (int i = 0; i < n; ++i) {
    GraphBuilder::DeviceScope on(b, devices_[i]);
    absl::StatusOr<Output> update =
        ApplyGradients(optimizer, m.replicas[i].variables, averaged[i],
                       i == 0 ? std::string("update") : absl::StrCat(ReplicaScope(i), "/update"));
    RETURN_IF_ERROR(ForReplica(update.status(), kStrategy, i, devices_[i]));
    updates.push_back(*update);
  }
  m.loss = MeanLoss(b, m.replicas, devices_[0]);
  m.train = b.Group(updates, "train");
  for (size_t j = 0; j < vars0.size(); ++j) {
    MirroredVariable group{vars0[j].name(), {}};
    for (const ReplicaModel& r : m.replicas) group.replicas.push_back(r.variables[j]);
    m.variables.push_back(std::move(group));
  }
  RETURN_IF_ERROR(b.status());
  return m;
}

}  // namespace graphrt::distribute
