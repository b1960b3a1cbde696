// DeviceFactory: discovery and creation of the devices of one type. Each
// device implementation brings one (the CPU's is built in, cpu_device.h; the
// CUDA one registers itself when graphrt::cuda_device is linked), and a
// Runtime asks every registered factory for its physical devices when it is
// made and for the logical devices when it initialises.
//
// Registration: RegisterDeviceFactory, usually from a static registrar in
// the implementation's library (GRAPHRT_REGISTER_DEVICE_FACTORY below), kept
// in the link by a linker flag the library exports (see its CMakeLists.txt).
//
// Thread-safety: registration and DeviceFactories() are thread-safe; a
// factory's methods are called under its Runtime's lock and must be
// thread-safe across runtimes.
#ifndef GRAPHRT_CORE_EXECUTOR_DEVICE_FACTORY_H_
#define GRAPHRT_CORE_EXECUTOR_DEVICE_FACTORY_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/executor/device.h"
#include "core/executor/runtime.h"

namespace graphrt {

class DeviceFactory {
 public:
  virtual ~DeviceFactory() = default;

  // "CPU", "GPU", ...
  virtual std::string type() const = 0;

  // The physical devices of this type, ids from 0. No device, no driver, or
  // an error during discovery gives an empty list, never a crash.
  virtual std::vector<PhysicalDevice> Discover() = 0;

  // Checks a logical configuration of `physical` when it is set: an
  // INVALID_ARGUMENT naming the device and the fix, or OK.
  virtual absl::Status CheckConfiguration(const PhysicalDevice& physical,
                                          std::span<const LogicalDeviceConfiguration> logical) {
    return absl::OkStatus();
  }

  // The logical devices of `physical`: one per entry of `logical` (one with
  // defaults when it is empty), with logical ids first_id, first_id + 1, ...
  // An error names the physical device; the Runtime then leaves it out and
  // records why.
  virtual absl::StatusOr<std::vector<std::unique_ptr<Device>>> CreateDevices(
      const PhysicalDevice& physical, std::span<const LogicalDeviceConfiguration> logical,
      const RuntimeOptions& options, int first_id) = 0;

  // Gives back wholly free regions of pools the factory shares between its
  // devices (pinned staging memory); returns the bytes given back.
  virtual int64_t ReleaseSharedMemory() { return 0; }
};

// Adds `factory` for its type (one per type: a second one for a type is
// ignored, with a note on stderr). Thread-safe.
void RegisterDeviceFactory(std::unique_ptr<DeviceFactory> factory);

// Every factory: the CPU's first, then the others in registration order.
std::vector<DeviceFactory*> DeviceFactories();

// GRAPHRT_REGISTER_DEVICE_FACTORY(Factory) in a .cc registers a Factory
// (default-constructed) before main() runs.
#define GRAPHRT_REGISTER_DEVICE_FACTORY(Factory)                          \
  static const bool graphrt_device_factory_registered_##Factory = [] {   \
    ::graphrt::RegisterDeviceFactory(std::make_unique<Factory>());       \
    return true;                                                          \
  }()

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_DEVICE_FACTORY_H_
