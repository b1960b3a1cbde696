// MultiWorkerMirroredStrategy: MirroredStrategy over this worker's devices
// with gradient averages that span the cluster, and a broadcast of the
// chief's initial values.
#include "core/graph/distribute/multi_worker_strategy.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/ops/collective_ops.h"

namespace graphrt::distribute {

MultiWorkerMirroredStrategy::MultiWorkerMirroredStrategy(MultiWorkerOptions options)
    : options_(std::move(options)) {}

absl::StatusOr<std::pair<int64_t, int64_t>> MultiWorkerModel::Shard(int64_t global_batch) const {
  const int64_t w = num_workers;
  const int64_t all = w * std::max(1, local_replicas);
  if (global_batch < all || global_batch % all != 0) {
    const int64_t below = global_batch / all * all;
    const std::string over =
        all == w ? absl::StrCat(w, " workers")
                 : absl::StrCat(w, " workers x ", local_replicas, " replicas");
    return absl::InvalidArgumentError(absl::StrCat(
        "a global batch of ", global_batch, " examples does not split evenly over ", over,
        ": use a multiple of ", all, " (",
        below > 0 ? absl::StrCat(below, " or ") : std::string(), below + all,
        "), e.g. drop the last partial batch"));
  }
  const int64_t per = global_batch / w;
  return std::make_pair(worker_index * per, (worker_index + 1) * per);
}

// Note [Multi-worker initial values]
// Rationale: workers apply equal updates, so they stay equal only if they
// start equal. A fixed seed gives equal values when every worker runs the
// same binary, but not across builds whose initialisers differ (another
// compiler, libm or graphrt version on another machine), nor after a worker
// restores an older checkpoint. Approach: both. The model function draws
// from a fixed seed (MirroredStrategy's rule, checked within a worker), and
// `sync_initial` sends the chief's value of every variable to the others:
// one CollectiveBcastSendV2 on the chief, one CollectiveBcastRecvV2 + Assign
// on every other worker, per variable, chained in variable order (the
// cluster collectives of a process run one at a time and in the same order
// on every task), in a GraphBuilder::UnorderedResourceScope so that they
// stay out of the training step's automatic resource ordering. Cost: one
// broadcast of the model's bytes, once (the MLP's 318 KB: milliseconds).
// A worker with several replicas receives on its first one and assigns the
// value to the others too (the chief as well, so that they follow a chief
// restored from a checkpoint).
// Limitations: optimizer slots are not broadcast
// (they start at zero on every worker); run it after restoring a checkpoint
// on the chief only, and every worker continues from the chief's values.
absl::StatusOr<MultiWorkerModel> MultiWorkerMirroredStrategy::Build(
    GraphBuilder& b, std::span<const GlobalFeed> feeds, const ModelFn& model_fn,
    const OptimizerOptions& optimizer) const {
  const MultiWorkerOptions& o = options_;
  if (o.num_workers < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "MultiWorkerMirroredStrategy: num_workers is ", o.num_workers,
        "; give the cluster's task count (ClusterSpec::num_tasks())"));
  }
  if (o.worker_index < 0 || o.worker_index >= o.num_workers) {
    return absl::InvalidArgumentError(absl::StrCat(
        "MultiWorkerMirroredStrategy: worker_index is ", o.worker_index, " but the cluster has ",
        o.num_workers, " worker(s) (indices 0..", o.num_workers - 1,
        "); give this task's rank (ClusterSpec::rank())"));
  }
  const std::vector<std::string> devices =
      o.devices.empty() ? std::vector<std::string>{o.device} : o.devices;
  // Across the workers: one participant per worker.
  CollectiveGroupOptions cluster = o.mirrored.collectives;
  cluster.group_size = o.num_workers;
  cluster.communication_hint = kClusterCommunicationHint;
  MirroredOptions mirrored = o.mirrored;
  if (devices.size() == 1) {
    mirrored.collectives = cluster;
  } else {  // in-process first (Note [Hierarchical all-reduce])
    mirrored.collectives.group_size = 0;
    mirrored.collectives.communication_hint = "auto";
    mirrored.across_processes = cluster;
  }
  MultiWorkerModel result;
  result.num_workers = o.num_workers;
  result.worker_index = o.worker_index;
  result.local_replicas = static_cast<int>(devices.size());

  ASSIGN_OR_RETURN(result.model,
                   MirroredStrategy(devices, mirrored).Build(b, feeds, model_fn, optimizer));
  if (!o.broadcast_initial_values) return result;

  // The buckets' cross-worker all-reduces used first_instance_key .. +
  // buckets - 1: the broadcasts follow, the same keys on every worker
  // (every worker builds the same buckets from the same variables).
  CollectiveGroupOptions broadcasts = cluster;
  broadcasts.first_instance_key += static_cast<int32_t>(result.model.buckets.size());
  CollectivePlan plan(broadcasts, /*local_participants=*/1);
  RETURN_IF_ERROR(plan.Validate());
  // Its own step: not ordered after the training step's updates (which
  // would need the feeds, and make every step broadcast), nor before them.
  GraphBuilder::UnorderedResourceScope unordered(b);
  GraphBuilder::NameScope scope(b, "sync_initial");
  std::vector<Output> done;
  Output previous;
  for (const MirroredVariable& group : result.model.variables) {
    const Variable& v = group.replicas[0];
    const ops::CollectiveOptions keys = plan.Next();
    const std::string name = absl::StrCat("broadcast_", keys.instance_key);
    Output step, value;
    {
      GraphBuilder::DeviceScope on(b, devices[0]);
      if (result.is_chief()) {
        value = v.Read();
        step = ops::CollectiveBroadcastSend(value, keys, name);
        if (previous.valid() && step.valid()) b.AddControlDependency(previous, step);
      } else {
        const TensorShape shape = *v.shape().ToTensorShape();
        value = ops::CollectiveBroadcastRecv(b, DataType::kFloat32, shape, keys, name);
        if (previous.valid() && value.valid()) b.AddControlDependency(previous, value);
        step = v.Assign(value);
      }
    }
    previous = step;
    done.push_back(step);
    // This worker's other replicas take the same value from the first one.
    for (size_t i = 1; i < group.replicas.size(); ++i) {
      GraphBuilder::DeviceScope on(b, devices[i]);
      done.push_back(group.replicas[i].Assign(value));
    }
  }
  result.sync_initial = b.Group(done, "group");
  RETURN_IF_ERROR(b.status());
  return result;
}

}  // namespace graphrt::distribute
