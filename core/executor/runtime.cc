#include "core/executor/runtime.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/memory/bfc_allocator.h"
#include "core/placer/device_name.h"

#if GRAPHRT_HAVE_GPU_KERNELS
#include "kernels/gpu/register.h"
#endif

namespace graphrt {

std::shared_ptr<Runtime> Runtime::Create(const RuntimeOptions& options) {
  return std::shared_ptr<Runtime>(new Runtime(options));
}

Runtime::Runtime(const RuntimeOptions& options) : options_(options) {
  physical_.push_back({"/physical_device:CPU:0", "CPU", 0, "host CPU"});
#if GRAPHRT_HAVE_GPU_KERNELS
  const int gpus = CudaDeviceCount();
  for (int i = 0; i < gpus; ++i) {
    physical_.push_back({absl::StrCat("/physical_device:GPU:", i), "GPU", i,
                         CudaDeviceDescription(i)});
  }
#endif
  MutexLock lock(&mu_);
  config_.resize(physical_.size());
}

std::vector<PhysicalDevice> Runtime::ListPhysicalDevices(absl::string_view type) const {
  std::vector<PhysicalDevice> out;
  for (const PhysicalDevice& d : physical_) {
    if (type.empty() || d.type == type) out.push_back(d);
  }
  return out;
}

absl::Status Runtime::SetLogicalDeviceConfiguration(
    const PhysicalDevice& device, std::vector<LogicalDeviceConfiguration> logical) {
  int index = -1;
  for (size_t i = 0; i < physical_.size(); ++i) {
    if (physical_[i].name == device.name) index = static_cast<int>(i);
  }
  if (index < 0) {
    std::vector<std::string> names;
    for (const PhysicalDevice& d : physical_) names.push_back(d.name);
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
  Allocator* allocator = options_.cpu_allocator != nullptr ? options_.cpu_allocator
                                                           : HostAllocator();
  int next_cpu = 0;
  for (size_t i = 0; i < physical_.size(); ++i) {
    if (physical_[i].type != "CPU") continue;  // GPU devices: with GPU execution
    std::vector<LogicalDeviceConfiguration> logical = config_[i];
    if (logical.empty()) logical.emplace_back();
    for (const LogicalDeviceConfiguration& c : logical) {
      DeviceAttributes attrs = CpuDeviceAttributes(next_cpu++);
      attrs.physical_id = physical_[i].id;
      const int inter = ResolveThreadCount(c.inter_op_threads > 0 ? c.inter_op_threads
                                                                  : options_.inter_op_threads);
      const int intra = ResolveThreadCount(c.intra_op_threads > 0 ? c.intra_op_threads
                                                                  : options_.intra_op_threads);
      Allocator* device_allocator = allocator;
      const int64_t limit_mb = c.memory_limit_mb > 0 ? c.memory_limit_mb
                                                     : options_.cpu_memory_limit_mb;
      if (limit_mb > 0) {
        BfcOptions bfc;
        bfc.name = absl::StrCat("cpu_bfc_", attrs.id);
        bfc.memory_limit = static_cast<size_t>(limit_mb) << 20;
        allocators_.push_back(CreateBfcAllocator(CreateHostSubAllocator(), bfc));
        device_allocator = allocators_.back().get();
        attrs.memory_limit = limit_mb << 20;
      }
      devices_.push_back(
          std::make_unique<Device>(std::move(attrs), inter, intra, device_allocator));
    }
  }
  initialized_ = true;
  return absl::OkStatus();
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
