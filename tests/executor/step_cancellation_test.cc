// Steps that are cancelled or pass their deadline (run_options.h,
// docs/cancellation.md): the status names the node that kept running, no
// further node runs, the step's memory is freed, and the session's next
// steps run normally; steps that are not stopped are unaffected. Each test
// runs with 1 inter-op thread (the Run caller itself is inside the looping
// kernel) and with 2.
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "core/memory/bfc_allocator.h"
#include "core/memory/sub_allocator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/executor/test_ops.h"

namespace graphrt {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::Record;
using testing::RecordLog;
using testing::RegisterTestOps;
using testing::SpinKernel;

// x -> a (Record) -> loop (Spin) -> after (Record); x -> sum = a + 1.
// Fetching "after" never finishes unless the step is stopped; fetching
// "sum" does not touch the loop.
class StepCancellationTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    RegisterTestOps();
    RecordLog::Get().Reset();
  }

  std::unique_ptr<Session> MakeSession(bool block = false, int64_t session_timeout_ms = 0,
                                       Allocator* allocator = nullptr) {
    GraphBuilder b;
    Output x = b.Placeholder(DataType::kFloat32, PartialShape::Scalar(), "x");
    Output a = Record(b, "a", {x});
    Output loop = b.Op("Spin", std::vector<Output>{a}, {{"block", block}}, "loop");
    Record(b, "after", {loop});
    ops::Add(a, b.Scalar<float>(1.0f), "sum");
    SessionOptions o;
    o.inter_op_threads = GetParam();
    o.intra_op_threads = 1;
    o.kernels = testing::TestKernels();
    o.timeout_ms = session_timeout_ms;
    o.cpu_allocator = allocator;
    absl::StatusOr<Graph> g = b.Build();
    EXPECT_TRUE(g.ok()) << g.status();
    auto s = Session::Create(*std::move(g), o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : nullptr;
  }

  static FeedList Feed(float v) { return {{"x", Tensor::Scalar<float>(v)}}; }

  // sum = Record(x) + 1 = x + 2, on a step no one stops.
  static void ExpectSumWorks(Session& session, float x) {
    auto out = session.Run(Feed(x), {"sum"});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].scalar<float>(), x + 2.0f);
  }
};

TEST_P(StepCancellationTest, DeadlineStopsTheStepAndNamesTheLoopingNode) {
  auto session = MakeSession();
  ASSERT_NE(session, nullptr);
  RunOptions options;
  options.timeout_ms = 50;
  const int returned = SpinKernel::returned().load();
  auto out = session->Run(options, Feed(1.0f), {"after"}, {}, nullptr);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kDeadlineExceeded) << out.status();
  EXPECT_THAT(out.status().message(),
              AllOf(HasSubstr("deadline of 50 ms"), HasSubstr("'loop' (Spin)"),
                    HasSubstr("RunOptions::timeout_ms"), Not(HasSubstr("'after'"))));
  EXPECT_EQ(SpinKernel::returned().load(), returned + 1);  // it saw ctx.cancelled()
  EXPECT_EQ(RecordLog::Get().runs().count("after"), 0u);   // nothing dispatched after it
  ExpectSumWorks(*session, 5.0f);
}

TEST_P(StepCancellationTest, BlockedKernelIsWokenByItsCancellationCallback) {
  auto session = MakeSession(/*block=*/true);
  ASSERT_NE(session, nullptr);
  RunOptions options;
  options.timeout_ms = 20;
  auto out = session->Run(options, Feed(1.0f), {"after"}, {}, nullptr);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kDeadlineExceeded) << out.status();
  EXPECT_THAT(out.status().message(), HasSubstr("'loop' (Spin)"));
  ExpectSumWorks(*session, 1.0f);
}

TEST_P(StepCancellationTest, CancelFromAnotherThreadReturnsCancelled) {
  auto session = MakeSession();
  ASSERT_NE(session, nullptr);
  CancellationToken token;
  RunOptions options;
  options.cancellation = &token;
  const int started = SpinKernel::started().load();
  std::thread canceller([&] {
    while (SpinKernel::started().load() == started) std::this_thread::yield();
    token.Cancel();
  });
  auto out = session->Run(options, Feed(1.0f), {"after"}, {}, nullptr);
  canceller.join();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kCancelled) << out.status();
  EXPECT_THAT(out.status().message(),
              AllOf(HasSubstr("cancelled"), HasSubstr("'loop' (Spin)"), Not(HasSubstr("'after'"))));
  EXPECT_EQ(RecordLog::Get().runs().count("after"), 0u);
  ExpectSumWorks(*session, 2.0f);
}

TEST_P(StepCancellationTest, TokenCancelledBeforeRunStopsTheStepBeforeAnyNode) {
  auto session = MakeSession();
  ASSERT_NE(session, nullptr);
  CancellationToken token;
  token.Cancel();
  RunOptions options;
  options.cancellation = &token;
  auto out = session->Run(options, Feed(1.0f), {"sum"}, {}, nullptr);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kCancelled) << out.status();
  EXPECT_THAT(out.status().message(), HasSubstr("before it started"));
  EXPECT_TRUE(RecordLog::Get().runs().empty());  // not even the root's Record ran
  ExpectSumWorks(*session, 3.0f);
}

TEST_P(StepCancellationTest, CancelAfterTheStepFinishedIsHarmless) {
  auto session = MakeSession();
  ASSERT_NE(session, nullptr);
  CancellationToken token;
  RunOptions options;
  options.cancellation = &token;
  options.timeout_ms = 10'000;
  auto out = session->Run(options, Feed(4.0f), {"sum"}, {}, nullptr);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 6.0f);
  token.Cancel();  // the step deregistered: nothing of it is touched
  EXPECT_EQ((*out)[0].scalar<float>(), 6.0f);
  CancellationToken fresh;
  options.cancellation = &fresh;
  auto again = session->Run(options, Feed(7.0f), {"sum"}, {}, nullptr);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)[0].scalar<float>(), 9.0f);
}

TEST_P(StepCancellationTest, StepsWithinTheirDeadlineAreUnaffected) {
  auto session = MakeSession(/*block=*/false, /*session_timeout_ms=*/60'000);
  ASSERT_NE(session, nullptr);
  auto handle = session->MakeCallable({"x"}, {"sum"});
  ASSERT_TRUE(handle.ok()) << handle.status();
  for (int i = 0; i < 200; ++i) {
    Tensor feed = Tensor::Scalar<float>(static_cast<float>(i));
    auto out = session->RunCallable(*handle, std::span<const Tensor>(&feed, 1));
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_EQ((*out)[0].scalar<float>(), static_cast<float>(i) + 2.0f);
  }
  EXPECT_EQ(RecordLog::Get().runs()["a"].count, 200);
}

// The session's default deadline applies to RunCallable; a step that asks
// for none (negative timeout_ms) is exempt. A kernel that does not poll
// (Record sleeping 100 ms) is waited for and named.
TEST_P(StepCancellationTest, SessionDeadlineAppliesUnlessTheRunOptsOut) {
  GraphBuilder b;
  Output slow = Record(b, "slow", {}, {{"sleep_us", int64_t{100'000}}});
  Record(b, "next", {slow});
  SessionOptions o;
  o.inter_op_threads = GetParam();
  o.kernels = testing::TestKernels();
  o.timeout_ms = 10;
  auto session = Session::Create(b.Build().value(), o);
  ASSERT_TRUE(session.ok()) << session.status();
  auto handle = (*session)->MakeCallable({}, {"next"});
  ASSERT_TRUE(handle.ok());
  auto out = (*session)->RunCallable(*handle, {});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kDeadlineExceeded) << out.status();
  EXPECT_THAT(out.status().message(),
              AllOf(HasSubstr("'slow' (Record)"), HasSubstr("SessionOptions::timeout_ms")));
  EXPECT_EQ(RecordLog::Get().runs().count("next"), 0u);
  RunOptions none;
  none.timeout_ms = -1;
  auto full = (*session)->RunCallable(none, *handle, {});
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ((*full)[0].scalar<float>(), 2.0f);  // next = slow + 1 = 2
}

TEST_P(StepCancellationTest, StoppedStepFreesItsMemory) {
  BfcOptions bfc;
  bfc.name = "cancellation_test";
  std::unique_ptr<Allocator> pool = CreateBfcAllocator(CreateHostSubAllocator(), bfc);
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {-1}, "x");
  Output big = ops::Mul(x, b.Scalar<float>(2.0f), "big");
  Output bigger = ops::Neg(big, "bigger");
  Output loop = b.Op("Spin", std::vector<Output>{big, bigger}, {}, "loop");
  Record(b, "after", {loop});
  SessionOptions o;
  o.inter_op_threads = GetParam();
  o.intra_op_threads = 1;
  o.kernels = testing::TestKernels();
  o.cpu_allocator = pool.get();
  auto session = Session::Create(b.Build().value(), o);
  ASSERT_TRUE(session.ok()) << session.status();
  constexpr int64_t kElements = 1 << 20;
  Tensor feed(DataType::kFloat32, TensorShape{kElements});
  for (float& v : feed.flat<float>()) v = 1.0f;
  const int64_t before = pool->BytesInUse();
  for (int run = 0; run < 3; ++run) {
    CancellationToken token;
    RunOptions options;
    options.cancellation = &token;
    const int started = SpinKernel::started().load();
    int64_t during = 0;
    std::thread canceller([&] {
      while (SpinKernel::started().load() == started) std::this_thread::yield();
      during = pool->BytesInUse();
      token.Cancel();
    });
    auto out = (*session)->Run(options, {{"x", feed}}, {"after"}, {}, nullptr);
    canceller.join();
    EXPECT_EQ(out.status().code(), absl::StatusCode::kCancelled) << out.status();
    EXPECT_GE(during, before + 2 * kElements * static_cast<int64_t>(sizeof(float)));
    EXPECT_EQ(pool->BytesInUse(), before) << "run " << run;
  }
  auto out = (*session)->Run({{"x", feed}}, {"bigger"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].flat<float>()[kElements - 1], -2.0f);
}

// Threads run one session at once; some steps are cancelled from another
// thread, some pass a deadline, the rest must compute the right sums.
TEST_P(StepCancellationTest, ConcurrentStepsSomeStoppedOthersCorrect) {
  auto session = MakeSession();
  ASSERT_NE(session, nullptr);
  constexpr int kThreads = 6, kSteps = 12;
  std::atomic<int> wrong{0}, cancelled{0}, expired{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kSteps; ++k) {
        const float x = static_cast<float>(t * 100 + k);
        CancellationToken token;
        RunOptions options;
        options.cancellation = &token;
        if (k % 3 == 0) {
          options.timeout_ms = 5;
          auto out = session->Run(options, Feed(x), {"after"}, {}, nullptr);
          if (out.status().code() == absl::StatusCode::kDeadlineExceeded) ++expired;
        } else if (k % 3 == 1) {
          std::thread canceller([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            token.Cancel();
          });
          auto out = session->Run(options, Feed(x), {"after"}, {}, nullptr);
          canceller.join();
          if (out.status().code() == absl::StatusCode::kCancelled) ++cancelled;
        } else {
          options.timeout_ms = 60'000;
          auto out = session->Run(options, Feed(x), {"sum"}, {}, nullptr);
          if (!out.ok() || (*out)[0].scalar<float>() != x + 2.0f) ++wrong;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(expired.load(), kThreads * kSteps / 3);
  EXPECT_EQ(cancelled.load(), kThreads * kSteps / 3);
  ExpectSumWorks(*session, 8.0f);
}

INSTANTIATE_TEST_SUITE_P(InterOpThreads, StepCancellationTest, ::testing::Values(1, 2));

// A node that fails cancels its step's token: a kernel looping beside it
// (on the other inter-op thread) returns instead of holding the step
// forever. The 30 s deadline only turns a regression into a failure
// rather than a hang.
TEST(StepCancellationFailureTest, AFailingNodeStopsTheKernelsRunningBesideIt) {
  RegisterTestOps();
  GraphBuilder b;
  Output loop = b.Op("Spin", std::vector<Output>{}, {}, "loop");
  Output bad = Record(b, "bad", {}, {{"fail", true}, {"sleep_us", int64_t{2'000}}});
  Output joined = Record(b, "joined", {loop, bad});
  SessionOptions o;
  o.inter_op_threads = 2;
  o.kernels = testing::TestKernels();
  auto session = Session::Create(b.Build().value(), o);
  ASSERT_TRUE(session.ok()) << session.status();
  for (int run = 0; run < 5; ++run) {
    RunOptions options;
    options.timeout_ms = 30'000;
    auto out = (*session)->Run(options, {}, {joined}, {}, nullptr);
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInternal) << out.status();
    EXPECT_THAT(out.status().message(), HasSubstr("'bad' (Record)"));
  }
}

TEST(StepCancellationOptionsTest, NegativeSessionTimeoutIsRefused) {
  RegisterTestOps();
  GraphBuilder b;
  Record(b, "r", {});
  SessionOptions o;
  o.kernels = testing::TestKernels();
  o.timeout_ms = -5;
  auto session = Session::Create(b.Build().value(), o);
  EXPECT_EQ(session.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(session.status().message(),
              AllOf(HasSubstr("SessionOptions::timeout_ms is -5"), HasSubstr("use 0")));
}

}  // namespace
}  // namespace graphrt
