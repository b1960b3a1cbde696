// FakeDeviceMemory: host memory that reports itself as device memory of a
// given type, so executor and device tests can exercise device-memory paths
// (fetch staging, copies through the Device interface) without a device.
// Only code written for device memory (device_data<T>(), the devices' copy
// functions) may touch its bytes; data<T>() aborts on them in debug builds.
#ifndef GRAPHRT_TESTS_EXECUTOR_FAKE_DEVICE_MEMORY_H_
#define GRAPHRT_TESTS_EXECUTOR_FAKE_DEVICE_MEMORY_H_

#include <string>
#include <utility>

#include "core/memory/allocator.h"
#include "core/memory/memory_space.h"

namespace graphrt::testing {

class FakeDeviceMemory final : public Allocator {
 public:
  explicit FakeDeviceMemory(std::string type = "GPU") : type_(std::move(type)) {}
  std::string Name() const override { return "fake_" + type_ + "_memory"; }
  void* AllocateRaw(size_t alignment, size_t bytes) override {
    return HostAllocator()->AllocateRaw(alignment, bytes);
  }
  void DeallocateRaw(void* ptr) override { HostAllocator()->DeallocateRaw(ptr); }
  AllocatorStats GetStats() const override { return HostAllocator()->GetStats(); }
  MemorySpace memory_space() const override { return MemorySpace::Device(type_, 0); }

 private:
  std::string type_;
};

}  // namespace graphrt::testing

#endif  // GRAPHRT_TESTS_EXECUTOR_FAKE_DEVICE_MEMORY_H_
