#include "core/executor/runtime.h"

#include <algorithm>
#include <cstdio>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/executor/collective_communicator.h"
#include "core/executor/device.h"
#include "core/executor/device_factory.h"

namespace graphrt {

std::shared_ptr<Runtime> Runtime::Create(const RuntimeOptions& options) {
  return std::shared_ptr<Runtime>(new Runtime(options));
}

Runtime::Runtime(const RuntimeOptions& options) : options_(options) {
  for (DeviceFactory* factory : DeviceFactories()) {
    for (PhysicalDevice& d : factory->Discover()) physical_.push_back({std::move(d), factory});
  }
  MutexLock lock(&mu_);
  config_.resize(physical_.size());
}

// Devices drain their own work before their pools go (device.h).
Runtime::~Runtime() = default;

std::vector<PhysicalDevice> Runtime::ListPhysicalDevices(absl::string_view type) const {
  std::vector<PhysicalDevice> out;
  for (const Physical& p : physical_) {
    if (type.empty() || p.device.type == type) out.push_back(p.device);
  }
  return out;
}

absl::Status Runtime::SetLogicalDeviceConfiguration(
    const PhysicalDevice& device, std::vector<LogicalDeviceConfiguration> logical) {
  int index = -1;
  for (size_t i = 0; i < physical_.size(); ++i) {
    if (physical_[i].device.name == device.name) index = static_cast<int>(i);
  }
  if (index < 0) {
    std::vector<std::string> names;
    for (const Physical& p : physical_) names.push_back(p.device.name);
    return absl::InvalidArgumentError(absl::StrCat("unknown physical device '", device.name,
                                                   "'; devices: ", absl::StrJoin(names, ", ")));
  }
  if (logical.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a logical device configuration for ", device.name, " needs at least one device"));
  }
  MutexLock lock(&mu_);
  if (initialized_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot configure logical devices of ", device.name,
        ": they were created already (by ListLogicalDevices, Initialize or the first "
        "session using this runtime); configure them before that, or make a new Runtime"));
  }
  const Physical& p = physical_[index];
  if (absl::Status s = p.factory->CheckConfiguration(p.device, logical); !s.ok()) return s;
  config_[index] = std::move(logical);
  return absl::OkStatus();
}

absl::Status Runtime::Initialize() {
  MutexLock lock(&mu_);
  return InitializeLocked();
}

bool Runtime::initialized() const {
  MutexLock lock(&mu_);
  return initialized_;
}

absl::Status Runtime::InitializeLocked() {
  if (initialized_) return absl::OkStatus();
  absl::flat_hash_map<std::string, int> next_id;  // logical ids count per type
  for (size_t i = 0; i < physical_.size(); ++i) {
    const Physical& p = physical_[i];
    int& first_id = next_id[p.device.type];
    absl::StatusOr<std::vector<std::unique_ptr<Device>>> made =
        p.factory->CreateDevices(p.device, config_[i], options_, first_id);
    if (!made.ok()) {
      std::string why = absl::StrCat("graphrt: leaving out ", p.device.name, ": ",
                                     made.status().message());
      std::fprintf(stderr, "%s\n", why.c_str());
      startup_errors_.push_back({p.device.type, std::move(why)});
      continue;
    }
    if (!made->empty() && std::find(used_factories_.begin(), used_factories_.end(),
                                    p.factory) == used_factories_.end()) {
      used_factories_.push_back(p.factory);
    }
    for (std::unique_ptr<Device>& d : *made) {
      if (options_.communicator != nullptr && d->type() == "CPU") {
        AttachCollectiveCommunicator(*d, options_.communicator);
      }
      devices_.push_back(std::move(d));
      ++first_id;
    }
  }
  initialized_ = true;
  return absl::OkStatus();
}

int64_t Runtime::ReleaseUnusedMemory() {
  MutexLock lock(&mu_);
  int64_t released = 0;
  for (const auto& d : devices_) released += static_cast<int64_t>(d->ReleaseOwnedMemory());
  for (DeviceFactory* f : used_factories_) released += f->ReleaseSharedMemory();
  return released;
}

std::vector<std::string> Runtime::device_startup_errors() { return StartupErrors(""); }

std::vector<std::string> Runtime::gpu_startup_errors() { return StartupErrors("GPU"); }

std::vector<std::string> Runtime::StartupErrors(absl::string_view type) {
  MutexLock lock(&mu_);
  (void)InitializeLocked();
  std::vector<std::string> out;
  for (const StartupError& e : startup_errors_) {
    if (type.empty() || e.type == type) out.push_back(e.why);
  }
  return out;
}

std::vector<DeviceAttributes> Runtime::ListLogicalDevices(absl::string_view type) {
  MutexLock lock(&mu_);
  (void)InitializeLocked();
  std::vector<DeviceAttributes> out;
  for (const auto& d : devices_) {
    if (type.empty() || d->type() == type) out.push_back(d->attributes());
  }
  return out;
}

std::vector<Device*> Runtime::devices() {
  MutexLock lock(&mu_);
  (void)InitializeLocked();
  std::vector<Device*> out;
  for (const auto& d : devices_) out.push_back(d.get());
  return out;
}

}  // namespace graphrt
