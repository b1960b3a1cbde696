// The distribution-strategy plumbing both Fashion-MNIST training examples
// share (fashion_mnist_mlp, fashion_mnist_cnn; docs/distribute.md): the
// replicas' devices, a model function built under the strategy named by
// --strategy, and, for --strategy multi_worker, joining the cluster of
// GRAPHRT_CONFIG. Each example keeps its own model function and trainer.
//
//   ASSIGN_OR_RETURN(auto devices, StrategyDevices(flags.devices, runtime));
//   ASSIGN_OR_RETURN(StrategyModel m, BuildUnderStrategy(b, placement, feeds, fn, sgd));
//   if (m.sync_initial.valid()) session->Run({}, {}, {m.sync_initial});  // once
//
// Thread-safety: like GraphBuilder (one thread); JoinCluster from main() only.
#ifndef GRAPHRT_EXAMPLES_COMMON_STRATEGY_H_
#define GRAPHRT_EXAMPLES_COMMON_STRATEGY_H_

#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/builder.h"
#include "core/graph/distribute/strategy.h"
#include "core/graph/optimizers.h"

namespace graphrt::examples {

// Which strategy, over what. The examples' option structs carry these fields.
struct StrategyPlacement {
  std::string strategy;  // "mirrored", "central" or "multi_worker"
  // One replica per device (StrategyDevices gives them); under
  // multi_worker this worker's (every worker needs as many; empty: one
  // replica, on /cpu:0).
  std::vector<std::string> devices;
  int num_workers = 1;   // multi_worker: ClusterSpec::num_tasks()
  int worker_index = 0;  // multi_worker: ClusterSpec::rank(); the chief is 0
};

struct StrategyModel {
  distribute::DistributedModel model;
  // multi_worker: the target that sets every variable to the chief's value;
  // every worker runs it once before its first step. Otherwise invalid.
  Output sync_initial;
  int num_workers = 1;
  int worker_index = 0;

  // OK when a global batch of `batch` examples splits evenly over the
  // workers and then over the replicas; otherwise INVALID_ARGUMENT naming
  // the batch, the worker or replica count and the nearest multiples.
  absl::Status CheckGlobalBatch(int64_t batch) const;
};

// `requested` checked against `runtime`'s logical devices, or, when empty,
// DefaultStrategyDevices of them (runtime null: a runtime of one CPU).
absl::StatusOr<std::vector<std::string>> StrategyDevices(std::span<const std::string> requested,
                                                         Runtime* runtime);

// The replicas' devices for `strategy`: StrategyDevices of `requested`,
// except under multi_worker with none requested: empty (one replica per
// worker, on /cpu:0), not every logical CPU.
absl::StatusOr<std::vector<std::string>> ReplicaDevices(absl::string_view strategy,
                                                        std::span<const std::string> requested,
                                                        Runtime* runtime);

// `model_fn` under MirroredStrategy, CentralStorageStrategy (variables on
// /cpu:0) or MultiWorkerMirroredStrategy; INVALID_ARGUMENT for another name.
absl::StatusOr<StrategyModel> BuildUnderStrategy(GraphBuilder& b,
                                                 const StrategyPlacement& placement,
                                                 std::span<const distribute::GlobalFeed> feeds,
                                                 const distribute::ModelFn& model_fn,
                                                 const OptimizerOptions& optimizer);

// --strategy multi_worker: the cluster in GRAPHRT_CONFIG. Sets `placement`'s
// worker count and rank and gives `options` a runtime whose CPU devices
// carry the cluster's communicator (threads from `options`, and as many
// logical CPU devices as `options`' runtime had). Errors: no
// GRAPHRT_CONFIG (saying how `example` is started with
// scripts/launch-workers), a bad config, a build without Gloo.
absl::Status JoinCluster(absl::string_view example, StrategyPlacement& placement,
                         SessionOptions& options);

}  // namespace graphrt::examples

#endif  // GRAPHRT_EXAMPLES_COMMON_STRATEGY_H_
