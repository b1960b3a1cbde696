// CreateGpuDevices: the logical GPU devices of one physical GPU, as parts
// the Runtime assembles into Devices: attributes, a BFC allocator over the
// card's memory, and the device's streams (CudaQueue).
//
// Memory (core/memory/gpu_memory_options.h): the options are resolved
// against cudaMemGetInfo once. Without growth each logical device's pool
// takes its whole limit at the first allocation (cudaMalloc); with growth it
// grows in granules inside one reserved address range (the CUDA virtual
// memory sub-allocator, falling back to cudaMalloc regions where the driver
// lacks VMM) and Release() gives wholly free regions back to the driver.
//
// Built with CUDA only (library graphrt::gpu_device); this header has no
// CUDA types. Thread-safety: call from one thread (Runtime initialisation).
#ifndef GRAPHRT_CORE_EXECUTOR_GPU_DEVICE_FACTORY_H_
#define GRAPHRT_CORE_EXECUTOR_GPU_DEVICE_FACTORY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/executor/gpu_queue.h"
#include "core/memory/allocator.h"
#include "core/memory/gpu_memory_options.h"
#include "core/placer/device_attributes.h"

namespace graphrt {

struct GpuDeviceParts {
  DeviceAttributes attributes;
  std::unique_ptr<Allocator> allocator;  // device memory; outlives `queue`'s users
  std::unique_ptr<GpuQueue> queue;
};

// One entry per logical device of CUDA device `physical_id` (one entry
// unless options.logical_device_limits_mb splits it), with logical ids
// first_id, first_id + 1, ... `description` names the card in the
// attributes. `pinned` (may be null) stages fetches. An error (no memory
// left, streams that cannot be made) names the physical device.
absl::StatusOr<std::vector<GpuDeviceParts>> CreateGpuDevices(int physical_id,
                                                             const std::string& description,
                                                             const GpuMemoryOptions& options,
                                                             int first_id, Allocator* pinned);

// The process-wide growing BFC pool of page-locked host memory that stages
// copies and holds fetched GPU tensors; never destroyed (fetched tensors may
// outlive every runtime). Null when the system gives no pinned memory.
Allocator* PinnedHostPool();

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_GPU_DEVICE_FACTORY_H_
