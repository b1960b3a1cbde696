// The CPU device type: logical CPU devices over the host's memory and cores,
// and their factory.
//
// A logical CPU device is a Device (device.h) with host memory (the
// process-wide host pool, or a BFC pool of its own when it has a memory
// limit), an inter-op arena of its own and an intra-op pool of its own, so
// several logical CPU devices behave like separate machines sharing memory:
// multi-device graphs run and are tested without a GPU.
//
// Thread-safety: as Device.
#ifndef GRAPHRT_CORE_EXECUTOR_CPU_DEVICE_H_
#define GRAPHRT_CORE_EXECUTOR_CPU_DEVICE_H_

#include <memory>

#include "core/executor/device.h"
#include "core/executor/device_factory.h"

namespace graphrt {

// A logical CPU device. `allocator` is shared (outlives the device) unless
// `owned` holds it.
std::unique_ptr<Device> CreateCpuDevice(DeviceAttributes attributes, int inter_op_threads,
                                        int intra_op_threads, Allocator* allocator,
                                        std::unique_ptr<Allocator> owned = nullptr);

// The CPU's DeviceFactory: one physical device (the host), split into
// logical devices by LogicalDeviceConfiguration (threads and memory limit
// per device, RuntimeOptions' by default).
std::unique_ptr<DeviceFactory> CreateCpuDeviceFactory();

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_CPU_DEVICE_H_
