// The parts every strategy shares (internal to core/graph/distribute): the
// global feeds and their split, the loop that builds one replica per device
// through the model function, the checks on what the replicas return, and
// the VariablePolicy through which a strategy decides where variables live.
//
// Thread-safety: like GraphBuilder.
#ifndef GRAPHRT_CORE_GRAPH_DISTRIBUTE_REPLICAS_H_
#define GRAPHRT_CORE_GRAPH_DISTRIBUTE_REPLICAS_H_

#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/builder.h"
#include "core/graph/distribute/strategy.h"

namespace graphrt::distribute {

// How ReplicaContext::NewVariable and ::Read behave under one strategy.
class VariablePolicy {
 public:
  virtual ~VariablePolicy() = default;
  // Called in the replica's name and device scopes.
  virtual Variable NewVariable(GraphBuilder& b, int replica, absl::string_view name,
                               Tensor initial_value) = 0;
  virtual Output Read(GraphBuilder& b, int replica, const Variable& v,
                      absl::string_view name) = 0;
  // The first misuse seen (OK if none): reported after the model function.
  virtual absl::Status status() const { return absl::OkStatus(); }
};

// "" for replica 0 (single-device names), "replica_<i>" for the others.
std::string ReplicaScope(int replica);
// `status` with "<strategy>: replica <i> (device <d>): " before its message.
absl::Status ForReplica(const absl::Status& status, absl::string_view strategy, int replica,
                        absl::string_view device);

// INVALID_ARGUMENT for an empty list, an empty name or a device named twice.
absl::Status CheckDevices(std::span<const std::string> devices, absl::string_view strategy);

struct BuiltReplicas {
  std::vector<Output> feeds;           // the global placeholders
  std::vector<ReplicaModel> replicas;  // one per device
};

// The global placeholders, their even split over the devices (a Reshape on
// `input_device`, each replica's row cut on its own device), and one replica
// per device from `model_fn`, each in its
// device's DeviceScope and its ReplicaScope. Checks each replica's loss
// (a float32 scalar) and variables (as many as replica 0's, same dtypes and
// shapes, float32 with known shapes).
absl::StatusOr<BuiltReplicas> BuildReplicas(GraphBuilder& b, std::span<const std::string> devices,
                                            std::span<const GlobalFeed> feeds,
                                            const std::string& input_device,
                                            const ModelFn& model_fn, VariablePolicy& policy,
                                            absl::string_view strategy);

// The mean of the replicas' losses, built on `device`.
Output MeanLoss(GraphBuilder& b, const std::vector<ReplicaModel>& replicas,
                const std::string& device);

}  // namespace graphrt::distribute

#endif  // GRAPHRT_CORE_GRAPH_DISTRIBUTE_REPLICAS_H_
