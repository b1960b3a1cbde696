// The in-process collectives (kernels/common/collective_rendezvous.h,
// kernels/cpu/collective_ops.cc) against plain references: the rendezvous
// driven by N threads for sizes 1 B .. 64 MiB, and the ops in a Session over
// the logical CPU devices /cpu:0 .. /cpu:3. A missing participant must fail
// within its timeout, naming the group, the instance and who arrived.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>
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
using Participants = std::span<const CollectiveRendezvous::Participant* const>;

template <typename T>
Tensor Random(int64_t n, int seed) {
  Tensor t(DataTypeOf<T>(), TensorShape{n});
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-1000, 1000);
  for (int64_t i = 0; i < n; ++i) t.data<T>()[i] = static_cast<T>(d(rng)) / T(4);
  return t;
}

// Runs a sum all-reduce of `inputs` on one thread per participant through
// `rv`, each reducing its slice into every output, as the kernel does.
template <typename T>
std::vector<Tensor> AllReduceSum(CollectiveRendezvous& rv, const std::vector<Tensor>& inputs) {
  const int n = static_cast<int>(inputs.size());
  std::vector<Tensor> outputs;
  for (const Tensor& x : inputs) outputs.emplace_back(x.dtype(), x.shape());
  std::vector<std::thread> threads;
  for (int p = 0; p < n; ++p) {
    threads.emplace_back([&, p] {
      absl::Status s = rv.Run({nullptr, 1, 2, 3}, "sum", n,
                              {absl::StrCat("p", p), &inputs[p], &outputs[p]}, {},
                              [&](int rank, Participants all) {
        const int64_t len = inputs[p].num_elements();
        const int64_t b = len * rank / n, e = len * (rank + 1) / n;
        for (int64_t i = b; i < e; ++i) {
          T acc = all[0]->input->data<T>()[i];
          for (int j = 1; j < n; ++j) acc += all[j]->input->data<T>()[i];
          for (const auto* q : all) q->output->data<T>()[i] = acc;
        }
      });
      EXPECT_TRUE(s.ok()) << s;
    });
  }
  for (auto& t : threads) t.join();
  return outputs;
}

template <typename T>
void CheckSumSizes() {
  CollectiveRendezvous rv;
  for (int parts = 2; parts <= 4; ++parts) {
    for (int64_t bytes : {int64_t{sizeof(T)}, int64_t{4096} + int64_t{sizeof(T)}, int64_t{1} << 20,
                          int64_t{64} << 20}) {
      if (bytes == (int64_t{64} << 20) && parts > 2) continue;  // time on a loaded 2-core box
      const int64_t n = bytes / static_cast<int64_t>(sizeof(T));
      std::vector<Tensor> in;
      for (int p = 0; p < parts; ++p) in.push_back(Random<T>(n, 17 * p + 1));
      std::vector<Tensor> out = AllReduceSum<T>(rv, in);
      for (int64_t i = 0; i < n; ++i) {
        T want = T(0);  // reference: the formula, in participant order
        for (int p = 0; p < parts; ++p) want += in[p].data<T>()[i];
        for (int p = 0; p < parts; ++p) {
          ASSERT_EQ(out[p].data<T>()[i], want) << parts << " parts, " << bytes << " B, i " << i;
        }
      }
      EXPECT_EQ(rv.pending_instances(), 0);
    }
  }
}

TEST(CollectiveRendezvousTest, SumMatchesReferenceFloat) { CheckSumSizes<float>(); }
TEST(CollectiveRendezvousTest, SumMatchesReferenceInt32) { CheckSumSizes<int32_t>(); }
TEST(CollectiveRendezvousTest, SumMatchesReferenceInt64) { CheckSumSizes<int64_t>(); }

TEST(CollectiveRendezvousTest, OneByteOfFourParticipants) {
  // 1 B: three of four participants get an empty slice.
  CollectiveRendezvous rv;
  std::vector<Tensor> in;
  for (int p = 0; p < 4; ++p) {
    in.emplace_back(DataType::kInt8, TensorShape{1});
    in.back().data<int8_t>()[0] = static_cast<int8_t>(p + 1);
  }
  std::vector<Tensor> out = AllReduceSum<int8_t>(rv, in);
  for (const Tensor& t : out) EXPECT_EQ(t.data<int8_t>()[0], 10);
}

TEST(CollectiveRendezvousTest, MissingParticipantTimesOutNamingWhoArrived) {
  CollectiveRendezvous rv;
  Tensor x = Random<float>(4, 1);
  CollectiveRendezvous::WaitOptions wait;
  wait.timeout = std::chrono::milliseconds(100);
  const auto start = std::chrono::steady_clock::now();
  absl::Status s = rv.Run({nullptr, 5, 9, 1}, "CollectiveReduceV2", 3, {"/cpu:0 (node 'a')", &x, nullptr},
                          wait, [](int, Participants) { ADD_FAILURE() << "work without peers"; });
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(s.message(), HasSubstr("group_key 5 instance_key 9"));
  EXPECT_THAT(s.message(), HasSubstr("arrived: /cpu:0 (node 'a')"));
  EXPECT_THAT(s.message(), HasSubstr("2 of 3 participants never arrived"));
  EXPECT_GE(waited, std::chrono::milliseconds(100));
  EXPECT_LT(waited, std::chrono::seconds(5));
  EXPECT_EQ(rv.pending_instances(), 0) << "the leaver must not stay registered";
}

TEST(CollectiveRendezvousTest, CancellationWakesAWaiter) {
  CollectiveRendezvous rv;
  CancellationToken token;
  Tensor x = Random<float>(4, 1);
  CollectiveRendezvous::WaitOptions wait;
  wait.cancellation = &token;  // timeout stays 60 s: only Cancel can end this quickly
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    token.Cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  absl::Status s = rv.Run({nullptr, 1, 1, 1}, "op", 2, {"p0", &x, nullptr}, wait,
                          [](int, Participants) { ADD_FAILURE(); });
  canceller.join();
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << s;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(rv.pending_instances(), 0);
}

TEST(CollectiveRendezvousTest, DisagreeingGroupSizeIsRefused) {
  CollectiveRendezvous rv;
  Tensor x = Random<float>(2, 1);
  CollectiveRendezvous::WaitOptions wait;
  wait.timeout = std::chrono::milliseconds(200);
  absl::Status first;
  std::thread t([&] {
    first = rv.Run({nullptr, 1, 1, 1}, "op", 2, {"p0", &x, nullptr}, wait, [](int, Participants) {});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  absl::Status second =
      rv.Run({nullptr, 1, 1, 1}, "op", 3, {"p1", &x, nullptr}, wait, [](int, Participants) {});
  t.join();
  EXPECT_EQ(second.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(second.message(), HasSubstr("group_size"));
  EXPECT_EQ(first.code(), absl::StatusCode::kDeadlineExceeded);
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
