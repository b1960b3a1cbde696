#include "core/placer/placement.h"

#include <algorithm>
#include <numeric>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/base/status_macros.h"

namespace graphrt {
namespace {

// Union-find over node ids; the root of a group is its lowest id.
class Groups {
 public:
  explicit Groups(int n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  int Find(int x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void Union(int a, int b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<int> parent_;
};

// "Op, T=int32" for messages about kernels.
std::string OpAndTypes(const Node& n) {
  std::vector<std::string> types;
  for (const auto& [name, value] : n.attrs()) {
    if (const auto* t = std::get_if<DataType>(&value)) {
      types.push_back(absl::StrCat(name, "=", DataTypeName(*t)));
    }
  }
  std::sort(types.begin(), types.end());
  return types.empty() ? n.op() : absl::StrCat(n.op(), ", ", absl::StrJoin(types, ", "));
}

struct Group {
  std::span<const int> members;
  DeviceSpec request;
  int requester = -1;               // the member whose request set `request`
  std::vector<std::string> types;   // device types with a kernel for all members
  int type_limiter = -1;            // a member that narrowed `types`
};

class Placer {
 public:
  Placer(const Graph& g, std::span<const DeviceAttributes> devices,
         const SupportedTypesFn& supported, const PlacerOptions& options)
      : g_(g), devices_(devices), supported_(supported), options_(options) {}

  absl::StatusOr<std::vector<NodePlacement>> Run() {
    const int n = g_.num_nodes();
    Groups groups(n);
    RETURN_IF_ERROR(Colocate(groups));
    // Members of each group, in id order, as one array sorted by root.
    std::vector<int> root(n), start(n + 1, 0), members(n);
    for (int id = 0; id < n; ++id) ++start[(root[id] = groups.Find(id)) + 1];
    for (int r = 0; r < n; ++r) start[r + 1] += start[r];
    std::vector<int> fill(start.begin(), start.end() - 1);
    for (int id = 0; id < n; ++id) members[fill[root[id]]++] = id;
    std::vector<NodePlacement> out(n);
    for (int r = 0; r < n; ++r) {
      if (start[r] == start[r + 1]) continue;
      Group group;
      group.members = std::span<const int>(members.data() + start[r], start[r + 1] - start[r]);
      // A lone node's decision depends only on its request and its kernel
      // key (the reasons name no node unless it falls back): reuse it.
      const bool lone = group.members.size() == 1;
      DecisionKey key;
      if (lone) {
        const Node& n = g_.node(r);
        key = DecisionKey{n.requested_device(), &n.def(), TypeKey(n)};
        auto hit = decisions_.find(key);
        if (hit != decisions_.end()) {
          out[r] = hit->second;
          out[r].requested = n.requested_device();
          continue;
        }
      }
      RETURN_IF_ERROR(Describe(group));
      ASSIGN_OR_RETURN(NodePlacement decision, Decide(group));
      if (lone && decision.rule != "soft fallback") {
        decisions_.emplace(std::move(key), decision);
      }
      if (group.members.size() > 1) decision.group = g_.node(r).name();
      for (size_t k = 0; k < group.members.size(); ++k) {
        const int id = group.members[k];
        NodePlacement& p = out[id];
        p = k + 1 == group.members.size() ? std::move(decision) : decision;
        p.requested = g_.node(id).requested_device();
      }
    }
    return out;
  }

 private:
  absl::Status Colocate(Groups& groups) {
    for (int id = 0; id < g_.num_nodes(); ++id) {
      const Node& n = g_.node(id);
      for (int i = 0; i < n.num_inputs(); ++i) {
        if (n.input_type(i) == DataType::kResource) groups.Union(id, n.input(i).node);
      }
      auto it = n.attrs().find("_colocate_with");
      if (it == n.attrs().end()) continue;
      const auto* names = std::get_if<std::string>(&it->second);
      if (names == nullptr) continue;
      for (absl::string_view name : absl::StrSplit(*names, ',', absl::SkipEmpty())) {
        const Node* other = g_.FindNode(name);
        if (other == nullptr) {
          return absl::NotFoundError(absl::StrCat("node ", n.DebugName(),
                                                  " asks to be colocated with '", name,
                                                  "', which is not in the graph"));
        }
        groups.Union(id, other->id());
      }
    }
    return absl::OkStatus();
  }

  // supported_(n), cached by op and type attrs (kernels are keyed by them).
  // The node's type attrs packed in an integer (kernels are keyed by them).
  static uint64_t TypeKey(const Node& n) {
    uint64_t key = 0;
    for (const AttrDef& a : n.def().attrs) {
      if (a.type != AttrType::kType) continue;
      auto it = n.attrs().find(a.name);
      const auto* t = it == n.attrs().end() ? nullptr : std::get_if<DataType>(&it->second);
      key = key * 64 + (t == nullptr ? 63 : static_cast<uint64_t>(*t) + 1);
    }
    return key;
  }

  const std::vector<std::string>& SupportedTypes(const Node& n) {
    auto [it, fresh] = supported_cache_.try_emplace(std::make_pair(&n.def(), TypeKey(n)));
    if (fresh) it->second = supported_(n);
    return it->second;
  }

  absl::StatusOr<DeviceSpec> ParsedRequest(const Node& n) {
    if (n.requested_device().empty()) return DeviceSpec{};
    auto it = parsed_.find(n.requested_device());
    if (it != parsed_.end()) return it->second;
    absl::StatusOr<DeviceSpec> spec = ParseDeviceSpec(n.requested_device());
    if (!spec.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("node ", n.DebugName(), ": ", spec.status().message()));
    }
    parsed_.emplace(n.requested_device(), *spec);
    return *spec;
  }

  // The group's merged request and the device types that can run it all.
  absl::Status Describe(Group& group) {
    bool first = true;
    for (int id : group.members) {
      const Node& n = g_.node(id);
      ASSIGN_OR_RETURN(DeviceSpec spec, ParsedRequest(n));
      if (!spec.empty()) {
        absl::StatusOr<DeviceSpec> merged = MergeDeviceSpecs(group.request, spec);
        if (!merged.ok()) {
          const Node& other = g_.node(group.requester);
          return absl::InvalidArgumentError(absl::StrCat(
              "colocation conflict: ", n.DebugName(), " asks for '", n.requested_device(),
              "' but ", other.DebugName(), " asks for '", other.requested_device(),
              "', and the two must share a device (one uses the other's resource, or "
              "colocate_with joins them); drop or align one of the requests"));
        }
        group.request = *merged;
        group.requester = id;
      }
      const std::vector<std::string>& types = SupportedTypes(n);
      if (first) {
        group.types = types;
        group.type_limiter = id;
        first = false;
        continue;
      }
      std::vector<std::string> both;
      std::set_intersection(group.types.begin(), group.types.end(), types.begin(), types.end(),
                            std::back_inserter(both));
      if (both.size() < group.types.size()) group.type_limiter = id;
      group.types = std::move(both);
    }
    if (group.types.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "no device type has kernels for every node of a colocation group: ",
          g_.node(group.type_limiter).DebugName(), " (", OpAndTypes(g_.node(group.type_limiter)),
          ") has kernels on [", absl::StrJoin(supported_(g_.node(group.type_limiter)), ", "),
          "], the rest of its group on other types"));
    }
    return absl::OkStatus();
  }

  bool HasKernel(const Group& group, const DeviceAttributes& d) const {
    return std::binary_search(group.types.begin(), group.types.end(), d.type);
  }

  // First GPU with a kernel, else the first CPU, else any device with one.
  int DefaultDevice(const Group& group) const {
    for (const char* type : {"GPU", "CPU"}) {
      for (size_t i = 0; i < devices_.size(); ++i) {
        if (devices_[i].type == type && HasKernel(group, devices_[i])) return static_cast<int>(i);
      }
    }
    for (size_t i = 0; i < devices_.size(); ++i) {
      if (HasKernel(group, devices_[i])) return static_cast<int>(i);
    }
    return -1;
  }

  std::string DeviceList() const {
    return absl::StrJoin(devices_, ", ", [](std::string* o, const DeviceAttributes& d) {
      absl::StrAppend(o, ShortDeviceName(d.type, d.id));
    });
  }

  absl::StatusOr<NodePlacement> Decide(const Group& group) {
    const Node& lead = g_.node(group.requester >= 0 ? group.requester : group.members[0]);
    NodePlacement p;
    auto place = [&](int index, const char* rule, std::string reason) {
      p.device_index = index;
      p.device = devices_[index].name;
      p.rule = rule;
      p.reason = std::move(reason);
      return p;
    };
    if (!group.request.empty()) {
      bool exists = false;
      for (size_t i = 0; i < devices_.size(); ++i) {
        if (!DeviceSpecMatches(group.request, devices_[i].spec())) continue;
        exists = true;
        if (HasKernel(group, devices_[i])) {
          return place(static_cast<int>(i), "requested",
                       absl::StrCat("requested '", lead.requested_device(), "'"));
        }
      }
      const Node& limiter = g_.node(group.type_limiter);
      std::string why =
          exists ? absl::StrCat("requested '", lead.requested_device(), "' by ",
                                lead.DebugName(), ", but ", limiter.DebugName(), " (",
                                OpAndTypes(limiter), ") has no kernel there; kernels exist for [",
                                absl::StrJoin(group.types, ", "), "]")
                 : absl::StrCat("requested '", lead.requested_device(), "' by ",
                                lead.DebugName(), ", but no such device exists (devices: ",
                                DeviceList(), ")");
      if (!options_.allow_soft_placement) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot place node ", lead.DebugName(), ": ", why,
            ". Request one of those devices, or turn on allow_soft_placement to fall back"));
      }
      const int fallback = DefaultDevice(group);
      if (fallback < 0) return NoDevice(group);
      return place(fallback, "soft fallback",
                   absl::StrCat(why, "; soft placement chose ",
                                ShortDeviceName(devices_[fallback].type, devices_[fallback].id)));
    }
    const int index = DefaultDevice(group);
    if (index < 0) return NoDevice(group);
    const bool any_gpu = std::any_of(devices_.begin(), devices_.end(),
                                     [](const DeviceAttributes& d) { return d.type == "GPU"; });
    std::string reason;
    if (devices_[index].type == "GPU") {
      reason = "no request: the first GPU with a kernel";
    } else if (any_gpu) {
      reason = absl::StrCat("no request, and no GPU kernel for ",
                            OpAndTypes(g_.node(group.type_limiter)), ": the first CPU");
    } else {
      reason = "no request and no GPU: the first CPU";
    }
    return place(index, "default", std::move(reason));
  }

  absl::Status NoDevice(const Group& group) const {
    const Node& n = g_.node(group.type_limiter);
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot place node ", n.DebugName(), ": kernels exist for [",
        absl::StrJoin(group.types, ", "), "] but the devices are [", DeviceList(), "]"));
  }

  const Graph& g_;
  std::span<const DeviceAttributes> devices_;
  const SupportedTypesFn& supported_;
  const PlacerOptions& options_;
  absl::flat_hash_map<std::string, DeviceSpec> parsed_;
  absl::flat_hash_map<std::pair<const OpDef*, uint64_t>, std::vector<std::string>>
      supported_cache_;
  using DecisionKey = std::tuple<std::string, const OpDef*, uint64_t>;
  absl::flat_hash_map<DecisionKey, NodePlacement> decisions_;
};

}  // namespace

absl::StatusOr<std::vector<NodePlacement>> PlaceGraph(const Graph& graph,
                                                      std::span<const DeviceAttributes> devices,
                                                      const SupportedTypesFn& supported,
                                                      const PlacerOptions& options) {
  if (devices.empty()) return absl::FailedPreconditionError("no devices to place the graph on");
  return Placer(graph, devices, supported, options).Run();
}

}  // namespace graphrt
