// The dependency-counting executor: the TF book's figure 19-10 graph,
// diamonds, fan-out, errors stopping a step, pool limits.
#include <string>
#include <vector>

#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/executor/test_ops.h"

namespace graphrt {
namespace {

using ::graphrt::testing::Record;
using ::graphrt::testing::RecordLog;
using ::testing::HasSubstr;

SessionOptions Threads(int inter, int intra = 1) {
  SessionOptions o;
  o.inter_op_threads = inter;
  o.intra_op_threads = intra;
  o.kernels = graphrt::testing::TestKernels();
  return o;
}

std::unique_ptr<Session> MakeSession(GraphBuilder& b, const SessionOptions& o) {
  absl::StatusOr<Graph> g = b.Build();
  EXPECT_TRUE(g.ok()) << g.status();
  auto s = Session::Create(*std::move(g), o);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : nullptr;
}

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    graphrt::testing::RegisterTestOps();
    RecordLog::Get().Reset();
  }
};

// Figure 19-10: A, B, C are sources; D and E depend on C; F on A, B, D, E.
TEST_F(ExecutorTest, BookFigure19_10RunsEachNodeOnceAndFLast) {
  for (int threads : {1, 2, 4}) {
    GraphBuilder b;
    Output a = Record(b, "A", {}, {{"sleep_us", int64_t{200}}});
    Output bb = Record(b, "B", {});
    Output c = Record(b, "C", {});
    Output d = Record(b, "D", {c});
    Output e = Record(b, "E", {c});
    Output f = Record(b, "F", {a, bb, d, e});
    auto session = MakeSession(b, Threads(threads));
    ASSERT_NE(session, nullptr);
    for (int step = 0; step < 20; ++step) {
      RecordLog::Get().Reset();
      auto out = session->Run({}, {f});
      ASSERT_TRUE(out.ok()) << out.status();
      // A=B=C=1, D=E=2, F = 1 + 1 + 1 + 2 + 2 = 7.
      EXPECT_EQ((*out)[0].scalar<float>(), 7.0f);
      auto runs = RecordLog::Get().runs();
      ASSERT_EQ(runs.size(), 6u);
      for (const auto& [name, r] : runs) EXPECT_EQ(r.count, 1) << name;
      for (const char* before : {"A", "B", "D", "E"}) {
        EXPECT_LT(runs[before].end, runs["F"].start) << before;
      }
      EXPECT_LT(runs["C"].end, runs["D"].start);
      EXPECT_LT(runs["C"].end, runs["E"].start);
    }
  }
}

TEST_F(ExecutorTest, DiamondComputesSharedInputOnce) {
  GraphBuilder b;
  Output top = Record(b, "top", {});
  Output left = Record(b, "left", {top});
  Output right = Record(b, "right", {top});
  Output bottom = Record(b, "bottom", {left, right});
  auto session = MakeSession(b, Threads(2));
  auto out = session->Run({}, {bottom, left});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 5.0f);  // 1 + 2 + 2
  EXPECT_EQ((*out)[1].scalar<float>(), 2.0f);
  EXPECT_EQ(RecordLog::Get().runs()["top"].count, 1);
}

TEST_F(ExecutorTest, WideFanOutFanIn) {
  constexpr int kWidth = 1000;
  GraphBuilder b;
  Output src = Record(b, "src", {}, {{"cheap", true}});
  std::vector<Output> mids;
  for (int i = 0; i < kWidth; ++i) {
    mids.push_back(Record(b, "mid" + std::to_string(i), {src}, {{"cheap", i % 2 == 0}}));
  }
  Output sink = Record(b, "sink", mids);
  auto session = MakeSession(b, Threads(2));
  for (int step = 0; step < 5; ++step) {
    RecordLog::Get().Reset();
    auto out = session->Run({}, {sink});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].scalar<float>(), 1.0f + 2.0f * kWidth);
    EXPECT_EQ(RecordLog::Get().runs().size(), kWidth + 2u);
  }
}

TEST_F(ExecutorTest, PrunesWhatFetchesDoNotNeed) {
  GraphBuilder b;
  Output used = Record(b, "used", {});
  Record(b, "unused", {}, {{"fail", true}});
  auto session = MakeSession(b, Threads(2));
  auto out = session->Run({}, {used});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(RecordLog::Get().runs().count("unused"), 0u);
}

TEST_F(ExecutorTest, ErrorInMiddleNodeStopsTheStepAndNamesTheNode) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, PartialShape::Scalar(), "x");
  Output first = Record(b, "first", {x}, {{"cheap", true}});
  Output middle = Record(b, "middle", {first}, {{"fail", true}});
  Output last = Record(b, "last", {middle});
  Output ok_branch = Record(b, "ok_branch", {x});
  auto session = MakeSession(b, Threads(2));
  auto out = session->Run({{x, Tensor::Scalar<float>(1)}}, {last});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(out.status().message()), HasSubstr("'middle' (Record)"));
  EXPECT_THAT(std::string(out.status().message()), HasSubstr("CPU:0"));
  EXPECT_EQ(RecordLog::Get().runs().count("last"), 0u);
  // The next run of another fetch works.
  auto again = session->Run({{x, Tensor::Scalar<float>(1)}}, {ok_branch});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)[0].scalar<float>(), 2.0f);
}

TEST_F(ExecutorTest, InterOpPoolNeverRunsMoreThanAsked) {
  for (int threads : {1, 2}) {
    GraphBuilder b;
    std::vector<Output> leaves;
    for (int i = 0; i < 16; ++i) {
      leaves.push_back(Record(b, "leaf" + std::to_string(i), {}, {{"sleep_us", int64_t{500}}}));
    }
    Output sink = Record(b, "sink", leaves);
    auto session = MakeSession(b, Threads(threads));
    RecordLog::Get().Reset();
    auto out = session->Run({}, {sink});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_LE(RecordLog::Get().max_running(), threads);
    EXPECT_GE(RecordLog::Get().max_running(), 1);
  }
}

TEST_F(ExecutorTest, TargetsRunWithoutFetches) {
  GraphBuilder b;
  Output r = Record(b, "target_node", {});
  auto session = MakeSession(b, Threads(1));
  auto out = session->Run({}, {}, {r});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(out->empty());
  EXPECT_EQ(RecordLog::Get().runs()["target_node"].count, 1);
}

TEST_F(ExecutorTest, ChainOfTenThousandNoOps) {
  GraphBuilder b;
  Output prev = b.Op("NoOp", {});
  for (int i = 0; i < 10000; ++i) {
    Output next = b.Op("NoOp", {});
    b.AddControlDependency(prev, next);
    prev = next;
  }
  Output end = Record(b, "end", {});
  b.AddControlDependency(prev, end);
  auto session = MakeSession(b, Threads(2));
  auto out = session->Run({}, {end});
  ASSERT_TRUE(out.ok()) << out.status();
}

}  // namespace
}  // namespace graphrt
