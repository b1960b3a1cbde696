#include "examples/common/strategy.h"

#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/cluster_spec.h"
#include "core/graph/distribute/multi_worker_strategy.h"
#ifdef GRAPHRT_HAVE_GLOO
#include "core/executor/gloo/gloo_communicator.h"
#endif

namespace graphrt::examples {

absl::Status StrategyModel::CheckGlobalBatch(int64_t batch) const {
  if (num_workers > 1) {
    distribute::MultiWorkerModel cluster;
    cluster.num_workers = num_workers;
    cluster.worker_index = worker_index;
    cluster.local_replicas = model.num_replicas();
    RETURN_IF_ERROR(cluster.Shard(batch).status());
  }
  return model.CheckGlobalBatch(batch / num_workers);
}

absl::StatusOr<std::vector<std::string>> StrategyDevices(std::span<const std::string> requested,
                                                         Runtime* runtime) {
  std::vector<std::string> names;
  if (runtime == nullptr) {
    names.push_back("/job:localhost/replica:0/task:0/device:CPU:0");
  } else {
    for (const DeviceAttributes& d : runtime->ListLogicalDevices()) names.push_back(d.name);
  }
  if (requested.empty()) return distribute::DefaultStrategyDevices(names);
  RETURN_IF_ERROR(distribute::CheckDevicesExist(requested, names));
  return std::vector<std::string>(requested.begin(), requested.end());
}

absl::StatusOr<std::vector<std::string>> ReplicaDevices(absl::string_view strategy,
                                                        std::span<const std::string> requested,
                                                        Runtime* runtime) {
  if (strategy == "multi_worker" && requested.empty()) return std::vector<std::string>{};
  return StrategyDevices(requested, runtime);
}

absl::StatusOr<StrategyModel> BuildUnderStrategy(GraphBuilder& b,
                                                 const StrategyPlacement& placement,
                                                 std::span<const distribute::GlobalFeed> feeds,
                                                 const distribute::ModelFn& model_fn,
                                                 const OptimizerOptions& optimizer) {
  StrategyModel m;
  std::vector<std::string> devices = placement.devices;
  absl::StatusOr<distribute::DistributedModel> dm;
  if (placement.strategy == "multi_worker") {
    distribute::MultiWorkerOptions mw;
    mw.num_workers = placement.num_workers;
    mw.worker_index = placement.worker_index;
    mw.devices = devices;
    ASSIGN_OR_RETURN(distribute::MultiWorkerModel built,
                     distribute::MultiWorkerMirroredStrategy(mw).Build(b, feeds, model_fn,
                                                                       optimizer));
    m.sync_initial = built.sync_initial;
    m.num_workers = built.num_workers;
    m.worker_index = built.worker_index;
    dm = std::move(built.model);
  } else if (placement.strategy == "mirrored") {
    dm = distribute::MirroredStrategy(devices).Build(b, feeds, model_fn, optimizer);
  } else if (placement.strategy == "central") {
    dm = distribute::CentralStorageStrategy(devices).Build(b, feeds, model_fn, optimizer);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown strategy '", placement.strategy, "'; use mirrored, central or multi_worker"));
  }
  RETURN_IF_ERROR(dm.status());
  m.model = *std::move(dm);
  return m;
}

absl::Status JoinCluster(absl::string_view example, StrategyPlacement& placement,
                         SessionOptions& options) {
  ASSIGN_OR_RETURN(std::optional<ClusterSpec> spec, ClusterSpecFromEnv());
  if (!spec.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--strategy multi_worker needs GRAPHRT_CONFIG (the cluster and this task, "
        "docs/distribute.md); start the workers with scripts/launch-workers N -- ",
        example, " --strategy multi_worker ..."));
  }
#ifdef GRAPHRT_HAVE_GLOO
  ASSIGN_OR_RETURN(std::shared_ptr<CollectiveCommunicator> comm, CreateGlooCommunicator(*spec));
  RuntimeOptions ro{options.inter_op_threads, options.intra_op_threads, nullptr};
  ro.communicator = std::move(comm);
  // The communicator is fixed when a runtime is made: a new runtime, split
  // into as many logical CPU devices as the one it replaces (--cpu-devices).
  const size_t cpus =
      options.runtime == nullptr ? 1 : options.runtime->ListLogicalDevices("CPU").size();
  options.runtime = Runtime::Create(ro);
  if (cpus > 1) {
    RETURN_IF_ERROR(options.runtime->SetLogicalDeviceConfiguration(
        options.runtime->ListPhysicalDevices("CPU")[0],
        std::vector<LogicalDeviceConfiguration>(cpus)));
  }
  placement.num_workers = spec->num_tasks();
  placement.worker_index = spec->rank();
  return absl::OkStatus();
#else
  (void)placement, (void)options;
  return absl::FailedPreconditionError(
      "--strategy multi_worker: this build has no cross-process collectives (Gloo not found "
      "at configure time: install libgloo-dev, scripts/install-deps, and reconfigure)");
#endif
}

}  // namespace graphrt::examples
