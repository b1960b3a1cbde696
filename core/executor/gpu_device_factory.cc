#include "core/executor/gpu_device_factory.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/executor/cuda_queue.h"
#include "core/memory/bfc_allocator.h"
#include "core/memory/cuda_sub_allocators.h"
#include "core/placer/device_name.h"

namespace graphrt {
namespace {

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

}  // namespace

absl::StatusOr<std::vector<GpuDeviceParts>> CreateGpuDevices(int physical_id,
                                                             const std::string& description,
                                                             const GpuMemoryOptions& options,
                                                             int first_id, Allocator* pinned) {
  const std::string where = absl::StrCat("/physical_device:GPU:", physical_id);
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
  std::vector<GpuDeviceParts> out;
  for (size_t k = 0; k < resolved->limit_bytes.size(); ++k) {
    const int id = first_id + static_cast<int>(k);
    const int64_t limit = resolved->limit_bytes[k];
    GpuDeviceParts parts;
    parts.attributes.name = FullDeviceName("GPU", id);
    parts.attributes.type = "GPU";
    parts.attributes.id = id;
    parts.attributes.physical_id = physical_id;
    parts.attributes.description = description;
    parts.attributes.memory_limit = limit;
    absl::StatusOr<std::unique_ptr<SubAllocator>> sub =
        DeviceMemory(physical_id, std::max(limit, memory->total_bytes), resolved->allow_growth);
    if (!sub.ok()) {
      return absl::Status(sub.status().code(), absl::StrCat(where, ": ", sub.status().message()));
    }
    BfcOptions bfc;
    bfc.name = absl::StrCat("gpu_bfc_", id);
    bfc.memory_limit = static_cast<size_t>(limit);
    bfc.allow_growth = resolved->allow_growth;
    parts.allocator = CreateBfcAllocator(*std::move(sub), bfc);
    absl::StatusOr<std::unique_ptr<CudaQueue>> queue =
        CudaQueue::Create(physical_id, parts.attributes.name, pinned);
    if (!queue.ok()) {
      return absl::Status(queue.status().code(),
                          absl::StrCat(where, ": ", queue.status().message()));
    }
    parts.queue = *std::move(queue);
    out.push_back(std::move(parts));
  }
  return out;
}

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

}  // namespace graphrt
