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

KernelRegistry& KernelRegistry::Global() {
  static KernelRegistry* registry = new KernelRegistry();  // never destroyed
  return *registry;
}

const KernelDef* KernelRegistry::FindOwn(const Node& node, absl::string_view device_type,
                                         std::vector<std::string>* available) const {
  MutexLock lock(&mu_);
  auto it = by_op_.find(node.op());
  if (it == by_op_.end()) return nullptr;
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
    available->push_back(std::move(desc));
  }
  return nullptr;
}

bool KernelRegistry::TakesFromBase(absl::string_view device_type) const {
  return base_ != nullptr &&
         (base_device_types_.empty() || std::find(base_device_types_.begin(),
                                                  base_device_types_.end(),
                                                  device_type) != base_device_types_.end());
}

absl::StatusOr<const KernelDef*> KernelRegistry::Find(const Node& node,
                                                      absl::string_view device_type) const {
  std::vector<std::string> available;
  for (const KernelRegistry* r = this; r != nullptr;
       r = r->TakesFromBase(device_type) ? r->base_ : nullptr) {
    if (const KernelDef* def = r->FindOwn(node, device_type, &available)) return def;
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
  std::vector<std::string> out;
  {
    MutexLock lock(&mu_);
    auto it = by_op_.find(node.op());
    if (it != by_op_.end()) {
      for (const auto& d : it->second) {
        if (Matches(*d, node)) out.push_back(d->device_type);
      }
    }
  }
  if (base_ != nullptr) {
    for (std::string& type : base_->SupportedDeviceTypes(node)) {
      if (TakesFromBase(type)) out.push_back(std::move(type));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<const KernelDef*> KernelRegistry::ListDefs() const {
  MutexLock lock(&mu_);
  std::vector<const KernelDef*> out;
  for (const auto& [op, defs] : by_op_) {
    for (const auto& d : defs) out.push_back(d.get());
  }
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
