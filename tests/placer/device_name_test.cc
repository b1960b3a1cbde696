// Device names: every accepted form parses and prints back; bad names say
// which forms are accepted; matching and merging.
#include "core/placer/device_name.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

DeviceSpec Parse(absl::string_view s) {
  absl::StatusOr<DeviceSpec> spec = ParseDeviceSpec(s);
  EXPECT_TRUE(spec.ok()) << s << ": " << spec.status();
  return spec.value_or(DeviceSpec{});
}

TEST(DeviceNameTest, FullFormRoundTrips) {
  const std::string full = "/job:localhost/replica:0/task:0/device:GPU:0";
  DeviceSpec s = Parse(full);
  EXPECT_TRUE(s.IsFullySpecified());
  EXPECT_EQ(*s.type, "GPU");
  EXPECT_EQ(*s.id, 0);
  EXPECT_EQ(DeviceSpecString(s), full);
  EXPECT_EQ(FullDeviceName("GPU", 0), full);
}

TEST(DeviceNameTest, ShortFormsNameTheSameDevice) {
  for (const char* form : {"/gpu:1", "/GPU:1", "/device:GPU:1", "GPU:1", "gpu:1",
                           "/device:gpu:1"}) {
    DeviceSpec s = Parse(form);
    EXPECT_EQ(s.type, "GPU") << form;
    EXPECT_EQ(s.id, 1) << form;
    EXPECT_FALSE(s.job.has_value()) << form;
    EXPECT_EQ(DeviceSpecString(s), "/device:GPU:1") << form;
    // A short form matches the full name of that device and no other.
    EXPECT_TRUE(DeviceSpecMatches(s, Parse(FullDeviceName("GPU", 1)))) << form;
    EXPECT_FALSE(DeviceSpecMatches(s, Parse(FullDeviceName("GPU", 0)))) << form;
    EXPECT_FALSE(DeviceSpecMatches(s, Parse(FullDeviceName("CPU", 1)))) << form;
  }
  EXPECT_EQ(DeviceSpecString(Parse("/cpu:0")), "/device:CPU:0");
}

TEST(DeviceNameTest, PartialSpecsMatchAnyDeviceOfAType) {
  for (const char* form : {"/device:GPU:*", "/gpu", "/GPU:*"}) {
    DeviceSpec s = Parse(form);
    EXPECT_EQ(s.type, "GPU") << form;
    EXPECT_FALSE(s.id.has_value()) << form;
    EXPECT_EQ(DeviceSpecString(s), "/device:GPU:*") << form;
    EXPECT_TRUE(DeviceSpecMatches(s, Parse(FullDeviceName("GPU", 3)))) << form;
    EXPECT_FALSE(DeviceSpecMatches(s, Parse(FullDeviceName("CPU", 0)))) << form;
  }
  DeviceSpec job = Parse("/job:localhost/device:CPU:1");
  EXPECT_EQ(DeviceSpecString(job), "/job:localhost/device:CPU:1");
  EXPECT_TRUE(Parse("").empty());
  EXPECT_TRUE(DeviceSpecMatches(Parse(""), Parse(FullDeviceName("GPU", 0))));
}

TEST(DeviceNameTest, MalformedNamesListTheAcceptedForms) {
  for (const char* bad : {"/gpu:x", "gpu", "/device:GPU:1:2", "/job:", "/replica:a",
                          "/gpu:0/cpu:0", "/gpu:-1", "/device:", "//gpu:0", "/job"}) {
    absl::StatusOr<DeviceSpec> s = ParseDeviceSpec(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.status().message(), HasSubstr(bad)) << bad;
    EXPECT_THAT(s.status().message(), HasSubstr("accepted forms")) << bad;
    EXPECT_THAT(s.status().message(), HasSubstr("/job:localhost/replica:0/task:0/device:GPU:0"));
  }
}

TEST(DeviceNameTest, MergeKeepsCompatibleRequestsAndRejectsConflicts) {
  auto merged = MergeDeviceSpecs(Parse("/gpu"), Parse("/job:localhost/device:GPU:1"));
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(DeviceSpecString(*merged), "/job:localhost/device:GPU:1");
  EXPECT_FALSE(MergeDeviceSpecs(Parse("/gpu:0"), Parse("/gpu:1")).ok());
  auto conflict = MergeDeviceSpecs(Parse("/cpu:0"), Parse("/gpu:0"));
  ASSERT_FALSE(conflict.ok());
  EXPECT_THAT(conflict.status().message(), HasSubstr("/device:CPU:0"));
}

}  // namespace
}  // namespace graphrt
