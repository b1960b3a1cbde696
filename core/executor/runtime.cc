#include "core/executor/runtime.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/memory/bfc_allocator.h"
#include "core/placer/device_name.h"

#include <cstdio>

#if GRAPHRT_HAVE_GPU_KERNELS
#include "core/executor/gpu_device_factory.h"
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
  if (physical_[index].type == "GPU" && logical.size() > 1) {
    for (size_t k = 0; k < logical.size(); ++k) {
      if (logical[k].memory_limit_mb <= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "splitting ", device.name, " into ", logical.size(),
            " logical devices needs a memory_limit_mb (> 0) for each; entry ", k, " has ",
            logical[k].memory_limit_mb));
      }
    }
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
                                                           : HostPoolAllocator();
  int next_cpu = 0;
  for (size_t i = 0; i < physical_.size(); ++i) {
    if (physical_[i].type != "CPU") continue;  // GPUs: after every CPU
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
  int next_gpu = 0;
  for (size_t i = 0; i < physical_.size(); ++i) {
    if (physical_[i].type == "GPU") AddGpuDevicesLocked(i, &next_gpu);
  }
  initialized_ = true;
  return absl::OkStatus();
}

void Runtime::AddGpuDevicesLocked(size_t index, int* next_gpu) {
#if GRAPHRT_HAVE_GPU_KERNELS
  const PhysicalDevice& physical = physical_[index];
  GpuMemoryOptions options;
  if (physical.id < static_cast<int>(options_.gpu_memory.size())) {
    options = options_.gpu_memory[physical.id];
  }
  const std::vector<LogicalDeviceConfiguration>& logical = config_[index];
  if (logical.size() == 1 && logical[0].memory_limit_mb > 0) {
    options.memory_limit_mb = logical[0].memory_limit_mb;
    options.logical_device_limits_mb.clear();
  } else if (logical.size() > 1) {
    options.logical_device_limits_mb.clear();
    for (const LogicalDeviceConfiguration& c : logical) {
      options.logical_device_limits_mb.push_back(c.memory_limit_mb);
    }
  }
  // Without pinned memory fetches land in ordinary host memory.
  if (pinned_ == nullptr) pinned_ = PinnedHostPool();
  absl::StatusOr<std::vector<GpuDeviceParts>> parts =
      CreateGpuDevices(physical.id, physical.description, options, *next_gpu, pinned_);
  if (!parts.ok()) {
    std::string why = absl::StrCat("graphrt: leaving out ", physical.name, ": ",
                                   parts.status().message());
    std::fprintf(stderr, "%s\n", why.c_str());
    gpu_errors_.push_back(std::move(why));
    return;
  }
  for (GpuDeviceParts& p : *parts) {
    allocators_.push_back(std::move(p.allocator));
    // One host thread launches the device's kernels in order.
    devices_.push_back(std::make_unique<Device>(std::move(p.attributes), 1, 1,
                                                allocators_.back().get(), std::move(p.queue)));
    ++*next_gpu;
  }
#else
  (void)index;
  (void)next_gpu;
#endif
}

int64_t Runtime::ReleaseUnusedMemory() {
  MutexLock lock(&mu_);
  int64_t released = 0;
  auto release = [&](Allocator* a) {
    if (auto* bfc = dynamic_cast<BfcAllocator*>(a)) released += static_cast<int64_t>(bfc->Release());
  };
  for (const auto& a : allocators_) release(a.get());
  release(pinned_);
  return released;
}

std::vector<std::string> Runtime::gpu_startup_errors() {
  MutexLock lock(&mu_);
  (void)InitializeLocked();
  return gpu_errors_;
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
