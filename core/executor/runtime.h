// Runtime: the device set of a process, made explicit (no hidden globals).
//
//   auto runtime = Runtime::Create();
//   auto cpu = runtime->ListPhysicalDevices("CPU")[0];
//   runtime->SetLogicalDeviceConfiguration(cpu, {{}, {}, {}});  // three CPUs
//   SessionOptions options;
//   options.runtime = runtime;   // sessions share its devices
//
// Physical devices are discovered when the runtime is made, by every
// registered device factory (core/executor/device_factory.h): the host CPU
// always; GPUs through the CUDA runtime when graphrt::cuda_device is linked,
// where "no driver" or "no device" counts as zero GPUs. Logical devices are
// created from the configuration on first use (ListLogicalDevices,
// Initialize, or a session using the runtime); after that a configuration
// change is FAILED_PRECONDITION, as in TF. Each logical device has its own
// queue and memory pool (core/executor/device.h); a physical device that
// fails to start (no memory left, a broken driver) is left out of the
// logical devices with the reason on stderr and in device_startup_errors().
//
// Thread-safety: all methods are thread-safe.
#ifndef GRAPHRT_CORE_EXECUTOR_RUNTIME_H_
#define GRAPHRT_CORE_EXECUTOR_RUNTIME_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "core/base/sync.h"
#include "core/memory/allocator.h"
#include "core/memory/gpu_memory_options.h"
#include "core/placer/device_attributes.h"

namespace graphrt {

class CollectiveCommunicator;
class Device;
class DeviceFactory;

struct PhysicalDevice {
  std::string name;         // "/physical_device:CPU:0"
  std::string type;         // "CPU", "GPU"
  int id = 0;
  std::string description;  // what the system says it is
};

struct LogicalDeviceConfiguration {
  // CPU: the device's inter-op and intra-op pool sizes; 0: RuntimeOptions'.
  int inter_op_threads = 0;
  int intra_op_threads = 0;
  // The device's memory limit in MiB. CPU: > 0 gives the device a BFC
  // allocator of its own with that hard limit (0: RuntimeOptions'). GPU:
  // required (> 0) when a GPU is split into several logical devices; for a
  // single logical GPU, 0 takes RuntimeOptions::gpu_memory's limit.
  int64_t memory_limit_mb = 0;
};

struct RuntimeOptions {
  // Pool sizes of logical CPU devices that do not set their own; 0 = cores.
  int inter_op_threads = 0;
  int intra_op_threads = 0;
  // Memory of CPU devices without a limit; null: HostPoolAllocator().
  Allocator* cpu_allocator = nullptr;
  // Default memory limit of logical CPU devices in MiB; 0: none (plain
  // host memory). With a limit, each device allocates from its own BFC
  // pool and an OOM names the node and explains itself (core/memory).
  int64_t cpu_memory_limit_mb = 0;
  // Memory options by physical GPU id (missing entries: defaults, i.e. the
  // free memory minus a reserve, no growth unless
  // GRAPHRT_FORCE_GPU_ALLOW_GROWTH=true). A SetLogicalDeviceConfiguration
  // of the GPU overrides logical_device_limits_mb.
  std::vector<GpuMemoryOptions> gpu_memory = {};
  // Collectives with other processes (core/executor/collective_communicator.h,
  // e.g. CreateGlooCommunicator(spec)): a service of every logical CPU
  // device, used by collective ops whose communication_hint is "cluster".
  // null: none (such ops fail with FAILED_PRECONDITION).
  std::shared_ptr<CollectiveCommunicator> communicator = nullptr;
};

class Runtime {
 public:
  static std::shared_ptr<Runtime> Create(const RuntimeOptions& options = {});
  ~Runtime();

  // Physical devices of `type` ("" for all), CPU first.
  std::vector<PhysicalDevice> ListPhysicalDevices(absl::string_view type = {}) const;

  // Splits `device` into logical devices, one per entry. Before the logical
  // devices exist only; FAILED_PRECONDITION after, INVALID_ARGUMENT for an
  // unknown device, an empty list, or a configuration its device type
  // refuses (a GPU split without a memory limit per logical device).
  absl::Status SetLogicalDeviceConfiguration(const PhysicalDevice& device,
                                             std::vector<LogicalDeviceConfiguration> logical);

  // Creates the logical devices (once); later calls do nothing.
  absl::Status Initialize();
  bool initialized() const;

  // Logical devices of `type` ("" for all), creating them if needed.
  std::vector<DeviceAttributes> ListLogicalDevices(absl::string_view type = {});
  // All logical devices, CPU:0 first; creates them if needed. The runtime
  // owns them (core/executor/device.h).
  std::vector<Device*> devices();
  // Gives every wholly free region of the runtime's memory pools (the pools
  // of limited CPU devices and of GPU devices, and the pinned staging pool)
  // back to the system; returns the bytes given back. Live tensors are
  // untouched; pools grow again on demand (a GPU pool without growth takes
  // its whole limit again at its next allocation).
  int64_t ReleaseUnusedMemory();
  // Why physical devices were left out of the logical devices, one line each.
  std::vector<std::string> device_startup_errors();
  // The same lines, for GPUs only.
  std::vector<std::string> gpu_startup_errors();

 private:
  struct Physical {
    PhysicalDevice device;
    DeviceFactory* factory = nullptr;
  };
  struct StartupError {
    std::string type;
    std::string why;
  };

  explicit Runtime(const RuntimeOptions& options);
  absl::Status InitializeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The startup errors of devices of `type` ("" for all), after initialising.
  std::vector<std::string> StartupErrors(absl::string_view type);

  const RuntimeOptions options_;
  std::vector<Physical> physical_;  // CPU first, then by factory
  mutable Mutex mu_;
  // Configuration by physical device index; empty: one default logical device.
  std::vector<std::vector<LogicalDeviceConfiguration>> config_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Device>> devices_ ABSL_GUARDED_BY(mu_);
  std::vector<DeviceFactory*> used_factories_ ABSL_GUARDED_BY(mu_);  // made a device
  std::vector<StartupError> startup_errors_ ABSL_GUARDED_BY(mu_);
  bool initialized_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_RUNTIME_H_
