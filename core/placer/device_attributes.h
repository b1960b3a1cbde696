// DeviceAttributes: what the placer knows about one logical device.
//
// The executor's devices carry these; placement tests build them by hand
// (placement is a pure function of the graph, these descriptors and the
// kernel registry, so a GPU descriptor needs no GPU).
//
// Thread-safety: a plain value.
#ifndef GRAPHRT_CORE_PLACER_DEVICE_ATTRIBUTES_H_
#define GRAPHRT_CORE_PLACER_DEVICE_ATTRIBUTES_H_

#include <cstdint>
#include <string>

#include "core/placer/device_name.h"

namespace graphrt {

inline constexpr char kCpuDeviceName[] = "/job:localhost/replica:0/task:0/device:CPU:0";

struct DeviceAttributes {
  std::string name;         // full name, /job:localhost/replica:0/task:0/device:GPU:0
  std::string type;         // "CPU", "GPU", ...
  int id = 0;               // logical index among devices of its type
  int physical_id = 0;      // the physical device it lives on
  std::string description;  // e.g. "NVIDIA H100, pci bus id 0000:00:05.0"
  int64_t memory_limit = 0; // bytes; 0: none set

  // The name as a fully specified DeviceSpec.
  DeviceSpec spec() const;
};

// A CPU device descriptor with the given logical index.
DeviceAttributes CpuDeviceAttributes(int id);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_PLACER_DEVICE_ATTRIBUTES_H_
