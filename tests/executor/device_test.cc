// The Device interface on its own: per-device services, copies between
// devices of any two kinds, and device factories (discovery, configuration
// checks, a device type that fails to start).
#include "core/executor/device.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/executor/cpu_device.h"
#include "core/executor/device_factory.h"
#include "core/executor/kernel_registry.h"
#include "core/executor/runtime.h"
#include "core/memory/bfc_allocator.h"
#include "core/graph/builder.h"
#include "core/graph/ops/math_ops.h"
#include "core/placer/device_name.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/executor/fake_device_memory.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<Device> Cpu(int id = 0) {
  return CreateCpuDevice(CpuDeviceAttributes(id), 1, 0, HostAllocator());
}

struct Counter final : DeviceService {
  explicit Counter(int v) : value(v) {}
  int value;
};

TEST(DeviceServiceTest, MadeOnceOnFirstUseAndKeptByTheDevice) {
  auto device = Cpu();
  int made = 0;
  auto make = [&]() -> absl::StatusOr<std::unique_ptr<Counter>> {
    ++made;
    return std::make_unique<Counter>(42);
  };
  absl::StatusOr<Counter*> a = device->GetOrCreateService<Counter>(make);
  absl::StatusOr<Counter*> b = device->GetOrCreateService<Counter>(make);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ((*a)->value, 42);
  EXPECT_EQ(made, 1);
  // Another device has its own.
  auto other = Cpu(1);
  absl::StatusOr<Counter*> c = other->GetOrCreateService<Counter>(make);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(*c, *a);
  EXPECT_EQ(made, 2);
}

TEST(DeviceServiceTest, AFailedMakeIsReportedWithTheDeviceAndRetried) {
  auto device = Cpu();
  auto fail = []() -> absl::StatusOr<std::unique_ptr<Counter>> {
    return absl::UnavailableError("no handle today");
  };
  absl::StatusOr<Counter*> s = device->GetOrCreateService<Counter>(fail);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.status().message(), HasSubstr(kCpuDeviceName));
  EXPECT_THAT(s.status().message(), HasSubstr("no handle today"));
  absl::StatusOr<Counter*> ok = device->GetOrCreateService<Counter>(
      []() -> absl::StatusOr<std::unique_ptr<Counter>> { return std::make_unique<Counter>(7); });
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)->value, 7);
}

TEST(DeviceServiceTest, ConcurrentFirstUsesMakeOneService) {
  auto device = Cpu();
  std::atomic<int> made{0};
  std::vector<Counter*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      absl::StatusOr<Counter*> s = device->GetOrCreateService<Counter>(
          [&]() -> absl::StatusOr<std::unique_ptr<Counter>> {
            ++made;
            return std::make_unique<Counter>(1);
          });
      if (s.ok()) seen[t] = *s;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(made.load(), 1);
  for (Counter* c : seen) EXPECT_EQ(c, seen[0]);
}

// A device with memory of its own that only knows the host: counts its copies.
class HostOnlyDevice final : public Device {
 public:
  HostOnlyDevice(std::string type, Allocator* memory)
      : Device(Attributes(type), memory, nullptr, DeviceQueueOptions{}) {}
  absl::Status CopyFromHost(const void* src, void* dst, size_t bytes) override {
    ++from_host;
    std::memcpy(dst, src, bytes);
    return absl::OkStatus();
  }
  absl::Status CopyToHost(const void* src, void* dst, size_t bytes) override {
    ++to_host;
    std::memcpy(dst, src, bytes);
    return absl::OkStatus();
  }
  int from_host = 0, to_host = 0;

 private:
  static DeviceAttributes Attributes(const std::string& type) {
    DeviceAttributes a;
    a.type = type;
    a.name = FullDeviceName(type, 0);
    return a;
  }
};

TEST(DeviceCopyTest, EveryPairOfDeviceKindsCopiesThroughTheInterface) {
  testing::FakeDeviceMemory a_memory("ACCEL_A"), b_memory("ACCEL_B");
  HostOnlyDevice a("ACCEL_A", &a_memory), b("ACCEL_B", &b_memory);
  auto cpu = Cpu();
  EXPECT_TRUE(cpu->host_memory());
  EXPECT_FALSE(a.host_memory());
  const float src[4] = {1, 2, 3, 4};
  float on_a[4] = {}, on_b[4] = {}, back[4] = {};
  // host -> device: the destination's CopyFromHost.
  ASSERT_TRUE(a.CopyFrom(*cpu, src, on_a, sizeof(src)).ok());
  EXPECT_EQ(a.from_host, 1);
  // device -> device that do not know each other: staged through the host.
  ASSERT_TRUE(b.CopyFrom(a, on_a, on_b, sizeof(src)).ok());
  EXPECT_EQ(a.to_host, 1);
  EXPECT_EQ(b.from_host, 1);
  // device -> host: the source's CopyToHost.
  ASSERT_TRUE(cpu->CopyFrom(b, on_b, back, sizeof(src)).ok());
  EXPECT_EQ(b.to_host, 1);
  EXPECT_EQ(std::memcmp(back, src, sizeof(src)), 0);
  // Host to host: a memcpy, no device involved; zero bytes copy nothing.
  float again[4] = {};
  ASSERT_TRUE(cpu->CopyFrom(*Cpu(1), src, again, sizeof(src)).ok());
  EXPECT_EQ(std::memcmp(again, src, sizeof(src)), 0);
  ASSERT_TRUE(b.CopyFrom(a, nullptr, nullptr, 0).ok());
  EXPECT_EQ(a.to_host, 1);
}

// A device whose memory pool it owns (as every GPU device): allocator() is
// that pool, and it goes with the device.
TEST(DeviceTest, ADeviceOwningItsPoolAllocatesFromIt) {
  BfcOptions options;
  options.name = "owned_pool";
  std::unique_ptr<Allocator> pool = CreateBfcAllocator(CreateHostSubAllocator(), options);
  Allocator* raw = pool.get();
  DeviceQueueOptions queue;
  Device device(CpuDeviceAttributes(0), /*allocator=*/nullptr, std::move(pool), queue);
  EXPECT_EQ(device.allocator(), raw);
  EXPECT_EQ(device.allocator()->Name(), "owned_pool");
  EXPECT_TRUE(device.host_memory());
  void* p = device.allocator()->AllocateRaw(64, 1 << 20);
  ASSERT_NE(p, nullptr);
  device.allocator()->DeallocateRaw(p);
  EXPECT_GT(device.ReleaseOwnedMemory(), 0u);  // its wholly free region goes back
}

TEST(DeviceCopyTest, HostDevicesNeedNoStepEnd) {
  auto cpu = Cpu();
  EXPECT_FALSE(cpu->asynchronous());
  EXPECT_TRUE(cpu->Synchronize().ok());
  Tensor t = Tensor::FromVector<float>({1, 2});
  absl::StatusOr<Tensor> staged = cpu->StageToHost(t);
  ASSERT_TRUE(staged.ok());
  EXPECT_TRUE(staged->SharesBufferWith(t));  // nothing to copy
  EXPECT_EQ(cpu->RecordTimingEvent(), nullptr);
}

// A device type for factory tests: discovers `count` devices while enabled
// (other tests in this binary see none), refuses configurations of more than
// two logical devices, and fails to start physical device 1.
std::atomic<int> fake_count{0};

class FakeFactory final : public DeviceFactory {
 public:
  std::string type() const override { return "FAKE"; }
  std::vector<PhysicalDevice> Discover() override {
    std::vector<PhysicalDevice> out;
    for (int i = 0; i < fake_count.load(); ++i) {
      out.push_back({"/physical_device:FAKE:" + std::to_string(i), "FAKE", i, "a fake"});
    }
    return out;
  }
  absl::Status CheckConfiguration(const PhysicalDevice& p,
                                  std::span<const LogicalDeviceConfiguration> logical) override {
    if (logical.size() > 2) return absl::InvalidArgumentError("at most two FAKE devices each");
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<std::unique_ptr<Device>>> CreateDevices(
      const PhysicalDevice& p, std::span<const LogicalDeviceConfiguration> logical,
      const RuntimeOptions&, int first_id) override {
    if (p.id == 1) return absl::ResourceExhaustedError("out of fake memory");
    std::vector<std::unique_ptr<Device>> out;
    for (size_t k = 0; k < std::max<size_t>(1, logical.size()); ++k) {
      DeviceAttributes a;
      a.type = "FAKE";
      a.id = first_id + static_cast<int>(k);
      a.name = FullDeviceName("FAKE", a.id);
      a.physical_id = p.id;
      out.push_back(std::make_unique<Device>(std::move(a), HostAllocator(), nullptr,
                                             DeviceQueueOptions{}));
    }
    return out;
  }
};
GRAPHRT_REGISTER_DEVICE_FACTORY(FakeFactory);

class DeviceFactoryTest : public ::testing::Test {
 protected:
  void SetUp() override { fake_count = 3; }
  void TearDown() override { fake_count = 0; }
};

TEST_F(DeviceFactoryTest, RegisteredTypesAreDiscoveredConfiguredAndLeftOutWithAReason) {
  auto runtime = Runtime::Create();
  std::vector<PhysicalDevice> fakes = runtime->ListPhysicalDevices("FAKE");
  ASSERT_EQ(fakes.size(), 3u);
  EXPECT_EQ(runtime->ListPhysicalDevices()[0].type, "CPU");  // the CPU always first
  absl::Status refused = runtime->SetLogicalDeviceConfiguration(fakes[0], {{}, {}, {}});
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("at most two"));
  ASSERT_TRUE(runtime->SetLogicalDeviceConfiguration(fakes[2], {{}, {}}).ok());
  // FAKE:0 from physical 0, FAKE:1 and FAKE:2 from physical 2; physical 1 failed.
  std::vector<DeviceAttributes> logical = runtime->ListLogicalDevices("FAKE");
  ASSERT_EQ(logical.size(), 3u);
  EXPECT_EQ(logical[0].physical_id, 0);
  EXPECT_EQ(logical[1].physical_id, 2);
  EXPECT_EQ(logical[2].name, FullDeviceName("FAKE", 2));
  std::vector<std::string> errors = runtime->device_startup_errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("/physical_device:FAKE:1"));
  EXPECT_THAT(errors[0], HasSubstr("out of fake memory"));
  EXPECT_TRUE(runtime->gpu_startup_errors().empty());
}

TEST(KernelRegistryTest, ARegistryWithABaseAddsKernelsInFrontAndCanLimitTheBaseToTypes) {
  GraphBuilder b;
  Output x = b.Scalar<float>(1.0f, "x");
  ops::Add(x, x, "add");
  Graph g = b.Build().value();
  const Node& add = *g.FindNode("add");
  KernelRegistry base;
  base.Register(KernelDef{"Add", "CPU", {}, nullptr});
  base.Register(KernelDef{"Add", "GPU", {}, nullptr});
  KernelRegistry all(&base);
  EXPECT_THAT(all.SupportedDeviceTypes(add), ::testing::ElementsAre("CPU", "GPU"));
  KernelRegistry cpu_only(&base, {"CPU"});
  EXPECT_THAT(cpu_only.SupportedDeviceTypes(add), ::testing::ElementsAre("CPU"));
  EXPECT_FALSE(cpu_only.Find(add, "GPU").ok());
  cpu_only.Register(KernelDef{"Add", "TEST", {}, nullptr});
  EXPECT_THAT(cpu_only.SupportedDeviceTypes(add), ::testing::ElementsAre("CPU", "TEST"));
  absl::StatusOr<const KernelDef*> own = cpu_only.Find(add, "TEST");
  ASSERT_TRUE(own.ok());
  EXPECT_EQ((*own)->device_type, "TEST");
  // The global registry holds the kernels linked in, registered by themselves.
  EXPECT_THAT(KernelRegistry::Global().SupportedDeviceTypes(add), ::testing::Contains("CPU"));
}

}  // namespace
}  // namespace graphrt
