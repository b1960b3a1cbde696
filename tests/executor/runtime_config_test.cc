// RuntimeConfig text files: parsing, validation naming the field, the
// environment's precedence, and a runtime built from a config.
#include "core/executor/runtime_config.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_.has_value()) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

constexpr char kConfig[] = R"(
  inter_op_threads: 2
  intra_op_threads: 1
  allow_soft_placement: false
  log_device_placement: true
  device { type: "CPU" id: 0 logical_device {} logical_device { intra_op_threads: 3 } }
  gpu { id: 0 memory_limit_mb: 4096 logical_device_limit_mb: 1024 logical_device_limit_mb: 1024 }
)";

TEST(RuntimeConfigTest, ParsesEveryField) {
  absl::StatusOr<proto::RuntimeConfig> c = ParseRuntimeConfig(kConfig);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->inter_op_threads(), 2);
  EXPECT_FALSE(c->allow_soft_placement());
  ASSERT_EQ(c->device_size(), 1);
  EXPECT_EQ(c->device(0).logical_device(1).intra_op_threads(), 3);
  GpuMemoryOptions gpu = GpuMemoryOptionsFor(*c, 0);
  EXPECT_EQ(gpu.memory_limit_mb, 4096);
  EXPECT_EQ(gpu.logical_device_limits_mb, (std::vector<int64_t>{1024, 1024}));
  EXPECT_EQ(GpuMemoryOptionsFor(*c, 1).memory_limit_mb, 0);  // unconfigured GPU: defaults
}

TEST(RuntimeConfigTest, BadTextGivesLineAndColumn) {
  absl::Status s = ParseRuntimeConfig("inter_op_threads: 2\nno_such_field: 1").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("line 2"), HasSubstr("no_such_field")));
}

TEST(RuntimeConfigTest, BadValuesNameTheField) {
  EXPECT_THAT(ParseRuntimeConfig("inter_op_threads: -1").status().message(),
              HasSubstr("inter_op_threads is -1"));
  EXPECT_THAT(ParseRuntimeConfig(R"(device { type: "TPU" logical_device {} })").status().message(),
              HasSubstr("type must be \"CPU\" or \"GPU\""));
  EXPECT_THAT(ParseRuntimeConfig(R"(device { type: "CPU" })").status().message(),
              HasSubstr("no logical_device"));
  EXPECT_THAT(ParseRuntimeConfig(R"(gpu { logical_device_limit_mb: 0 })").status().message(),
              HasSubstr("must be > 0"));
  EXPECT_THAT(ParseRuntimeConfig(R"(gpu { id: 2000000000 })").status().message(),
              HasSubstr("id must be below 1024"));
  EXPECT_THAT(
      ParseRuntimeConfig(R"(device { logical_device { intra_op_threads: 9999 } } )").status().message(),
      HasSubstr("device[0] (:0): type"));
}

TEST(RuntimeConfigTest, EnvironmentWinsOverTheFile) {
  absl::StatusOr<proto::RuntimeConfig> c = ParseRuntimeConfig(kConfig);
  ASSERT_TRUE(c.ok());
  ScopedEnv inter("GRAPHRT_NUM_INTEROP_THREADS", "3");
  ScopedEnv growth(kForceGpuAllowGrowthEnv, "true");
  proto::RuntimeConfig e = EffectiveRuntimeConfig(*c);
  EXPECT_EQ(e.inter_op_threads(), 3);
  EXPECT_EQ(e.intra_op_threads(), 1);  // from the file
  EXPECT_TRUE(e.gpu(0).allow_growth());
  EXPECT_EQ(e.device(0).logical_device(0).inter_op_threads(), 3);  // inherits
  EXPECT_EQ(e.device(0).logical_device(1).intra_op_threads(), 3);  // its own
  EXPECT_THAT(RuntimeConfigToText(e), HasSubstr("inter_op_threads: 3"));
}

TEST(RuntimeConfigTest, InvalidEnvironmentIsIgnored) {
  absl::StatusOr<proto::RuntimeConfig> c = ParseRuntimeConfig(kConfig);
  ASSERT_TRUE(c.ok());
  ScopedEnv inter("GRAPHRT_NUM_INTEROP_THREADS", "lots");
  ScopedEnv growth(kForceGpuAllowGrowthEnv, "yes");
  proto::RuntimeConfig e = EffectiveRuntimeConfig(*c);
  EXPECT_EQ(e.inter_op_threads(), 2);
  EXPECT_FALSE(e.gpu(0).allow_growth());
}

TEST(RuntimeConfigTest, DefaultsAreWrittenOut) {
  proto::RuntimeConfig e = EffectiveRuntimeConfig(proto::RuntimeConfig());
  EXPECT_GE(e.inter_op_threads(), 1);  // 0 resolved to the cores
  EXPECT_TRUE(e.allow_soft_placement());
  EXPECT_EQ(e.inline_cost_ns(), SessionOptions().inline_cost_ns);
}

TEST(RuntimeConfigTest, BuildsARuntimeWithTheLogicalDevices) {
  absl::StatusOr<proto::RuntimeConfig> c = ParseRuntimeConfig(R"(
    inter_op_threads: 1 intra_op_threads: 1 log_device_placement: false
    device { type: "CPU" logical_device {} logical_device {} })");
  ASSERT_TRUE(c.ok());
  absl::StatusOr<ConfiguredRuntime> rt = CreateConfiguredRuntime(*c);
  ASSERT_TRUE(rt.ok()) << rt.status();
  EXPECT_EQ(rt->runtime->ListLogicalDevices("CPU").size(), 2u);
  EXPECT_EQ(rt->session_options.runtime, rt->runtime);
  EXPECT_EQ(rt->session_options.inter_op_threads, 1);
}

TEST(RuntimeConfigTest, UnknownPhysicalDeviceIsNamed) {
  absl::StatusOr<proto::RuntimeConfig> c =
      ParseRuntimeConfig(R"(device { type: "CPU" id: 5 logical_device {} })");
  ASSERT_TRUE(c.ok());
  absl::Status s = CreateConfiguredRuntime(*c).status();
  EXPECT_THAT(s.message(), AllOf(HasSubstr("id: 5"), HasSubstr("no such physical device")));
}

}  // namespace
}  // namespace graphrt
