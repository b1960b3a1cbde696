// What every strategy shares: feeds and their split, the replica loop, the
// checks on what the model function returns.
#include "core/graph/distribute/replicas.h"

#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/indexing_ops.h"
#include "core/graph/ops/math_ops.h"

namespace graphrt::distribute {
namespace {

absl::Status CheckFeedShape(const GlobalFeed& feed, absl::string_view strategy) {
  const PartialShape& s = feed.shape;
  if (!s.known_rank() || s.rank() < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        strategy, ": global feed '", feed.name, "' has shape ", s.DebugString(),
        "; it needs a batch dim first (rank >= 1), e.g. [-1, 784]"));
  }
  for (int d = 1; d < s.rank(); ++d) {
    if (s.dim(d) < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          strategy, ": global feed '", feed.name, "' has shape ", s.DebugString(),
          "; every dim after the batch dim must be known (the batch is split by reshaping "
          "to [replicas, -1, ...])"));
    }
  }
  return absl::OkStatus();
}

// Replica i's slices of the global feed x: x reshaped to [n, -1, dims...]
// (on the input device), then row i of it, on replica i's device. n == 1:
// x itself. Note [Slices on the replicas' devices]: a slice made on the
// input device for another replica would wait there behind replica 0's
// work; if that device has one inter-op thread and replica 0 reaches its
// all-reduce first, the thread blocks in the collective and the peer never
// gets its slice (until the timeout). Cut on the replica's own device, every
// replica's input leaves the input device as soon as the Reshape has run
// (the partitioner's copies run on the consumer's device).
std::vector<Output> SplitFeed(GraphBuilder& b, Output x, const GlobalFeed& feed,
                              std::span<const std::string> devices) {
  const int n = static_cast<int>(devices.size());
  if (n == 1) return {x};
  std::vector<int64_t> dims = {n, -1};
  for (int d = 1; d < feed.shape.rank(); ++d) dims.push_back(feed.shape.dim(d));
  // The name says what failed if an indivisible batch reaches the graph
  // unchecked (Note [Where the batch is checked]).
  Output rows = ops::Reshape(x, dims, absl::StrCat(feed.name, "_split_into_", n, "_replicas"));
  std::vector<Output> slices;
  for (int i = 0; i < n; ++i) {
    GraphBuilder::DeviceScope on(b, devices[i]);
    StridedSliceAttrs row;
    row.begin = {i};
    row.end = {i + 1};
    row.strides = {1};
    row.shrink_axis_mask = 1;
    slices.push_back(ops::StridedSlice(rows, row, absl::StrCat(feed.name, "_replica_", i)));
  }
  return slices;
}

absl::Status CheckReplica(const ReplicaModel& model, const ReplicaModel& first, int replica) {
  if (!model.loss.valid()) return absl::InvalidArgumentError("the model function's loss is invalid");
  if (model.loss.dtype() != DataType::kFloat32 ||
      (model.loss.shape().known_rank() && model.loss.shape().rank() != 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the loss ", model.loss.name(), " is ", DataTypeName(model.loss.dtype()),
        model.loss.shape().DebugString(), "; it must be a float32 scalar (the mean over the "
        "replica's slice)"));
  }
  if (model.variables.empty()) {
    return absl::InvalidArgumentError("the model function returned no variables to train");
  }
  if (model.variables.size() != first.variables.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "it returned ", model.variables.size(), " variables, replica 0 returned ",
        first.variables.size(), "; every replica must return the same variables"));
  }
  for (size_t j = 0; j < model.variables.size(); ++j) {
    const Variable& v = model.variables[j];
    const Variable& v0 = first.variables[j];
    if (!v.handle().valid()) {
      return absl::InvalidArgumentError(absl::StrCat("variable ", j, " is invalid"));
    }
    if (v.dtype() != DataType::kFloat32 || !v.shape().fully_defined()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "variable '", v.name(), "' is ", DataTypeName(v.dtype()), v.shape().DebugString(),
          "; only float32 variables of known shape can be trained"));
    }
    if (replica > 0 && !(v.shape() == v0.shape())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "variable ", j, " '", v.name(), "' has shape ", v.shape().DebugString(),
          ", replica 0's '", v0.name(), "' has ", v0.shape().DebugString()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string ReplicaScope(int replica) {
  return replica == 0 ? std::string() : absl::StrCat("replica_", replica);
}

absl::Status ForReplica(const absl::Status& status, absl::string_view strategy, int replica,
                        absl::string_view device) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(strategy, ": replica ", replica, " (device ",
                                                  device, "): ", status.message()));
}

absl::Status CheckDevices(std::span<const std::string> devices, absl::string_view strategy) {
  if (devices.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        strategy, ": the device list is empty; name at least one device (\"/cpu:0\"), or take "
        "DefaultStrategyDevices(runtime's device names)"));
  }
  absl::flat_hash_set<std::string> seen;
  for (const std::string& d : devices) {
    if (d.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(strategy, ": an empty device name in [",
                                                     absl::StrJoin(devices, ", "), "]"));
    }
    if (!seen.insert(d).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          strategy, ": device '", d, "' is named twice in [", absl::StrJoin(devices, ", "),
          "]; one replica per device"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<BuiltReplicas> BuildReplicas(GraphBuilder& b, std::span<const std::string> devices,
                                            std::span<const GlobalFeed> feeds,
                                            const std::string& input_device,
                                            const ModelFn& model_fn, VariablePolicy& policy,
                                            absl::string_view strategy) {
  RETURN_IF_ERROR(b.status());
  if (!model_fn) return absl::InvalidArgumentError(absl::StrCat(strategy, ": no model function"));
  const int n = static_cast<int>(devices.size());
  BuiltReplicas built;
  std::vector<std::vector<Output>> inputs(n);
  {
    std::optional<GraphBuilder::DeviceScope> on;
    if (!input_device.empty()) on.emplace(b, input_device);
    for (const GlobalFeed& feed : feeds) {
      RETURN_IF_ERROR(CheckFeedShape(feed, strategy));
      Output x = b.Placeholder(feed.dtype, feed.shape, feed.name);
      built.feeds.push_back(x);
      std::vector<Output> slices = SplitFeed(b, x, feed, devices);
      for (int i = 0; i < n; ++i) inputs[i].push_back(slices[i]);
    }
    RETURN_IF_ERROR(b.status());
  }
  for (int i = 0; i < n; ++i) {
    std::optional<GraphBuilder::NameScope> scope;
    if (i > 0) scope.emplace(b, ReplicaScope(i));
    GraphBuilder::DeviceScope on(b, devices[i]);
    ReplicaContext context;
    context.replica_id = i;
    context.num_replicas = n;
    context.device = devices[i];
    context.builder = &b;
    context.policy = &policy;
    absl::StatusOr<ReplicaModel> model = model_fn(b, context, inputs[i]);
    absl::Status status = model.status();
    if (status.ok()) status = policy.status();
    if (status.ok()) status = b.status();
    if (status.ok()) status = CheckReplica(*model, i == 0 ? *model : built.replicas[0], i);
    RETURN_IF_ERROR(ForReplica(status, strategy, i, devices[i]));
    built.replicas.push_back(*std::move(model));
  }
  return built;
}

Output MeanLoss(GraphBuilder& b, const std::vector<ReplicaModel>& replicas,
                const std::string& device) {
  GraphBuilder::DeviceScope on(b, device);
  if (replicas.size() == 1) return ops::Identity(replicas[0].loss, "mean_loss");
  std::vector<Output> losses;
  for (const ReplicaModel& r : replicas) losses.push_back(r.loss);
  return ops::Mul(ops::AddN(losses, "sum_of_losses"),
                  b.Scalar<float>(1.0f / static_cast<float>(replicas.size()), "one_over_replicas"),
                  "mean_loss");
}

}  // namespace graphrt::distribute
