// MemorySpace: names, host accessibility, and the space each allocator and
// sub-allocator reports (host, BFC over host, BFC over a device-like source).
#include "core/memory/memory_space.h"

#include <memory>
#include <string>

#include "core/memory/allocator.h"
#include "core/memory/bfc_allocator.h"
#include "core/memory/sub_allocator.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

// Host memory that says it is device memory: lets a test build a "device"
// pool on a machine without a GPU (nothing here dereferences it as device).
class FakeDeviceSubAllocator final : public SubAllocator {
 public:
  explicit FakeDeviceSubAllocator(int device) : device_(device) {}
  absl::StatusOr<SubAllocation> Alloc(size_t bytes) override { return host_->Alloc(bytes); }
  absl::Status Free(void* ptr, size_t bytes) override { return host_->Free(ptr, bytes); }
  std::string Name() const override { return "fake_device"; }
  size_t Granularity() const override { return host_->Granularity(); }
  MemorySpace memory_space() const override { return MemorySpace::Device("GPU", device_); }

 private:
  const int device_;
  std::unique_ptr<SubAllocator> host_ = CreateHostSubAllocator();
};

TEST(MemorySpaceTest, NamesEachKind) {
  EXPECT_EQ(MemorySpace::Host().ToString(), "host");
  EXPECT_EQ(MemorySpace::PinnedHost().ToString(), "pinned host");
  EXPECT_EQ(MemorySpace::Device("GPU", 0).ToString(), "GPU:0 device memory");
  EXPECT_EQ(MemorySpace::Device("GPU", 3).ToString(), "GPU:3 device memory");
}

TEST(MemorySpaceTest, OnlyDeviceMemoryIsNotHostAccessible) {
  EXPECT_TRUE(MemorySpace::Host().host_accessible());
  EXPECT_TRUE(MemorySpace::PinnedHost().host_accessible());
  EXPECT_FALSE(MemorySpace::Device("GPU", 0).host_accessible());
}

TEST(MemorySpaceTest, EqualityComparesKindTypeAndDevice) {
  EXPECT_EQ(MemorySpace::Host(), MemorySpace{});
  EXPECT_EQ(MemorySpace::Device("GPU", 1), MemorySpace::Device("GPU", 1));
  EXPECT_NE(MemorySpace::Device("GPU", 0), MemorySpace::Device("GPU", 1));
  EXPECT_NE(MemorySpace::Host(), MemorySpace::PinnedHost());
  EXPECT_NE(MemorySpace::Host(), MemorySpace::Device("GPU", 0));
}

TEST(MemorySpaceTest, HostAllocatorsAreHost) {
  EXPECT_EQ(HostAllocator()->memory_space(), MemorySpace::Host());
  EXPECT_EQ(HostPoolAllocator()->memory_space(), MemorySpace::Host());
  EXPECT_EQ(CreateHostSubAllocator()->memory_space(), MemorySpace::Host());
}

TEST(MemorySpaceTest, BfcReportsItsSubAllocatorsSpace) {
  auto host_bfc = CreateBfcAllocator(CreateHostSubAllocator());
  EXPECT_EQ(host_bfc->memory_space(), MemorySpace::Host());

  auto device_bfc = CreateBfcAllocator(std::make_unique<FakeDeviceSubAllocator>(2));
  const Allocator* base = device_bfc.get();
  EXPECT_EQ(base->memory_space(), MemorySpace::Device("GPU", 2));
  EXPECT_FALSE(base->memory_space().host_accessible());
  EXPECT_EQ(base->memory_space().ToString(), "GPU:2 device memory");
  // The space is fixed at construction: allocating does not change it.
  void* p = device_bfc->AllocateRaw(64, 1000);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(base->memory_space(), MemorySpace::Device("GPU", 2));
  device_bfc->DeallocateRaw(p);
}

}  // namespace
}  // namespace graphrt
