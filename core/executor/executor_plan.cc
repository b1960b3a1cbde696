// ExecutorPlan::Build: pruning, dense ids, pending counts, successor lists
// and entry slots. Runs once per (feeds, fetches, targets) signature.
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/executor/executor.h"
#include "core/base/status_macros.h"
#include "core/memory/allocation_owner.h"

namespace graphrt {

absl::StatusOr<std::unique_ptr<ExecutorPlan>> ExecutorPlan::Build(
    const ExecutorEnv& env, std::span<const std::string> feeds,
    std::span<const std::string> fetches, std::span<const std::string> targets) {
  const Graph& g = *env.graph;
  auto plan = std::unique_ptr<ExecutorPlan>(new ExecutorPlan());
  plan->env_ = env;
  for (Device* d : env.devices) {
    plan->devices_.push_back({d, d->allocator(), d->intra_op(), d->inter_op_threads()});
  }

  // Feeds: placeholders only, each once.
  absl::flat_hash_map<int, int> feed_of_node;
  for (int i = 0; i < static_cast<int>(feeds.size()); ++i) {
    ASSIGN_OR_RETURN(Endpoint e, g.ParseEndpoint(feeds[i]));
    const Node& n = g.node(e.node);
    if (!n.def().is_feed) {
      return absl::InvalidArgumentError(absl::StrCat(
          "feed '", feeds[i], "': node ", n.DebugName(),
          " is not a Placeholder; only placeholders can be fed"));
    }
    if (!feed_of_node.emplace(e.node, i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("placeholder '", n.name(), "' is fed more than once"));
    }
    plan->feed_nodes_.push_back(&n);
  }

  // Prune: everything the fetches and targets reach through inputs.
  std::vector<Endpoint> fetch_eps;
  std::vector<int> stack;
  for (const std::string& f : fetches) {
    ASSIGN_OR_RETURN(Endpoint e, g.ParseEndpoint(f));
    fetch_eps.push_back(e);
    stack.push_back(e.node);
  }
  for (const std::string& t : targets) {
    const Node* n = g.FindNode(t);
    if (n == nullptr) {
      return absl::NotFoundError(absl::StrCat("target '", t, "' names no node in the graph"));
    }
    stack.push_back(n->id());
  }
  std::vector<char> needed(g.num_nodes(), 0);
  while (!stack.empty()) {
    int id = stack.back();
    stack.pop_back();
    if (needed[id]) continue;
    needed[id] = 1;
    for (const Endpoint& e : g.node(id).inputs()) stack.push_back(e.node);
    for (int c : g.node(id).control_inputs()) stack.push_back(c);
  }

  // Dense ids in topological order (node ids already are: inputs come first).
  std::vector<int32_t> dense(g.num_nodes(), -1);
  std::vector<std::string> unfed;
  for (int id = 0; id < g.num_nodes(); ++id) {
    if (!needed[id]) continue;
    const Node& n = g.node(id);
    if (n.def().is_feed && !feed_of_node.contains(id)) {
      unfed.push_back(absl::StrCat("'", n.name(), "' (", DataTypeName(n.output_type(0)),
                                   n.output_shape(0).DebugString(), ")"));
    }
    dense[id] = static_cast<int32_t>(plan->items_.size());
    Item item;
    item.node = &n;
    item.kernel = env.kernels[id];
    item.num_inputs = n.num_inputs();
    item.num_outputs = n.num_outputs();
    item.output_start = plan->num_entries_;
    plan->num_entries_ += n.num_outputs();
    item.pending = n.num_inputs() + static_cast<int32_t>(n.control_inputs().size());
    auto feed = feed_of_node.find(id);
    item.feed_index = feed == feed_of_node.end() ? -1 : feed->second;
    item.always_cheap =
        item.feed_index >= 0 || n.def().is_cheap || item.kernel->IsAlwaysCheap();
    item.static_cost = true;
    for (const Endpoint& e : n.inputs()) {
      item.static_cost &= env.graph->node(e.node).output_shape(e.index).fully_defined();
    }
    item.device = env.node_device[id];
    if (n.def().is_copy && n.num_inputs() == 1) {
      item.source_device = env.node_device[n.input(0).node];
    }
    if (env.devices[item.device]->asynchronous() &&
        std::find(plan->async_devices_.begin(), plan->async_devices_.end(), item.device) ==
            plan->async_devices_.end()) {
      plan->async_devices_.push_back(item.device);
    }
    if (!env.owners.empty()) {
      item.owner = env.owners[id].id();  // names this node in OOM reports
    } else {
      plan->owners_.emplace_back(n.name());
      item.owner = plan->owners_.back().id();
    }
    plan->items_.push_back(item);
  }
  plan->inline_memo_ = std::make_unique<std::atomic<int8_t>[]>(plan->items_.size());
  for (size_t i = 0; i < plan->items_.size(); ++i) plan->inline_memo_[i].store(0);
  if (!unfed.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the fetches need placeholder(s) ", absl::StrJoin(unfed, ", "),
        " that were not fed: pass a value for each in Run's feeds"));
  }

  // Uses per entry, input slots, successor lists.
  plan->entry_uses_.assign(plan->num_entries_, 0);
  std::vector<std::vector<int32_t>> succ(plan->items_.size());
  for (Item& item : plan->items_) {
    const Node& n = *item.node;
    const int32_t self = dense[n.id()];
    item.input_start = static_cast<int32_t>(plan->input_entries_.size());
    for (const Endpoint& e : n.inputs()) {
      const Item& producer = plan->items_[dense[e.node]];
      const int32_t entry = producer.output_start + e.index;
      plan->input_entries_.push_back(entry);
      ++plan->entry_uses_[entry];
      succ[dense[e.node]].push_back(self);
    }
    for (int c : n.control_inputs()) succ[dense[c]].push_back(self);
    if (item.pending == 0) plan->roots_.push_back(self);
  }
  if (!plan->roots_.empty()) plan->home_device_ = plan->items_[plan->roots_[0]].device;
  plan->serial_ = env.devices[plan->home_device_]->inter_op_threads() == 1 &&
                  std::all_of(plan->items_.begin(), plan->items_.end(), [&](const Item& item) {
                    return item.device == plan->home_device_;
                  });
  for (const Endpoint& e : fetch_eps) {
    const int32_t entry = plan->items_[dense[e.node]].output_start + e.index;
    plan->fetch_entries_.push_back(entry);
    plan->fetch_devices_.push_back(plan->items_[dense[e.node]].device);
    ++plan->entry_uses_[entry];  // never released during the step
  }
  for (size_t i = 0; i < plan->items_.size(); ++i) {
    Item& item = plan->items_[i];
    item.succ_start = static_cast<int32_t>(plan->successors_.size());
    item.num_succ = static_cast<int32_t>(succ[i].size());
    plan->successors_.insert(plan->successors_.end(), succ[i].begin(), succ[i].end());
    // Note [Forwarding]: an input whose entry has this edge as its only use
    // (and is not fetched) may hand its buffer to an output.
    for (int k = 0; k < item.num_inputs && k < 64; ++k) {
      const int32_t entry = plan->input_entries_[item.input_start + k];
      if (plan->entry_uses_[entry] == 1) {
        bool repeated = false;
        for (int j = 0; j < item.num_inputs; ++j) {
          repeated |= j != k && plan->input_entries_[item.input_start + j] == entry;
        }
        if (!repeated) item.forwardable |= uint64_t{1} << k;
      }
    }
  }
  return plan;
}

absl::Status ExecutorPlan::CheckFeed(int index, const Tensor& value) const {
  const Node& n = *feed_nodes_[index];
  if (!value.IsInitialized()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the value fed to placeholder '", n.name(), "' is uninitialised"));
  }
  if (value.dtype() != n.output_type(0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "placeholder '", n.name(), "' expects ", DataTypeName(n.output_type(0)),
        n.output_shape(0).DebugString(), ", but was fed ", value.ShapeString(),
        ": cast the value or declare the placeholder with that dtype"));
  }
  if (!n.output_shape(0).IsCompatibleWith(value.shape())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "placeholder '", n.name(), "' expects shape ", n.output_shape(0).DebugString(),
        ", but was fed ", value.ShapeString()));
  }
  return absl::OkStatus();
}

}  // namespace graphrt
