// The one place where a strategy's collectives get their group and instance
// keys: every all-reduce a strategy builds takes its ops::CollectiveOptions
// from a CollectivePlan, so the keys of one model are assigned in one order,
// the same on every participant (Note [Collective keys] in
// collective_plan.cc). A multi-worker strategy reuses it with a group that
// spans processes: it sets group_size to every participant of every worker
// and gives each worker the same options, so the k-th collective of every
// worker shares its instance key.
//
// Thread-safety: a CollectivePlan is used by one thread (the graph builder's).
#ifndef GRAPHRT_CORE_GRAPH_DISTRIBUTE_COLLECTIVE_PLAN_H_
#define GRAPHRT_CORE_GRAPH_DISTRIBUTE_COLLECTIVE_PLAN_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "core/graph/ops/collective_ops.h"

namespace graphrt::distribute {

struct CollectiveGroupOptions {
  // Participants of every collective; 0: the strategy's replica count (one
  // process). A multi-worker strategy gives the total over all workers.
  int32_t group_size = 0;
  // One group key per model (per set of participants): two models built in
  // one graph, or a model and hand-made collectives, need different keys.
  int32_t group_key = 1;
  // The k-th collective of the model (k = 0, 1, ...) gets instance key
  // first_instance_key + k.
  int32_t first_instance_key = 1;
  // How long a participant waits for the others; 0: the op's default, 60 s.
  float timeout_seconds = 0.0f;
  // Passed to every collective as its communication_hint attr ("auto": the
  // in-process implementation).
  std::string communication_hint = "auto";
};

class CollectivePlan {
 public:
  // `local_participants`: the replicas this process builds (group_size's
  // default).
  CollectivePlan(const CollectiveGroupOptions& options, int32_t local_participants);

  // INVALID_ARGUMENT when the group cannot hold the local participants or a
  // key is negative.
  absl::Status Validate() const;
  // The options of the next collective: a fresh instance key. Call it once
  // per collective (not once per participant) and give the result to every
  // participant of that collective.
  ops::CollectiveOptions Next();
  int32_t group_size() const { return group_size_; }
  int32_t instances_used() const { return next_; }

 private:
  CollectiveGroupOptions options_;
  int32_t local_participants_;
  int32_t group_size_;
  int32_t next_ = 0;
};

}  // namespace graphrt::distribute

#endif  // GRAPHRT_CORE_GRAPH_DISTRIBUTE_COLLECTIVE_PLAN_H_
