// The CPU device type (cpu_device.h).
#include "core/executor/cpu_device.h"

#include "absl/strings/str_cat.h"
#include "core/memory/bfc_allocator.h"

namespace graphrt {
namespace {

class CpuDeviceFactory final : public DeviceFactory {
 public:
  std::string type() const override { return "CPU"; }

  std::vector<PhysicalDevice> Discover() override {
    return {{"/physical_device:CPU:0", "CPU", 0, "host CPU"}};
  }

  absl::StatusOr<std::vector<std::unique_ptr<Device>>> CreateDevices(
      const PhysicalDevice& physical, std::span<const LogicalDeviceConfiguration> logical,
      const RuntimeOptions& options, int first_id) override {
    const LogicalDeviceConfiguration one_default;
    if (logical.empty()) logical = {&one_default, 1};
    Allocator* shared =
        options.cpu_allocator != nullptr ? options.cpu_allocator : HostPoolAllocator();
    std::vector<std::unique_ptr<Device>> out;
    for (const LogicalDeviceConfiguration& c : logical) {
      DeviceAttributes attrs = CpuDeviceAttributes(first_id + static_cast<int>(out.size()));
      attrs.physical_id = physical.id;
      const int inter = ResolveThreadCount(c.inter_op_threads > 0 ? c.inter_op_threads
                                                                  : options.inter_op_threads);
      const int intra = ResolveThreadCount(c.intra_op_threads > 0 ? c.intra_op_threads
                                                                  : options.intra_op_threads);
      const int64_t limit_mb =
          c.memory_limit_mb > 0 ? c.memory_limit_mb : options.cpu_memory_limit_mb;
      std::unique_ptr<Allocator> owned;
      if (limit_mb > 0) {
        BfcOptions bfc;
        bfc.name = absl::StrCat("cpu_bfc_", attrs.id);
        bfc.memory_limit = static_cast<size_t>(limit_mb) << 20;
        owned = CreateBfcAllocator(CreateHostSubAllocator(), bfc);
        attrs.memory_limit = limit_mb << 20;
      }
      Allocator* allocator = owned != nullptr ? owned.get() : shared;
      out.push_back(CreateCpuDevice(std::move(attrs), inter, intra, allocator, std::move(owned)));
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Device> CreateCpuDevice(DeviceAttributes attributes, int inter_op_threads,
                                        int intra_op_threads, Allocator* allocator,
                                        std::unique_ptr<Allocator> owned) {
  DeviceQueueOptions queue;
  queue.inter_op_threads = inter_op_threads;
  queue.intra_op_threads = intra_op_threads;
  return std::make_unique<Device>(std::move(attributes), allocator, std::move(owned), queue);
}

std::unique_ptr<DeviceFactory> CreateCpuDeviceFactory() {
  return std::make_unique<CpuDeviceFactory>();
}

}  // namespace graphrt
