// ReplicaContext, DistributedModel's batch checks, and the default devices.
#include "core/graph/distribute/strategy.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_join.h"
#include "core/graph/distribute/replicas.h"

namespace graphrt::distribute {

Variable ReplicaContext::NewVariable(absl::string_view name, Tensor initial_value) const {
  if (builder == nullptr || policy == nullptr) return Variable();
  return policy->NewVariable(*builder, replica_id, name, std::move(initial_value));
}

Output ReplicaContext::Read(const Variable& v, absl::string_view name) const {
  if (builder == nullptr || policy == nullptr) return Output();
  return policy->Read(*builder, replica_id, v, name);
}

// Note [Where the batch is checked]
// Rationale: an indivisible global batch must fail with a message that says
// so (the batch, the replica count, the fix), before any replica starts: a
// replica that entered an all-reduce would wait for its peers until the
// timeout. Approach: DistributedModel::CheckGlobalBatch / CheckFeed, called
// by the caller before Session::Run. It needs no kernel (core/graph may not
// depend on kernels/, and a check op would need one per device type), costs
// nothing per step, and a multi-worker runner feeds per-worker batches
// through the same check. Limitations: a caller that skips it still gets an
// error, not a hang: every replica's slice comes from one Reshape, named
// "<feed>_split_into_<N>_replicas", which fails first and names itself.
absl::Status DistributedModel::CheckGlobalBatch(int64_t batch) const {
  const int n = num_replicas();
  if (n > 0 && batch >= n && batch % n == 0) return absl::OkStatus();
  const int64_t lower = n > 0 ? (batch / n) * n : 0;
  std::string fix = batch < n ? absl::StrCat("feed at least ", n, " examples (one per replica)")
                              : absl::StrCat("feed a multiple of ", n, " (", lower, " or ",
                                             lower + n, "), e.g. drop the last partial batch");
  return absl::InvalidArgumentError(absl::StrCat(
      "a global batch of ", batch, " examples does not split evenly over ", n,
      " replicas (devices ", absl::StrJoin(devices, ", "), "): ", fix));
}

absl::Status DistributedModel::CheckFeed(int feed_index, const Tensor& value) const {
  if (feed_index < 0 || feed_index >= static_cast<int>(feeds.size())) {
    return absl::InvalidArgumentError(absl::StrCat("no global feed ", feed_index, " (the model has ",
                                                   feeds.size(), ")"));
  }
  if (value.rank() < 1) {
    return absl::InvalidArgumentError(absl::StrCat("the value fed to ", feeds[feed_index].name(),
                                                   " is a scalar; it needs a batch dim"));
  }
  absl::Status status = CheckGlobalBatch(value.dim(0));
  if (status.ok()) return status;
  return absl::InvalidArgumentError(
      absl::StrCat("feed ", feeds[feed_index].name(), ": ", status.message()));
}

std::vector<std::string> DefaultStrategyDevices(std::span<const std::string> device_names) {
  std::vector<std::string> gpus, cpus;
  for (const std::string& name : device_names) {
    const std::string upper = absl::AsciiStrToUpper(name);
    if (absl::StrContains(upper, "GPU:")) gpus.push_back(name);
    if (absl::StrContains(upper, "CPU:")) cpus.push_back(name);
  }
  return gpus.empty() ? cpus : gpus;
}

namespace {

// "CPU:1" from "/cpu:1", "/device:CPU:1" or "/job:localhost/.../device:CPU:1".
std::string TypeAndId(absl::string_view name) {
  size_t slash = name.rfind('/');
  absl::string_view last = slash == absl::string_view::npos ? name : name.substr(slash + 1);
  absl::ConsumePrefix(&last, "device:");
  return absl::AsciiStrToUpper(last);
}

}  // namespace

absl::Status CheckDevicesExist(std::span<const std::string> devices,
                               std::span<const std::string> available) {
  for (const std::string& d : devices) {
    bool found = false;
    for (const std::string& a : available) found = found || TypeAndId(d) == TypeAndId(a);
    if (!found) {
      return absl::InvalidArgumentError(absl::StrCat(
          "device '", d, "' is not one of the runtime's devices [", absl::StrJoin(available, ", "),
          "]; split the host CPU into more logical devices "
          "(Runtime::SetLogicalDeviceConfiguration) or name an existing one"));
    }
  }
  return absl::OkStatus();
}

}  // namespace graphrt::distribute
