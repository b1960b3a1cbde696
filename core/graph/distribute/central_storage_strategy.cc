// CentralStorageStrategy: one copy of every variable on a parameter device,
// replicas computing on their devices, one averaged update per variable.
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/distribute/replicas.h"
#include "core/graph/distribute/strategy.h"
#include "core/graph/gradients.h"
#include "core/graph/ops/math_ops.h"

namespace graphrt::distribute {
namespace {

constexpr absl::string_view kStrategy = "CentralStorageStrategy";

// Replica 0 makes each variable on the parameter device; replica i's k-th
// NewVariable gets replica 0's k-th variable back (names alone are not
// enough: "kernel" may be made under two name scopes), after checking that
// it asks for the same name. Reads run on the parameter device too: a read
// is colocated with its variable, so a read requesting the replica's device
// would be a colocation conflict.
class CentralPolicy : public VariablePolicy {
 public:
  explicit CentralPolicy(std::string parameter_device)
      : parameter_device_(std::move(parameter_device)) {}

  Variable NewVariable(GraphBuilder& b, int replica, absl::string_view name,
                       Tensor initial_value) override {
    if (replica == 0) {
      GraphBuilder::DeviceScope on(b, parameter_device_);
      Variable v = b.NewVariable(name, std::move(initial_value));
      made_.emplace_back(std::string(name), v);
      return v;
    }
    const size_t k = next_[replica]++;
    if (k >= made_.size() || made_[k].first != name) {
      Fail(absl::StrCat("its variable ", k, " is '", name, "', replica 0's ",
                        k < made_.size() ? absl::StrCat("is '", made_[k].first, "'")
                                         : std::string("does not exist"),
                        "; every replica must make the same variables in the same order"));
      return made_.empty() ? Variable() : made_[0].second;
    }
    return made_[k].second;
  }

  Output Read(GraphBuilder& b, int replica, const Variable& v, absl::string_view name) override {
    GraphBuilder::DeviceScope on(b, parameter_device_);
    return v.Read(name);
  }

  absl::Status status() const override { return status_; }

 private:
  void Fail(std::string message) {
    if (status_.ok()) status_ = absl::InvalidArgumentError(std::move(message));
  }

  std::string parameter_device_;
  std::vector<std::pair<std::string, Variable>> made_;  // replica 0's, in order
  absl::flat_hash_map<int, size_t> next_;               // by replica
  absl::Status status_;
};

absl::Status CheckShared(const ReplicaModel& model, const ReplicaModel& first) {
  for (size_t j = 0; j < model.variables.size(); ++j) {
    if (model.variables[j].handle().node_id() != first.variables[j].handle().node_id()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "variable ", j, " '", model.variables[j].name(), "' is not replica 0's '",
          first.variables[j].name(), "'; under CentralStorageStrategy make variables with "
          "ReplicaContext::NewVariable, which shares one copy between the replicas"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

CentralStorageStrategy::CentralStorageStrategy(std::vector<std::string> devices,
                                               CentralStorageOptions options)
    : devices_(std::move(devices)), options_(std::move(options)) {}

absl::StatusOr<DistributedModel> CentralStorageStrategy::Build(
    GraphBuilder& b, std::span<const GlobalFeed> feeds, const ModelFn& model_fn,
    const OptimizerOptions& optimizer) const {
  RETURN_IF_ERROR(CheckDevices(devices_, kStrategy));
  if (options_.parameter_device.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kStrategy, ": the parameter device is empty; name one (\"/cpu:0\")"));
  }
  const int n = static_cast<int>(devices_.size());
  CentralPolicy policy(options_.parameter_device);
  ASSIGN_OR_RETURN(BuiltReplicas built, BuildReplicas(b, devices_, feeds, options_.input_device,
                                                      model_fn, policy, kStrategy));
  for (int i = 1; i < n; ++i) {
    RETURN_IF_ERROR(
        ForReplica(CheckShared(built.replicas[i], built.replicas[0]), kStrategy, i, devices_[i]));
  }
  DistributedModel m;
  m.devices = devices_;
  m.feeds = built.feeds;
  m.replicas = std::move(built.replicas);
  const std::vector<Variable>& vars = m.replicas[0].variables;

  std::vector<std::vector<Output>> grads(n);
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<std::vector<Output>> g = AddVariableGradients(m.replicas[i].loss, vars);
    RETURN_IF_ERROR(ForReplica(g.status(), kStrategy, i, devices_[i]));
    grads[i] = *std::move(g);
  }
  m.gradients = grads;
  // The mean of the replicas' gradients, on the parameter device (the
  // partitioner copies each gradient there), then one update per variable.
  GraphBuilder::DeviceScope on(b, options_.parameter_device);
  std::vector<Output> averaged;
  {
    GraphBuilder::NameScope scope(b, "distribute");
    Output scale = b.Scalar<float>(1.0f / static_cast<float>(n), "one_over_replicas");
    for (size_t j = 0; j < vars.size(); ++j) {
      if (n == 1) {
        averaged.push_back(grads[0][j]);
        continue;
      }
      std::vector<Output> parts;
      for (int i = 0; i < n; ++i) parts.push_back(grads[i][j]);
      averaged.push_back(ops::Mul(ops::AddN(parts), scale, absl::StrCat("mean_gradient_", j)));
    }
  }
  ASSIGN_OR_RETURN(Output update, ApplyGradients(optimizer, vars, averaged, "update"));
  m.loss = MeanLoss(b, m.replicas, options_.parameter_device);
  m.train = b.Group(std::span<const Output>(&update, 1), "train");
  for (const Variable& v : vars) m.variables.push_back({v.name(), {v}});
  RETURN_IF_ERROR(b.status());
  return m;
}

}  // namespace graphrt::distribute
