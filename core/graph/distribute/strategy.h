// In-process distribution strategies: one model function built once per
// device, the global batch split across the replicas inside the graph, and
// a synchronous update of every variable each step (TF's
// tf.distribute.MirroredStrategy and CentralStorageStrategy, as graph
// builders). docs/distribute.md says what exists, how buckets are formed and
// what the limits are.
//
//   std::vector<std::string> devices = DefaultStrategyDevices(device_names);
//   MirroredStrategy mirrored(devices);
//   ASSIGN_OR_RETURN(DistributedModel m, mirrored.Build(b, feeds, model_fn, SgdOptions{0.01f}));
//   RETURN_IF_ERROR(m.CheckGlobalBatch(images.dim(0)));        // before each Session::Run
//   session->Run({{m.feeds[0], images}, {m.feeds[1], labels}}, {m.loss}, {m.train});
//
// The model function builds ONE replica from its slices of the global feeds
// and returns its loss (the mean over its slice) and the variables to train.
// It makes variables with ReplicaContext::NewVariable and reads them with
// ReplicaContext::Read, so that the strategy decides where they live:
//   MirroredStrategy        every replica has its own copy of every variable,
//                           on its device; gradients are averaged with
//                           CollectiveAllReduce (kMean) in buckets
//                           (core/graph/distribute/buckets.h) and every
//                           replica applies the same update.
//   CentralStorageStrategy  one copy of every variable on a parameter device;
//                           the replicas read it there (the partitioner
//                           copies the values to them) and send their
//                           gradients back; they are averaged (AddN, times
//                           1/N) and applied once, on the parameter device.
// Replica 0's nodes keep the model function's own names ("dense/w"); replica
// i > 0 builds under the name scope "replica_<i>", so replica 0's variables
// have the names a single-device model has (checkpoints stay compatible).
//
// Errors (INVALID_ARGUMENT unless the model function's own): an empty
// device list or a device named twice; a global feed without a known rank
// >= 1 or with an unknown dim after the batch dim; a model function's error,
// prefixed with the replica and device; replicas that disagree on their
// variables (count, dtype, shape, or initial value under MirroredStrategy).
// A device the runtime does not have is the placer's error, when the session
// is made under strict placement, naming the node and the devices that
// exist; under soft placement it falls back silently, so check the list
// first with CheckDevicesExist.
//
// Thread-safety: like GraphBuilder (one thread per builder). A strategy
// object is immutable and may build many models.
#ifndef GRAPHRT_CORE_GRAPH_DISTRIBUTE_STRATEGY_H_
#define GRAPHRT_CORE_GRAPH_DISTRIBUTE_STRATEGY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/builder.h"
#include "core/graph/distribute/buckets.h"
#include "core/graph/distribute/collective_plan.h"
#include "core/graph/optimizers.h"

namespace graphrt::distribute {

// A feed of the whole global batch: dim 0 is the batch (give -1), every
// other dim must be known (the split reshapes to [replicas, -1, ...]).
struct GlobalFeed {
  std::string name;
  DataType dtype = DataType::kFloat32;
  PartialShape shape;
};

class VariablePolicy;  // how a strategy makes and reads variables (internal)

// What a model function sees of the replica it builds.
struct ReplicaContext {
  int replica_id = 0;
  int num_replicas = 1;
  std::string device;  // the replica's DeviceScope, already active
  // A variable of this replica: its own copy (mirrored; same name and
  // initial value in every replica) or the shared one (central storage: the
  // first replica makes it; replica i's k-th call gets replica 0's k-th
  // variable, and must ask for the same name).
  Variable NewVariable(absl::string_view name, Tensor initial_value) const;
  // A read of `v` for this replica's computation. Under central storage the
  // read runs on the parameter device: v.Read() here would ask the placer to
  // put it on this replica's device and conflict with the variable's.
  Output Read(const Variable& v, absl::string_view name = {}) const;

  // Set by the strategy (NewVariable and Read go through them).
  GraphBuilder* builder = nullptr;
  VariablePolicy* policy = nullptr;
};

// One replica, as the model function returns it.
struct ReplicaModel {
  Output loss;                      // float32 scalar: the mean loss over this replica's slice
  std::vector<Variable> variables;  // to train, in model order (first layer first)
  std::vector<Output> outputs;      // anything else to fetch per replica (may be empty)
};

// `inputs` are this replica's slices of the global feeds, in feed order.
using ModelFn = std::function<absl::StatusOr<ReplicaModel>(
    GraphBuilder& b, const ReplicaContext& context, std::span<const Output> inputs)>;

// One trained variable and its copy in every replica (mirrored), or its one
// copy (central storage). replicas[0] is the one to save: its name is the
// single-device name.
struct MirroredVariable {
  std::string name;
  std::vector<Variable> replicas;
};

struct DistributedModel {
  std::vector<std::string> devices;  // one replica per device, replica i on devices[i]
  std::vector<Output> feeds;         // the global placeholders, in GlobalFeed order
  Output loss;   // float32 scalar: the mean of the replicas' losses (no training)
  Output train;  // target: one synchronous step of every replica
  std::vector<ReplicaModel> replicas;
  std::vector<MirroredVariable> variables;  // in model order
  // [replica][variable]: each replica's own gradients, before averaging.
  std::vector<std::vector<Output>> gradients;
  // Mirrored: the gradient buckets, in the order their all-reduces run.
  // Central storage: empty.
  std::vector<GradientBucket> buckets;

  int num_replicas() const { return static_cast<int>(devices.size()); }
  // OK when a global batch of `batch` examples splits evenly; otherwise
  // INVALID_ARGUMENT naming the batch, the replica count and the fix. Call
  // it before Session::Run: see Note [Where the batch is checked].
  absl::Status CheckGlobalBatch(int64_t batch) const;
  // The same for a value fed to global feed `feed_index` (dim 0 is its batch).
  absl::Status CheckFeed(int feed_index, const Tensor& value) const;
};

struct MirroredOptions {
  // Gradients are fused into buckets of at most this many bytes, one
  // all-reduce each (a larger gradient is a bucket of its own); 0: one
  // all-reduce per gradient. 4 MiB: large enough that a bucket's all-reduce
  // is bandwidth-bound, small enough that the first buckets start while the
  // backward pass of the first layers still runs (docs/distribute.md).
  int64_t bucket_bytes = int64_t{4} << 20;
  // A gradient of at least this many bytes is all-reduced alone, sparing
  // the two copies that fusing makes of it (into the bucket, and cut back
  // out): within one process those copies cost more than the all-reduce
  // call they save (bench/RESULTS.md: the CNN's mirrored step 5% faster with
  // its large gradients alone). 0: every gradient is fused.
  // MultiWorkerOptions turns it off: a call across processes costs more.
  int64_t unfused_bytes = int64_t{64} << 10;
  // Keys, timeout and hint of every collective (collective_plan.h).
  CollectiveGroupOptions collectives;
  // Several replicas in each of several processes (MultiWorkerMirroredStrategy
  // sets it when a worker has more than one device): each bucket is then
  // averaged over this process's replicas in-process (`collectives`, whose
  // group is this process's replicas), across the processes by the first
  // replica alone (these options: one participant per process), and the
  // result read by the other replicas from the first one's device (Note
  // [Hierarchical all-reduce] in mirrored_strategy.cc). Every process's
  // mean weighs the same: give each process an equal share of the examples
  // (its replicas may be more or fewer than another's). Unset: `collectives`
  // alone.
  std::optional<CollectiveGroupOptions> across_processes;
  // Where the global feeds are placed and reshaped to [replicas, -1, ...]
  // ("": the placer's default device); each replica cuts its row on its own
  // device (Note [Slices on the replicas' devices] in replicas.cc).
  std::string input_device = "/cpu:0";
};

class MirroredStrategy {
 public:
  // `devices`: device requests as GraphBuilder::DeviceScope takes them
  // ("/cpu:1", "/gpu:0", full names). DefaultStrategyDevices picks them.
  explicit MirroredStrategy(std::vector<std::string> devices, MirroredOptions options = {});
  absl::StatusOr<DistributedModel> Build(GraphBuilder& b, std::span<const GlobalFeed> feeds,
                                         const ModelFn& model_fn,
                                         const OptimizerOptions& optimizer) const;
  const std::vector<std::string>& devices() const { return devices_; }

 private:
  std::vector<std::string> devices_;
  MirroredOptions options_;
};

struct CentralStorageOptions {
  // Where every variable lives and every update runs.
  std::string parameter_device = "/cpu:0";
  std::string input_device = "/cpu:0";  // as MirroredOptions::input_device
};

class CentralStorageStrategy {
 public:
  explicit CentralStorageStrategy(std::vector<std::string> devices,
                                  CentralStorageOptions options = {});
  absl::StatusOr<DistributedModel> Build(GraphBuilder& b, std::span<const GlobalFeed> feeds,
                                         const ModelFn& model_fn,
                                         const OptimizerOptions& optimizer) const;
  const std::vector<std::string>& devices() const { return devices_; }

 private:
  std::vector<std::string> devices_;
  CentralStorageOptions options_;
};

// The default replica devices among `device_names` (a runtime's logical
// devices, full names as Runtime::ListLogicalDevices gives them): every GPU,
// else every CPU, in the given order.
std::vector<std::string> DefaultStrategyDevices(std::span<const std::string> device_names);

// OK when every one of `devices` ("/cpu:1", "/gpu:0" or a full name) names
// one of `available` (full names); otherwise INVALID_ARGUMENT naming it and
// listing the available devices. Under soft placement a missing device
// silently falls back to the default one, so check before building.
absl::Status CheckDevicesExist(std::span<const std::string> devices,
                               std::span<const std::string> available);

}  // namespace graphrt::distribute

#endif  // GRAPHRT_CORE_GRAPH_DISTRIBUTE_STRATEGY_H_
