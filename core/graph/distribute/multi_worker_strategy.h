// MultiWorkerMirroredStrategy: MirroredStrategy across the processes
// (tasks) of a cluster, on the cross-process collectives (communication_hint
// "cluster": Gloo, docs/collectives.md "Across processes"). Each worker
// builds one local replica per device of `devices` (default one, /cpu:0);
// every bucket of gradients is averaged over all of them (with one local
// replica, one all-reduce across the workers; with several, in-process
// first, then across the workers by the first replica: Note [Hierarchical
// all-reduce] in mirrored_strategy.cc), and every replica applies the same
// averaged update, so the variables stay equal across workers. Workers may
// have different numbers of devices: each averages its own shard (B/W
// examples) over its replicas, so every worker's mean weighs the same.
// docs/distribute.md, "Multi-worker".
//
//   ASSIGN_OR_RETURN(std::optional<ClusterSpec> spec, ClusterSpecFromEnv());
//   MultiWorkerOptions o;
//   o.num_workers = spec->num_tasks();
//   o.worker_index = spec->rank();      // the chief is rank 0
//   ASSIGN_OR_RETURN(MultiWorkerModel m,
//                    MultiWorkerMirroredStrategy(o).Build(b, feeds, model_fn, sgd));
//   // session: RuntimeOptions::communicator = CreateGlooCommunicator(*spec)
//   session->Run({}, {}, {m.sync_initial});             // once, on every worker
//   ASSIGN_OR_RETURN(auto shard, m.Shard(global_batch)); // [begin, end)
//   session->Run({{m.model.feeds[0], images[shard]}, ...}, {m.model.loss}, {m.model.train});
//
// The feeds of `model` take this worker's shard of each global batch (B/W
// examples of a global batch of B over W workers, split again over its
// replicas); the mean over every replica makes the step the one a single
// process takes on the whole batch.
// Every worker must build the same graph (same model function, options and
// feeds) and run the same steps: the k-th collective of every worker shares
// its instance key (collective_plan.h).
//
// Initial values (Note [Multi-worker initial values] in the .cc): the model
// function must draw them from a fixed seed, as under MirroredStrategy; in
// addition, `sync_initial` broadcasts the chief's values to every worker.
//
// Who writes: only the chief (is_chief()) should write checkpoints, logs and
// metrics; the strategy itself writes nothing.
//
// Errors: INVALID_ARGUMENT for num_workers < 1, a worker_index outside
// [0, num_workers), and whatever MirroredStrategy::Build refuses (a device
// named twice, ...). A peer that
// dies or never joins fails the step in the communicator, with a status
// naming the missing task, after the cluster's timeout at the latest.
//
// Thread-safety: like GraphBuilder (one thread per builder). A strategy
// object is immutable.
#ifndef GRAPHRT_CORE_GRAPH_DISTRIBUTE_MULTI_WORKER_STRATEGY_H_
#define GRAPHRT_CORE_GRAPH_DISTRIBUTE_MULTI_WORKER_STRATEGY_H_

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/distribute/strategy.h"

namespace graphrt::distribute {

// The communication_hint of the cross-process collectives (one participant
// per process, through RuntimeOptions::communicator).
inline constexpr char kClusterCommunicationHint[] = "cluster";

// MirroredOptions' defaults, but every gradient fused (unfused_bytes 0).
inline MirroredOptions ClusterMirroredOptions() {
  MirroredOptions o;
  o.unfused_bytes = 0;
  return o;
}

struct MultiWorkerOptions {
  // Tasks of the cluster (ClusterSpec::num_tasks()) and this one's rank
  // (ClusterSpec::rank(): the chief, when named, is 0, then the workers).
  int num_workers = 1;
  int worker_index = 0;
  // This worker's replicas, one per device; empty: one, on `device`.
  std::vector<std::string> devices;
  std::string device = "/cpu:0";
  // Buckets, group key, first instance key, timeout and input device as
  // under MirroredStrategy. collectives.group_size and .communication_hint
  // are set by the strategy (num_workers, kClusterCommunicationHint).
  // Every gradient is fused (unfused_bytes 0): across processes an
  // all-reduce call costs a round trip, more than copying into a bucket.
  MirroredOptions mirrored = ClusterMirroredOptions();
  // Build `sync_initial` (one broadcast per variable from the chief). The
  // gradient buckets take instance keys first_instance_key .. + buckets - 1,
  // the broadcasts the next ones, one per variable.
  bool broadcast_initial_values = true;
};

struct MultiWorkerModel {
  // This worker's replica: feeds take its shard, `train` is one synchronous
  // step of every worker, `loss` is this worker's loss on its shard.
  DistributedModel model;
  // Target: every variable set to the chief's value (a broadcast per
  // variable). Run it once on every worker, before the first step, like a
  // collective: a worker that does not run it stalls the others. Invalid
  // when broadcast_initial_values is false.
  Output sync_initial;
  int num_workers = 1;
  int worker_index = 0;
  int local_replicas = 1;  // this worker's replicas (others may have more or fewer)

  bool is_chief() const { return worker_index == 0; }
  // [begin, end) of this worker's rows in a global batch of `global_batch`
  // examples: [i*B/W, (i+1)*B/W). INVALID_ARGUMENT when B is not a multiple
  // of W * local_replicas, naming both and the nearest multiples.
  absl::StatusOr<std::pair<int64_t, int64_t>> Shard(int64_t global_batch) const;
};

class MultiWorkerMirroredStrategy {
 public:
  explicit MultiWorkerMirroredStrategy(MultiWorkerOptions options);
  absl::StatusOr<MultiWorkerModel> Build(GraphBuilder& b, std::span<const GlobalFeed> feeds,
                                         const ModelFn& model_fn,
                                         const OptimizerOptions& optimizer) const;
  const MultiWorkerOptions& options() const { return options_; }

 private:
  MultiWorkerOptions options_;
};

}  // namespace graphrt::distribute

#endif  // GRAPHRT_CORE_GRAPH_DISTRIBUTE_MULTI_WORKER_STRATEGY_H_
