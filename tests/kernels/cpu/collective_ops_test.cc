// The collective ops' CPU kernels (kernels/cpu/collective_ops.cc) in a
// Session over the logical CPU devices /cpu:0 .. /cpu:3, against the
// formula; a missing participant must fail within its timeout, naming the
// group, the instance and who arrived. The rendezvous itself is tested in
// tests/kernels/common/collective_rendezvous_test.cc.
#include <algorithm>
#include <chrono>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/ops/collective_ops.h"
#include "core/graph/ops/math_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/common/collective_rendezvous.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

template <typename T>
Tensor Random(int64_t n, int seed) {
  Tensor t(DataTypeOf<T>(), TensorShape{n});
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-1000, 1000);
  for (int64_t i = 0; i < n; ++i) t.data<T>()[i] = static_cast<T>(d(rng)) / T(4);
  return t;
}

// --- The ops in a Session over logical CPU devices. ---

std::unique_ptr<Session> SessionOnCpus(GraphBuilder& b, int devices) {
  auto runtime = Runtime::Create({1, 1, nullptr});
  std::vector<LogicalDeviceConfiguration> split(devices);
  EXPECT_TRUE(runtime->SetLogicalDeviceConfiguration(runtime->ListPhysicalDevices("CPU")[0], split)
                  .ok());
  SessionOptions options;
  options.runtime = std::move(runtime);
  auto graph = b.Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  auto session = Session::Create(std::move(*graph), options);
  EXPECT_TRUE(session.ok()) << session.status();
  return session.ok() ? std::move(*session) : nullptr;
}

Tensor Floats(std::vector<float> v) { return Tensor::FromVector<float>(v); }

std::vector<TensorName> Names(const std::vector<Output>& outputs) {
  return std::vector<TensorName>(outputs.begin(), outputs.end());
}

// Each device computes x_d * (d + 1) and all-reduces it.
TEST(CollectiveOpsTest, AllReduceAcrossTwoLogicalCpus) {
  for (auto [reduction, label] : {std::pair{ops::CollectiveReduction::kSum, "sum"},
                                  std::pair{ops::CollectiveReduction::kMean, "mean"},
                                  std::pair{ops::CollectiveReduction::kMax, "max"}}) {
    GraphBuilder b;
    Output x = b.Placeholder(DataType::kFloat32, {3}, "x");
    std::vector<Output> results;
    for (int d = 0; d < 2; ++d) {
      GraphBuilder::DeviceScope on(b, absl::StrCat("/cpu:", d));
      Output v = ops::Mul(x, b.Scalar(static_cast<float>(d + 1)));
      results.push_back(ops::CollectiveAllReduce(v, reduction, {2, 1, 1, 5.0f},
                                                 absl::StrCat("allreduce", d)));
    }
    auto session = SessionOnCpus(b, 2);
    ASSERT_NE(session, nullptr);
    const std::vector<float> xs = {1.0f, -2.0f, 0.5f};
    for (int step = 0; step < 3; ++step) {  // the same keys serve every step
      auto out = session->Run({{x, Floats(xs)}}, Names(results));
      ASSERT_TRUE(out.ok()) << label << ": " << out.status();
      for (int i = 0; i < 3; ++i) {
        const float a = xs[i], c = 2 * xs[i];
        const float want = reduction == ops::CollectiveReduction::kSum    ? a + c
                           : reduction == ops::CollectiveReduction::kMean ? (a + c) / 2
                                                                          : std::max(a, c);
        EXPECT_EQ(out->at(0).data<float>()[i], want) << label << " i " << i;
        EXPECT_EQ(out->at(1).data<float>()[i], want) << label << " i " << i;
      }
    }
  }
}

// Two collectives per device in one step could meet in different orders on
// different devices and wait for each other (docs/collectives.md, "Order"):
// each graph below has one collective per device.
TEST(CollectiveOpsTest, BroadcastFromTheMiddleOfThreeCpus) {
  GraphBuilder b;
  std::vector<Output> bcast;
  for (int d = 0; d < 3; ++d) {
    GraphBuilder::DeviceScope on(b, absl::StrCat("/cpu:", d));
    ops::CollectiveOptions o{3, 3, 8, 5.0f};
    bcast.push_back(d == 1 ? ops::CollectiveBroadcastSend(b.Const(Floats({4.0f, 5.0f})), o, "send")
                           : ops::CollectiveBroadcastRecv(b, DataType::kFloat32, TensorShape{2},
                                                          o, absl::StrCat("recv", d)));
  }
  auto session = SessionOnCpus(b, 3);
  ASSERT_NE(session, nullptr);
  auto out = session->Run({}, Names(bcast));
  ASSERT_TRUE(out.ok()) << out.status();
  for (int d = 0; d < 3; ++d) {
    EXPECT_EQ(out->at(d).data<float>()[0], 4.0f);
    EXPECT_EQ(out->at(d).data<float>()[1], 5.0f);
  }
}

TEST(CollectiveOpsTest, UnevenAllGatherOverThreeCpus) {
  GraphBuilder b;
  std::vector<Output> gathered;
  for (int d = 0; d < 3; ++d) {
    GraphBuilder::DeviceScope on(b, absl::StrCat("/cpu:", d));
    // Device d holds d + 1 rows of [2] int64: row r = {100 d + r, -r}.
    std::vector<int64_t> rows;
    for (int r = 0; r <= d; ++r) rows.insert(rows.end(), {100 * d + r, -r});
    Output mine = b.Const(Tensor::FromVector<int64_t>(rows, TensorShape{d + 1, 2}));
    gathered.push_back(ops::CollectiveAllGather(mine, {3, 2, 7, 5.0f}, absl::StrCat("g", d)));
  }
  auto session = SessionOnCpus(b, 3);
  ASSERT_NE(session, nullptr);
  auto out = session->Run({}, Names(gathered));
  ASSERT_TRUE(out.ok()) << out.status();
  for (int d = 0; d < 3; ++d) {
    const Tensor& g = out->at(d);
    ASSERT_EQ(g.shape(), (TensorShape{6, 2}));
    int64_t row = 0;  // reference: devices in order, their rows in order
    for (int src = 0; src < 3; ++src) {
      for (int r = 0; r <= src; ++r, ++row) {
        EXPECT_EQ(g.data<int64_t>()[2 * row], 100 * src + r);
        EXPECT_EQ(g.data<int64_t>()[2 * row + 1], -r);
      }
    }
  }
}

TEST(CollectiveOpsTest, MissingParticipantFailsTheStepWithinItsTimeout) {
  GraphBuilder b;
  std::vector<Output> results;
  for (int d = 0; d < 2; ++d) {  // group_size 3, but only two participants exist
    GraphBuilder::DeviceScope on(b, absl::StrCat("/cpu:", d));
    results.push_back(ops::CollectiveAllReduce(b.Const(Floats({1.0f})),
                                               ops::CollectiveReduction::kSum, {3, 4, 4, 0.2f},
                                               absl::StrCat("ar", d)));
  }
  auto session = SessionOnCpus(b, 2);
  ASSERT_NE(session, nullptr);
  const auto start = std::chrono::steady_clock::now();
  auto out = session->Run({}, Names(results));
  ASSERT_FALSE(out.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kDeadlineExceeded) << out.status();
  EXPECT_THAT(out.status().message(), HasSubstr("group_key 4 instance_key 4"));
  EXPECT_THAT(out.status().message(), HasSubstr("never arrived"));
  // The session is unaffected: a step that needs no collective still runs.
  EXPECT_EQ(CollectiveRendezvous::Default().pending_instances(), 0);
}

// The kernel's own slicing (and its intra-op split) against the formula:
// N participants each feed their own random tensor of n elements.
template <typename T>
void CheckKernelAllReduce(int parts, int64_t n, ops::CollectiveReduction reduction) {
  GraphBuilder b;
  std::vector<Output> xs, results;
  for (int d = 0; d < parts; ++d) {
    GraphBuilder::DeviceScope on(b, absl::StrCat("/cpu:", d));
    xs.push_back(b.Placeholder(DataTypeOf<T>(), {n}, absl::StrCat("x", d)));
    results.push_back(ops::CollectiveAllReduce(xs.back(), reduction, {parts, 1, 2, 30.0f},
                                               absl::StrCat("ar", d)));
  }
  auto session = SessionOnCpus(b, parts);
  ASSERT_NE(session, nullptr);
  FeedList feeds;
  std::vector<Tensor> in;
  for (int d = 0; d < parts; ++d) {
    in.push_back(Random<T>(n, 31 * d + 7));
    feeds.push_back({xs[d], in.back()});
  }
  auto out = session->Run(feeds, Names(results));
  ASSERT_TRUE(out.ok()) << out.status();
  for (int64_t i = 0; i < n; ++i) {
    T want = in[0].data<T>()[i];
    for (int d = 1; d < parts; ++d) {
      const T v = in[d].data<T>()[i];
      want = reduction == ops::CollectiveReduction::kMax ? std::max(want, v) : want + v;
    }
    if (reduction == ops::CollectiveReduction::kMean) want /= static_cast<T>(parts);
    for (int d = 0; d < parts; ++d) {
      ASSERT_EQ(out->at(d).data<T>()[i], want) << parts << " parts, n " << n << ", i " << i;
    }
  }
}

TEST(CollectiveOpsTest, KernelMatchesFormulaForEveryDtypeAndReduction) {
  using R = ops::CollectiveReduction;
  for (int parts : {2, 3, 4}) {
    for (int64_t n : {int64_t{1}, int64_t{5}, int64_t{(1 << 18) + 3}}) {
      CheckKernelAllReduce<float>(parts, n, R::kSum);
      CheckKernelAllReduce<float>(parts, n, R::kMean);
      CheckKernelAllReduce<int32_t>(parts, n, R::kMax);
      CheckKernelAllReduce<int32_t>(parts, n, R::kMean);  // truncating, as TF's Div
      CheckKernelAllReduce<int64_t>(parts, n, R::kSum);
    }
  }
  CheckKernelAllReduce<float>(2, int64_t{16} << 20, R::kSum);  // 64 MiB per participant
}

TEST(CollectiveOpsTest, StepDeadlineWakesAWaitingCollective) {
  GraphBuilder b;
  Output r;
  {
    GraphBuilder::DeviceScope on(b, "/cpu:0");  // group of 2, one participant, 60 s timeout
    r = ops::CollectiveAllReduce(b.Const(Floats({1.0f})), ops::CollectiveReduction::kSum,
                                 {2, 8, 8, 60.0f}, "lonely");
  }
  auto session = SessionOnCpus(b, 1);
  ASSERT_NE(session, nullptr);
  RunOptions options;
  options.timeout_ms = 100;
  const auto start = std::chrono::steady_clock::now();
  auto out = session->Run(options, {}, {r}, {}, nullptr);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kDeadlineExceeded) << out.status();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(CollectiveRendezvous::Default().pending_instances(), 0);
}

TEST(CollectiveOpsTest, MismatchedShapesAreAClearError) {
  GraphBuilder b;
  std::vector<Output> results;
  for (int d = 0; d < 2; ++d) {
    GraphBuilder::DeviceScope on(b, absl::StrCat("/cpu:", d));
    results.push_back(ops::CollectiveAllReduce(
        b.Const(Floats(std::vector<float>(d + 1, 1.0f))), ops::CollectiveReduction::kSum,
        {2, 6, 6, 5.0f}, absl::StrCat("ar", d)));
  }
  auto session = SessionOnCpus(b, 2);
  ASSERT_NE(session, nullptr);
  auto out = session->Run({}, Names(results));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  EXPECT_THAT(out.status().message(), HasSubstr("one dtype and shape"));
}

}  // namespace
}  // namespace graphrt
