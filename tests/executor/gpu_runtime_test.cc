// Logical GPU devices made by the Runtime: one BFC pool each with its own
// limit, memory reported per device, and GPU start-up errors reported
// rather than fatal. Every case needs a GPU and skips, saying why, without.
#include <memory>
#include <vector>

#include "core/executor/device.h"
#include "core/executor/runtime.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

#define SKIP_WITHOUT_GPU(runtime)                                                          \
  if ((runtime)->ListPhysicalDevices("GPU").empty())                                       \
  GTEST_SKIP() << "no GPU: graphrt built without CUDA, or the CUDA runtime sees no device"

constexpr size_t kMiB = size_t{1} << 20;

TEST(GpuRuntimeTest, SplitGpuGivesTwoDevicesThatEachRefusePastTheirLimit) {
  auto runtime = Runtime::Create();
  SKIP_WITHOUT_GPU(runtime);
  const PhysicalDevice gpu0 = runtime->ListPhysicalDevices("GPU")[0];
  LogicalDeviceConfiguration one_gib;
  one_gib.memory_limit_mb = 1024;
  ASSERT_TRUE(runtime->SetLogicalDeviceConfiguration(gpu0, {one_gib, one_gib}).ok());
  std::vector<DeviceAttributes> logical = runtime->ListLogicalDevices("GPU");
  ASSERT_EQ(logical.size(), 2u) << ::testing::PrintToString(runtime->gpu_startup_errors());
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(logical[i].id, i);
    EXPECT_EQ(logical[i].physical_id, gpu0.id);
    EXPECT_EQ(logical[i].memory_limit, int64_t{1024} << 20);
    EXPECT_THAT(logical[i].description, HasSubstr("pci bus id"));
  }
  std::vector<Device*> gpus;
  for (Device* d : runtime->devices()) {
    if (d->type() == "GPU") gpus.push_back(d);
  }
  ASSERT_EQ(gpus.size(), 2u);
  for (Device* d : gpus) {
    ASSERT_TRUE(d->asynchronous()) << d->name();  // launches on its streams
    EXPECT_FALSE(d->host_memory()) << d->name();
    Allocator* a = d->allocator();
    void* big = a->AllocateRaw(256, 1536 * kMiB);
    EXPECT_EQ(big, nullptr) << d->name() << " served more than its 1 GiB";
    void* fits = a->AllocateRaw(256, 512 * kMiB);
    EXPECT_NE(fits, nullptr) << d->name();
    EXPECT_LE(a->GetStats().bytes_reserved, int64_t{1024} << 20);
    a->DeallocateRaw(fits);
  }
}

TEST(GpuRuntimeTest, SplittingAGpuNeedsALimitPerDevice) {
  auto runtime = Runtime::Create();
  SKIP_WITHOUT_GPU(runtime);
  absl::Status s = runtime->SetLogicalDeviceConfiguration(
      runtime->ListPhysicalDevices("GPU")[0], {LogicalDeviceConfiguration{}, {}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("memory_limit_mb"));
}

TEST(GpuRuntimeTest, ALimitLargerThanTheCardLeavesTheGpuOutWithAReason) {
  RuntimeOptions options;
  options.gpu_memory.resize(1);
  options.gpu_memory[0].memory_limit_mb = int64_t{1} << 30;  // 1 PiB
  auto runtime = Runtime::Create(options);
  SKIP_WITHOUT_GPU(runtime);
  EXPECT_TRUE(runtime->ListLogicalDevices("GPU").empty() ||
              runtime->ListLogicalDevices("GPU")[0].physical_id != 0);
  std::vector<std::string> errors = runtime->gpu_startup_errors();
  ASSERT_FALSE(errors.empty());
  EXPECT_THAT(errors[0], HasSubstr("/physical_device:GPU:0"));
  EXPECT_EQ(runtime->ListLogicalDevices("CPU").size(), 1u);  // the CPU still works
}

}  // namespace
}  // namespace graphrt
