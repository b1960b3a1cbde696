// CollectivePlan: group and instance keys of a strategy's collectives.
#include "core/graph/distribute/collective_plan.h"

#include "absl/strings/str_cat.h"

namespace graphrt::distribute {

// Note [Collective keys]
// Rationale: the in-process rendezvous (kernels/common/collective_rendezvous.h)
// matches participants by (session, group_key, instance_key, step); a
// cross-process library matches them by the same keys. Two collectives that
// shared an instance key in one step would be merged; two participants of one
// collective with different keys would wait for each other until the timeout.
// Approach: one group key per model, and instance keys handed out in build
// order by one counter. The strategy builds collective k for every replica
// from the same Next() result, so every participant agrees; a worker that
// builds the same model with the same options gets the same keys.
// Limitations: the keys of hand-made collectives in the same graph are not
// known here; give the model a group_key of its own.

CollectivePlan::CollectivePlan(const CollectiveGroupOptions& options,
                               int32_t local_participants)
    : options_(options),
      local_participants_(local_participants),
      group_size_(options.group_size > 0 ? options.group_size : local_participants) {}

absl::Status CollectivePlan::Validate() const {
  if (group_size_ < local_participants_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "collective group_size ", group_size_, " is smaller than the ", local_participants_,
        " replicas built here; leave group_size 0 for one process, or give the total of "
        "every worker's replicas"));
  }
  if (options_.group_key < 0 || options_.first_instance_key < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "collective keys must be >= 0 (group_key ", options_.group_key,
        ", first_instance_key ", options_.first_instance_key, ")"));
  }
  return absl::OkStatus();
}

ops::CollectiveOptions CollectivePlan::Next() {
  ops::CollectiveOptions o;
  o.group_size = group_size_;
  o.group_key = options_.group_key;
  o.instance_key = options_.first_instance_key + next_++;
  o.timeout_seconds = options_.timeout_seconds;
  o.communication_hint = options_.communication_hint;
  return o;
}

}  // namespace graphrt::distribute
