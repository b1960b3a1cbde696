// Tensor and memory spaces: a tensor in device memory is never read by the
// host (DebugString without values, Clone refused, data<T>() aborting in debug
// builds); host tensors behave as before.
#include "core/graph/tensor.h"

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "core/memory/allocator.h"
#include "core/memory/memory_space.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// Host memory underneath (so a bug that reads it is a wrong answer here, not
// a crash), reporting GPU:0 device memory.
class FakeDeviceAllocator final : public Allocator {
 public:
  std::string Name() const override { return "fake_gpu_0"; }
  void* AllocateRaw(size_t alignment, size_t bytes) override {
    return HostAllocator()->AllocateRaw(alignment, bytes);
  }
  void DeallocateRaw(void* ptr) override { HostAllocator()->DeallocateRaw(ptr); }
  AllocatorStats GetStats() const override { return {}; }
  MemorySpace memory_space() const override { return MemorySpace::Device("GPU", 0); }
};

class PinnedAllocator final : public Allocator {
 public:
  std::string Name() const override { return "fake_pinned"; }
  void* AllocateRaw(size_t alignment, size_t bytes) override {
    return HostAllocator()->AllocateRaw(alignment, bytes);
  }
  void DeallocateRaw(void* ptr) override { HostAllocator()->DeallocateRaw(ptr); }
  AllocatorStats GetStats() const override { return {}; }
  MemorySpace memory_space() const override { return MemorySpace::PinnedHost(); }
};

Tensor DeviceTensor(FakeDeviceAllocator* device) {
  absl::StatusOr<Tensor> t = Tensor::Allocate(device, DataType::kFloat32, TensorShape{2, 3});
  EXPECT_TRUE(t.ok()) << t.status();
  return *std::move(t);
}

TEST(TensorTest, HostTensorIsHostAccessibleAndPrintsItsValues) {
  const Tensor t = Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, TensorShape{2, 3});
  EXPECT_TRUE(t.host_accessible());
  EXPECT_EQ(t.memory_space(), MemorySpace::Host());
  EXPECT_EQ(t.DebugString(), "float32[2,3] {1, 2, 3, 4, 5, 6}");
  EXPECT_EQ(t.DebugString(2), "float32[2,3] {1, 2, ...}");
}

TEST(TensorTest, HostTensorClonesToADistinctEqualBuffer) {
  const Tensor t = Tensor::FromVector<int32_t>({7, 8, 9});
  absl::StatusOr<Tensor> copy = t.Clone();
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_FALSE(copy->SharesBufferWith(t));
  EXPECT_EQ(copy->allocator(), HostAllocator());
  EXPECT_EQ(copy->DebugString(), "int32[3] {7, 8, 9}");
  copy->data<int32_t>()[0] = 70;
  EXPECT_EQ(t.data<int32_t>()[0], 7);
}

TEST(TensorTest, PinnedHostTensorIsHostAccessibleAndClones) {
  PinnedAllocator pinned;
  const Tensor host = Tensor::FromVector<float>({1.5f, 2.5f});
  absl::StatusOr<Tensor> t = host.Clone(&pinned);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->host_accessible());
  EXPECT_EQ(t->memory_space(), MemorySpace::PinnedHost());
  EXPECT_EQ(t->DebugString(), "float32[2] {1.5, 2.5}");
  EXPECT_EQ(t->scalar<float>(), 1.5f);
}

class NamedResource final : public ResourceBase {
 public:
  std::string DebugString() const override { return "var"; }
};

TEST(TensorTest, UninitialisedAndResourceTensorsAreHost) {
  const Tensor none;
  EXPECT_TRUE(none.host_accessible());
  EXPECT_THAT(none.DebugString(), HasSubstr("<uninitialised>"));
  const Tensor r = Tensor::FromResource(std::make_shared<NamedResource>());
  EXPECT_TRUE(r.host_accessible());
  EXPECT_THAT(r.DebugString(), HasSubstr("{var}"));
  absl::StatusOr<Tensor> same = r.Clone();
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_TRUE(same->SharesBufferWith(r));
}

TEST(TensorTest, DeviceTensorIsNotHostAccessible) {
  FakeDeviceAllocator device;
  const Tensor t = DeviceTensor(&device);
  EXPECT_FALSE(t.host_accessible());
  EXPECT_EQ(t.memory_space(), MemorySpace::Device("GPU", 0));
  EXPECT_NE(t.raw_data(), nullptr);  // the device pointer, unchecked
  EXPECT_EQ(t.device_data<float>(), t.raw_data());
}

TEST(TensorTest, DeviceTensorDebugStringNamesTheSpaceWithoutValues) {
  FakeDeviceAllocator device;
  Tensor t = DeviceTensor(&device);
  static_cast<float*>(t.raw_data())[0] = 12345.0f;  // host memory in truth
  EXPECT_EQ(t.DebugString(), "float32[2,3] (in GPU:0 device memory)");
  EXPECT_THAT(t.DebugString(), Not(HasSubstr("12345")));
}

TEST(TensorTest, CloningADeviceTensorIsAFailedPrecondition) {
  FakeDeviceAllocator device;
  const Tensor t = DeviceTensor(&device);
  for (Allocator* target : {static_cast<Allocator*>(nullptr), HostAllocator(),
                            static_cast<Allocator*>(&device)}) {
    absl::StatusOr<Tensor> copy = t.Clone(target);
    ASSERT_FALSE(copy.ok());
    EXPECT_EQ(copy.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(copy.status().message(),
                AllOf(HasSubstr("float32[2,3]"), HasSubstr("from GPU:0 device memory"),
                      HasSubstr("copy it through the device")));
  }
  EXPECT_THAT(t.Clone().status().message(), HasSubstr("to host"));
}

TEST(TensorTest, CloningAHostTensorOntoDeviceMemoryIsAFailedPrecondition) {
  FakeDeviceAllocator device;
  const Tensor host = Tensor::FromVector<float>({1, 2, 3});
  absl::StatusOr<Tensor> copy = host.Clone(&device);
  ASSERT_FALSE(copy.ok());
  EXPECT_EQ(copy.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(copy.status().message(),
              AllOf(HasSubstr("from host"), HasSubstr("to GPU:0 device memory"),
                    HasSubstr("'fake_gpu_0'"), HasSubstr("copy it through the device")));
}

#ifndef NDEBUG
TEST(TensorDeathTest, HostAccessToADeviceTensorAbortsInDebugBuilds) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  FakeDeviceAllocator device;
  const Tensor t = DeviceTensor(&device);
  EXPECT_DEATH(t.data<float>(),
               "host access to a tensor in GPU:0 device memory: copy it to the host "
               "first \\(float32\\[2,3\\]");
  EXPECT_DEATH(t.flat<float>(), "host access to a tensor in GPU:0 device memory");
  EXPECT_DEATH(t.scalar<float>(), "host access to a tensor in GPU:0 device memory");
}
#endif

}  // namespace
}  // namespace graphrt
