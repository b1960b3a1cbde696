#include "core/executor/kernel_registry.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace graphrt {

void KernelRegistry::Register(KernelDef def) {
  MutexLock lock(&mu_);
  by_op_[def.op].push_back(std::make_unique<const KernelDef>(std::move(def)));
}

bool KernelRegistry::Matches(const KernelDef& def, const Node& node) {
  for (const TypeConstraint& c : def.constraints) {
    auto t = node.attr<DataType>(c.attr);
    if (!t.ok()) return false;
    if (std::find(c.allowed.begin(), c.allowed.end(), *t) == c.allowed.end()) return false;
  }
  return true;
}

absl::StatusOr<const KernelDef*> KernelRegistry::Find(const Node& node,
                                                      absl::string_view device_type) const {
  MutexLock lock(&mu_);
  auto it = by_op_.find(node.op());
  std::vector<std::string> available;
  if (it != by_op_.end()) {
    for (const auto& d : it->second) {
      const KernelDef& def = *d;
      if (def.device_type == device_type && Matches(def, node)) return &def;
      std::string desc = def.device_type;
      for (const TypeConstraint& c : def.constraints) {
        absl::StrAppend(&desc, " ", c.attr, " in {",
                        absl::StrJoin(c.allowed, ",",
                                      [](std::string* o, DataType d) {
                                        absl::StrAppend(o, DataTypeName(d));
                                      }),
                        "}");
      }
      available.push_back(desc);
    }
  }
  std::string types;
  for (const auto& [name, value] : node.attrs()) {
    if (const DataType* d = std::get_if<DataType>(&value)) {
      absl::StrAppend(&types, types.empty() ? "" : ", ", name, "=", DataTypeName(*d));
    }
  }
  return absl::NotFoundError(absl::StrCat(
      "no ", device_type, " kernel for node ", node.DebugName(), " with [", types,
      "]; registered kernels for ", node.op(), ": [", absl::StrJoin(available, "; "), "]"));
}

std::vector<std::string> KernelRegistry::SupportedDeviceTypes(const Node& node) const {
  MutexLock lock(&mu_);
  std::vector<std::string> out;
  auto it = by_op_.find(node.op());
  if (it == by_op_.end()) return out;
  for (const auto& d : it->second) {
    const KernelDef& def = *d;
    if (Matches(def, node) &&
        std::find(out.begin(), out.end(), def.device_type) == out.end()) {
      out.push_back(def.device_type);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::unique_ptr<OpKernel>> KernelRegistry::CreateKernel(
    const OpKernelConstruction& c) const {
  absl::StatusOr<const KernelDef*> def = Find(c.node(), c.device_type());
  if (!def.ok()) return def.status();
  if (!(*def)->factory) {
    return absl::UnimplementedError(absl::StrCat("kernel for ", c.node().DebugName(), " on ",
                                                 c.device_type(), " is a descriptor only"));
  }
  absl::StatusOr<std::unique_ptr<OpKernel>> kernel = (*def)->factory(c);
  if (!kernel.ok()) {
    return absl::Status(kernel.status().code(),
                        absl::StrCat("creating the kernel for node ", c.node().DebugName(),
                                     ": ", kernel.status().message()));
  }
  return kernel;
}

}  // namespace graphrt
