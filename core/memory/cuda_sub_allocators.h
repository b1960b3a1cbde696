// CUDA sub-allocators: device memory (cudaMalloc), a virtual-memory pool
// (cuMemAddressReserve + cuMemCreate/cuMemMap in granules) and pinned host
// memory (cudaHostAlloc), plus device queries used by the GPU device factory.
//
// Only built when graphrt is built with CUDA (graphrt::memory then defines
// GRAPHRT_MEMORY_HAVE_CUDA=1); this header itself includes no CUDA headers.
// The driver is reached through cudaGetDriverEntryPointByVersion, so binaries
// load and run (reporting errors) on machines without a GPU driver.
//
// Thread-safety: every function and every returned SubAllocator is
// thread-safe. The calling thread's current CUDA device is preserved.
// Errors: every CUDA error comes back as a status carrying CUDA's error name
// and string; nothing aborts.
#ifndef GRAPHRT_CORE_MEMORY_CUDA_SUB_ALLOCATORS_H_
#define GRAPHRT_CORE_MEMORY_CUDA_SUB_ALLOCATORS_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "core/memory/sub_allocator.h"

namespace graphrt {

struct CudaMemoryInfo {
  int64_t free_bytes = 0;
  int64_t total_bytes = 0;
};

// cudaGetDeviceCount; an error status (e.g. "cudaErrorNoDevice") when there is
// no usable device or driver.
absl::StatusOr<int> CudaMemoryDeviceCount();
// cudaMemGetInfo on `device`.
absl::StatusOr<CudaMemoryInfo> QueryCudaMemory(int device);

// cudaMalloc/cudaFree on `device`; granularity 2 MiB (the driver's page).
// memory_space(): MemorySpace::Device("GPU", device).
absl::StatusOr<std::unique_ptr<SubAllocator>> CreateCudaMallocSubAllocator(int device);

// Reserves `address_space_bytes` of virtual addresses on `device` once, then
// backs each Alloc with physical memory (cuMemCreate) mapped at the lowest free
// offset of that range, in multiples of the allocation granularity (2 MiB on
// current GPUs). Free unmaps and releases the physical memory, so the driver
// (and cudaMemGetInfo) sees it at once. See Note [VMM regions].
// memory_space(): MemorySpace::Device("GPU", device).
absl::StatusOr<std::unique_ptr<SubAllocator>> CreateCudaVmmSubAllocator(
    int device, size_t address_space_bytes);

// Page-locked host memory (cudaHostAlloc, portable); granularity 2 MiB.
// memory_space(): MemorySpace::PinnedHost().
absl::StatusOr<std::unique_ptr<SubAllocator>> CreateCudaHostSubAllocator();

}  // namespace graphrt

#endif  // GRAPHRT_CORE_MEMORY_CUDA_SUB_ALLOCATORS_H_
