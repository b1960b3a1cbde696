// The GPU DeviceFactory (registered when graphrt::cuda_device is linked):
// CUDA device discovery, and the logical GPU devices of one physical GPU,
// each a CudaDevice with a BFC pool over the card's memory.
//
// Discovery: the devices the CUDA runtime reports, in its order, which
// CUDA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER set (graphrt never re-orders or
// re-filters); CUDA errors 35 (insufficient driver) and 100 (no device), or
// any other discovery error, mean zero GPUs.
//
// Memory (core/memory/gpu_memory_options.h): the options are resolved
// against cudaMemGetInfo once. Without growth each logical device's pool
// takes its whole limit at the first allocation (cudaMalloc); with growth it
// grows in granules inside one reserved address range (the CUDA virtual
// memory sub-allocator, falling back to cudaMalloc regions where the driver
// lacks VMM) and Release() gives wholly free regions back to the driver.
#include <algorithm>

#include <cuda_runtime_api.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/executor/cuda/cuda_device.h"
#include "core/executor/device_factory.h"
#include "core/memory/bfc_allocator.h"
#include "core/memory/cuda_sub_allocators.h"
#include "core/placer/device_name.h"

namespace graphrt {
namespace {

int CudaDeviceCount() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky error; no GPU here
    return 0;
  }
  return count;
}

// "NVIDIA H100 80GB HBM3, pci bus id 0000:3B:00.0, compute capability 9.0,
// 79.1 GiB", or the CUDA error when it cannot be queried.
std::string CudaDeviceDescription(int id) {
  cudaDeviceProp prop{};
  char bus_id[32] = {};
  cudaError_t e = cudaGetDeviceProperties(&prop, id);
  if (e == cudaSuccess) e = cudaDeviceGetPCIBusId(bus_id, sizeof(bus_id), id);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    return absl::StrCat("CUDA device ", id, " (", cudaGetErrorString(e), ")");
  }
  return absl::StrFormat("%s, pci bus id %s, compute capability %d.%d, %.1f GiB", prop.name,
                         bus_id, prop.major, prop.minor,
                         static_cast<double>(prop.totalGlobalMem) / (1 << 30));
}

// The process-wide growing BFC pool of page-locked host memory that stages
// copies and holds fetched GPU tensors; never destroyed (fetched tensors may
// outlive every runtime). Null when the system gives no pinned memory.
Allocator* PinnedHostPool() {
  static Allocator* const pool = []() -> Allocator* {
    absl::StatusOr<std::unique_ptr<SubAllocator>> sub = CreateCudaHostSubAllocator();
    if (!sub.ok()) return nullptr;
    BfcOptions bfc;
    bfc.name = "cuda_host_bfc";
    bfc.allow_growth = true;
    bfc.release_after_idle_ops = kHostPoolIdleOps;
    return CreateBfcAllocator(*std::move(sub), bfc).release();
  }();
  return pool;
}

// `address_space`: the VMM range, the card's total memory (only addresses:
// a range no larger than the limit could leave no gap for a region that
// still fits under the limit).
absl::StatusOr<std::unique_ptr<SubAllocator>> DeviceMemory(int physical_id, int64_t address_space,
                                                           bool allow_growth) {
  if (allow_growth) {
    absl::StatusOr<std::unique_ptr<SubAllocator>> vmm =
        CreateCudaVmmSubAllocator(physical_id, static_cast<size_t>(address_space));
    if (vmm.ok()) return vmm;
    // No VMM support (old driver, some virtualised GPUs): plain regions.
  }
  return CreateCudaMallocSubAllocator(physical_id);
}

// The memory options of `physical` with a SetLogicalDeviceConfiguration of it
// applied (it overrides RuntimeOptions::gpu_memory's limits).
GpuMemoryOptions OptionsFor(const PhysicalDevice& physical,
                            std::span<const LogicalDeviceConfiguration> logical,
                            const RuntimeOptions& runtime) {
  GpuMemoryOptions options;
  if (physical.id < static_cast<int>(runtime.gpu_memory.size())) {
    options = runtime.gpu_memory[physical.id];
  }
  if (logical.size() == 1 && logical[0].memory_limit_mb > 0) {
    options.memory_limit_mb = logical[0].memory_limit_mb;
    options.logical_device_limits_mb.clear();
  } else if (logical.size() > 1) {
    options.logical_device_limits_mb.clear();
    for (const LogicalDeviceConfiguration& c : logical) {
      options.logical_device_limits_mb.push_back(c.memory_limit_mb);
    }
  }
  return options;
}

class CudaDeviceFactory final : public DeviceFactory {
 public:
  std::string type() const override { return "GPU"; }

  std::vector<PhysicalDevice> Discover() override {
    std::vector<PhysicalDevice> out;
    const int gpus = CudaDeviceCount();
    for (int i = 0; i < gpus; ++i) {
      out.push_back({absl::StrCat("/physical_device:GPU:", i), "GPU", i, CudaDeviceDescription(i)});
    }
    return out;
  }

  absl::Status CheckConfiguration(const PhysicalDevice& physical,
                                  std::span<const LogicalDeviceConfiguration> logical) override {
    if (logical.size() <= 1) return absl::OkStatus();
    for (size_t k = 0; k < logical.size(); ++k) {
      if (logical[k].memory_limit_mb <= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "splitting ", physical.name, " into ", logical.size(),
            " logical devices needs a memory_limit_mb (> 0) for each; entry ", k, " has ",
            logical[k].memory_limit_mb));
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<std::unique_ptr<Device>>> CreateDevices(
      const PhysicalDevice& physical, std::span<const LogicalDeviceConfiguration> logical,
      const RuntimeOptions& runtime, int first_id) override {
    const int physical_id = physical.id;
    const std::string& where = physical.name;
    const GpuMemoryOptions options = OptionsFor(physical, logical, runtime);
    absl::StatusOr<CudaMemoryInfo> memory = QueryCudaMemory(physical_id);
    if (!memory.ok()) {
      return absl::Status(memory.status().code(),
                          absl::StrCat(where, ": ", memory.status().message()));
    }
    absl::StatusOr<ResolvedGpuMemory> resolved =
        ResolveGpuMemoryOptions(options, memory->free_bytes, memory->total_bytes);
    if (!resolved.ok()) {
      return absl::Status(resolved.status().code(),
                          absl::StrCat(where, ": ", resolved.status().message()));
    }
    // Without pinned memory fetches land in ordinary host memory.
    Allocator* pinned = PinnedHostPool();
    std::vector<std::unique_ptr<Device>> out;
    for (size_t k = 0; k < resolved->limit_bytes.size(); ++k) {
      const int id = first_id + static_cast<int>(k);
      const int64_t limit = resolved->limit_bytes[k];
      DeviceAttributes attributes;
      attributes.name = FullDeviceName("GPU", id);
      attributes.type = "GPU";
      attributes.id = id;
      attributes.physical_id = physical_id;
      attributes.description = physical.description;
      attributes.memory_limit = limit;
      absl::StatusOr<std::unique_ptr<SubAllocator>> sub = DeviceMemory(
          physical_id, std::max(limit, memory->total_bytes), resolved->allow_growth);
      if (!sub.ok()) {
        return absl::Status(sub.status().code(),
                            absl::StrCat(where, ": ", sub.status().message()));
      }
      BfcOptions bfc;
      bfc.name = absl::StrCat("gpu_bfc_", id);
      bfc.memory_limit = static_cast<size_t>(limit);
      bfc.allow_growth = resolved->allow_growth;
      absl::StatusOr<std::unique_ptr<CudaDevice>> device = CudaDevice::Create(
          std::move(attributes), physical_id, CreateBfcAllocator(*std::move(sub), bfc), pinned);
      if (!device.ok()) {
        return absl::Status(device.status().code(),
                            absl::StrCat(where, ": ", device.status().message()));
      }
      out.push_back(*std::move(device));
    }
    return out;
  }

  int64_t ReleaseSharedMemory() override {
    Allocator* pinned = PinnedHostPool();
    return pinned != nullptr ? static_cast<int64_t>(pinned->Release()) : 0;
  }
};

}  // namespace

GRAPHRT_REGISTER_DEVICE_FACTORY(CudaDeviceFactory);

// Referenced by the linker flag graphrt::cuda_device exports (-u), so that
// static links keep this file and its registration.
extern "C" void graphrt_link_cuda_device() {}

}  // namespace graphrt
