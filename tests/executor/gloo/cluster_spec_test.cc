// ParseClusterSpec / ClusterSpecFromEnv (core/executor/cluster_spec.h) and
// the JSON reader under it (core/base/json.h): ranks, chief, defaults, and a
// clear INVALID_ARGUMENT naming the field for each kind of malformed config.
#include "core/executor/cluster_spec.h"

#include <cstdlib>

#include "core/base/json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

TEST(JsonTest, ParsesEveryKind) {
  auto v = ParseJson(R"( {"a": [1, -2.5e2, true, false, null], "s": "x\"\\\u00e9\ud83d\ude00\n"} )");
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_TRUE(v->is_object());
  const JsonValue* a = v->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->array().size(), 5u);
  EXPECT_EQ(a->array()[0].number(), 1);
  EXPECT_EQ(a->array()[1].number(), -250);
  EXPECT_TRUE(a->array()[2].bool_value());
  EXPECT_FALSE(a->array()[3].bool_value());
  EXPECT_TRUE(a->array()[3].is_bool());
  EXPECT_TRUE(a->array()[4].is_null());
  EXPECT_EQ(v->Find("s")->string(), "x\"\\\xc3\xa9\xf0\x9f\x98\x80\n");
  EXPECT_EQ(v->Find("missing"), nullptr);
}

TEST(JsonTest, RefusesMalformedText) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", "tru",
                          "\"\\x\"", "\"a", "{\"a\":1} x", "{\"a\":1,\"a\":2}", "\"\\ud800\"",
                          "\"\x01\"", "1e999"}) {
    auto v = ParseJson(bad);
    EXPECT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(v.status().message(), HasSubstr("JSON")) << bad;
  }
  std::string deep(100, '[');
  EXPECT_THAT(ParseJson(deep).status().message(), HasSubstr("64"));
}

TEST(ClusterSpecTest, WorkersOnlyWorkerZeroIsChief) {
  auto spec = ParseClusterSpec(R"({"cluster": {"worker": ["a:1", "b:2", "c:3"]},
      "task": {"type": "worker", "index": 2}, "rendezvous": "/r", "timeout_seconds": 5})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->num_tasks(), 3);
  EXPECT_EQ(spec->rank(), 2);
  EXPECT_FALSE(spec->is_chief());
  EXPECT_EQ(spec->task_name(1), "/job:worker/task:1");
  EXPECT_EQ(spec->address(2), "c:3");
  EXPECT_EQ(spec->host(2), "c");
  EXPECT_EQ(spec->rendezvous, "/r");
  EXPECT_EQ(spec->timeout, std::chrono::seconds(5));

  auto first = ParseClusterSpec(R"({"cluster": {"worker": ["a:1", "b:2"]},
      "task": {"type": "worker", "index": 0}})");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->is_chief());
  EXPECT_EQ(first->timeout, std::chrono::seconds(60));
}

TEST(ClusterSpecTest, ChiefIsRankZero) {
  auto chief = ParseClusterSpec(R"({"cluster": {"chief": ["c:9"], "worker": ["a:1", "[::1]:2"]},
      "task": {"type": "chief", "index": 0}})");
  ASSERT_TRUE(chief.ok()) << chief.status();
  EXPECT_TRUE(chief->is_chief());
  EXPECT_EQ(chief->num_tasks(), 3);
  EXPECT_EQ(chief->task_name(0), "/job:chief/task:0");
  EXPECT_EQ(chief->task_name(2), "/job:worker/task:1");
  EXPECT_EQ(chief->host(2), "::1");
  auto w0 = ParseClusterSpec(R"({"cluster": {"chief": ["c:9"], "worker": ["a:1", "b:2"]},
      "task": {"type": "worker", "index": 0}})");
  ASSERT_TRUE(w0.ok()) << w0.status();
  EXPECT_FALSE(w0->is_chief());
  EXPECT_EQ(w0->rank(), 1);
}

TEST(ClusterSpecTest, DefaultRendezvousIsUnderTmpAndNamedAfterRankZero) {
  auto spec = ParseClusterSpec(R"({"cluster": {"worker": ["localhost:2222"]},
      "task": {"type": "worker", "index": 0}})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_THAT(spec->rendezvous, HasSubstr("graphrt-rendezvous-localhost-2222"));
}

TEST(ClusterSpecTest, MalformedConfigsNameTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"not json", "not valid JSON"},
      {"[]", "the document must be a JSON object"},
      {R"({"task": {"type": "worker", "index": 0}})", "\"cluster\" is missing"},
      {R"({"cluster": {"worker": []}, "task": {"type": "worker", "index": 0}})",
       "cluster.worker must list"},
      {R"({"cluster": {"worker": "a:1"}, "task": {"type": "worker", "index": 0}})",
       "cluster.worker must be a JSON array"},
      {R"({"cluster": {"worker": ["a:1", "b"]}, "task": {"type": "worker", "index": 0}})",
       "cluster.worker[1] is \"b\""},
      {R"({"cluster": {"worker": ["a:0"]}, "task": {"type": "worker", "index": 0}})",
       "cluster.worker[0]"},
      {R"({"cluster": {"worker": ["a:1", "a:1"]}, "task": {"type": "worker", "index": 0}})",
       "names \"a:1\" twice"},
      {R"({"cluster": {"worker": ["a:1"], "ps": ["p:1"]}, "task": {"type": "worker", "index": 0}})",
       "cluster.ps"},
      {R"({"cluster": {"worker": ["a:1"], "chief": ["c:1", "d:1"]}, "task": {"type": "worker", "index": 0}})",
       "cluster.chief lists 2"},
      {R"({"cluster": {"worker": ["a:1"]}})", "\"task\" is missing"},
      {R"({"cluster": {"worker": ["a:1"]}, "task": {"index": 0}})", "task.type is missing"},
      {R"({"cluster": {"worker": ["a:1"]}, "task": {"type": "ps", "index": 0}})",
       "task.type is \"ps\""},
      {R"({"cluster": {"worker": ["a:1"]}, "task": {"type": "worker"}})", "task.index is missing"},
      {R"({"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": "0"}})",
       "task.index must be a JSON number"},
      {R"({"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 1}})",
       "task.index is 1 but cluster.worker has 1"},
      {R"({"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 0.5}})",
       "task.index"},
      {R"({"cluster": {"worker": ["a:1"]}, "task": {"type": "chief", "index": 0}})",
       "cluster.chief has 0"},
      {R"({"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 0}, "timeout_seconds": 0})",
       "timeout_seconds is 0"},
      {R"({"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 0}, "rendezvous": 3})",
       "rendezvous must be a JSON string"},
      {R"({"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 0}, "extra": 1})",
       "member \"extra\" is unknown"},
  };
  for (const auto& [json, want] : cases) {
    auto spec = ParseClusterSpec(json);
    ASSERT_FALSE(spec.ok()) << json;
    EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_THAT(spec.status().message(), HasSubstr(want)) << json;
  }
}

TEST(ClusterSpecTest, FromEnv) {
  unsetenv("GRAPHRT_CONFIG");
  auto none = ClusterSpecFromEnv();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  setenv("GRAPHRT_CONFIG", R"({"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 0}})", 1);
  auto one = ClusterSpecFromEnv();
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((*one)->num_tasks(), 1);
  setenv("GRAPHRT_CONFIG", "{", 1);
  EXPECT_THAT(ClusterSpecFromEnv().status().message(), HasSubstr("GRAPHRT_CONFIG"));
  unsetenv("GRAPHRT_CONFIG");
}

}  // namespace
}  // namespace graphrt
