// GPU memory options: env override parsing, defaults, logical device limits.
#include "core/memory/gpu_memory_options.h"

#include <cstdlib>

#include "gtest/gtest.h"

namespace graphrt {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int64_t kGiB = int64_t{1} << 30;

TEST(GpuMemoryOptionsTest, ParsesTheGrowthOverride) {
  EXPECT_EQ(ParseForceAllowGrowth(nullptr), std::nullopt);
  EXPECT_EQ(ParseForceAllowGrowth("true"), true);
  EXPECT_EQ(ParseForceAllowGrowth("TRUE"), true);
  EXPECT_EQ(ParseForceAllowGrowth("false"), false);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(ParseForceAllowGrowth("yes"), std::nullopt);
  EXPECT_EQ(ParseForceAllowGrowth(""), std::nullopt);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("GRAPHRT_FORCE_GPU_ALLOW_GROWTH=\"yes\""), std::string::npos) << err;
  EXPECT_NE(err.find("ignored"), std::string::npos);
}

TEST(GpuMemoryOptionsTest, TheEnvironmentOverridesThePerGpuOption) {
  GpuMemoryOptions o;
  o.allow_growth = false;
  EXPECT_TRUE(ResolveGpuMemoryOptions(o, 8 * kGiB, 16 * kGiB, "true")->allow_growth);
  o.allow_growth = true;
  EXPECT_FALSE(ResolveGpuMemoryOptions(o, 8 * kGiB, 16 * kGiB, "false")->allow_growth);
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(ResolveGpuMemoryOptions(o, 8 * kGiB, 16 * kGiB, "1")->allow_growth);
  EXPECT_FALSE(::testing::internal::GetCapturedStderr().empty());
}

TEST(GpuMemoryOptionsTest, ReadsTheRealEnvironmentVariable) {
  GpuMemoryOptions o;
  ASSERT_EQ(setenv(kForceGpuAllowGrowthEnv, "true", 1), 0);
  EXPECT_TRUE(ResolveGpuMemoryOptions(o, 8 * kGiB, 16 * kGiB)->allow_growth);
  ASSERT_EQ(setenv(kForceGpuAllowGrowthEnv, "false", 1), 0);
  o.allow_growth = true;
  EXPECT_FALSE(ResolveGpuMemoryOptions(o, 8 * kGiB, 16 * kGiB)->allow_growth);
  ASSERT_EQ(unsetenv(kForceGpuAllowGrowthEnv), 0);
  EXPECT_TRUE(ResolveGpuMemoryOptions(o, 8 * kGiB, 16 * kGiB)->allow_growth);
}

TEST(GpuMemoryOptionsTest, DefaultReserveAndLimit) {
  EXPECT_EQ(DefaultGpuReserveBytes(1 * kGiB), 225 * kMiB);
  EXPECT_EQ(DefaultGpuReserveBytes(4 * kGiB), 300 * kMiB);    // 5% = 204.8 MiB
  EXPECT_EQ(DefaultGpuReserveBytes(16 * kGiB), 16 * kGiB / 20);  // 819.2 MiB
  EXPECT_EQ(DefaultGpuReserveBytes(80 * kGiB), 1843 * kMiB);  // capped at 1.8 GiB
  // 79 GiB free on an 80 GiB card: free - 1843 MiB, rounded down to 2 MiB.
  EXPECT_EQ(DefaultGpuMemoryLimit(79 * kGiB, 80 * kGiB, -1), 79 * kGiB - 1844 * kMiB);
  EXPECT_EQ(DefaultGpuMemoryLimit(100 * kMiB, 1 * kGiB, -1), 0);
  EXPECT_EQ(DefaultGpuMemoryLimit(1 * kGiB, 1 * kGiB, 0), 1 * kGiB);
  GpuMemoryOptions o;
  const auto r = ResolveGpuMemoryOptions(o, 79 * kGiB, 80 * kGiB, nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->limit_bytes, std::vector<int64_t>{79 * kGiB - 1844 * kMiB});
  o.memory_limit_mb = 2048;
  EXPECT_EQ(ResolveGpuMemoryOptions(o, 79 * kGiB, 80 * kGiB, nullptr)->limit_bytes,
            std::vector<int64_t>{2 * kGiB});
  o.memory_limit_mb = 80 * 1024;  // more than is free once the reserve is kept
  const auto too_big = ResolveGpuMemoryOptions(o, 79 * kGiB, 80 * kGiB, nullptr);
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(too_big.status().message().find("memory_limit_mb 81920"), std::string::npos)
      << too_big.status();
}

TEST(GpuMemoryOptionsTest, LogicalDevicesSplitOneGpu) {
  GpuMemoryOptions o;
  o.logical_device_limits_mb = {2048, 2048};
  o.allow_growth = true;  // growth with a hard limit is honoured
  auto r = ResolveGpuMemoryOptions(o, 15 * kGiB, 16 * kGiB, nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->limit_bytes, (std::vector<int64_t>{2 * kGiB, 2 * kGiB}));
  EXPECT_TRUE(r->allow_growth);
  o.logical_device_limits_mb = {8192, 8192};
  r = ResolveGpuMemoryOptions(o, 15 * kGiB, 16 * kGiB, nullptr);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("[8192, 8192]"), std::string::npos) << r.status();
  o.logical_device_limits_mb = {1024, 0};
  EXPECT_EQ(ResolveGpuMemoryOptions(o, 15 * kGiB, 16 * kGiB, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  GpuMemoryOptions negative;
  negative.memory_limit_mb = -5;
  EXPECT_EQ(ResolveGpuMemoryOptions(negative, 15 * kGiB, 16 * kGiB, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace graphrt
