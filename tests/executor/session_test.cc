// Session: stateful ordering, concurrent Run, variables across runs, bad
// input of every kind getting a status that names the node and the fix.
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "core/executor/session.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/math_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/executor/test_ops.h"

namespace graphrt {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

SessionOptions Threads(int inter, int intra = 1) {
  SessionOptions o;
  o.inter_op_threads = inter;
  o.intra_op_threads = intra;
  return o;
}

std::unique_ptr<Session> MakeSession(GraphBuilder& b, const SessionOptions& o = Threads(2)) {
  absl::StatusOr<Graph> g = b.Build();
  EXPECT_TRUE(g.ok()) << g.status();
  auto s = Session::Create(*std::move(g), o);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : nullptr;
}

// SEMANTICS.md: v.assign_add(1) then v.assign(v * 2) gives (v + 1) * 2 on
// every run, though the two updates share no data edge.
TEST(SessionTest, StatefulUpdatesRunInProgramOrderEveryTime) {
  GraphBuilder b;
  Variable v = b.NewVariable("v", Tensor::Scalar<float>(1.0f));
  Output reset = v.Assign(b.Scalar<float>(1.0f), "reset");
  Output inc = v.AssignAdd(b.Scalar<float>(1.0f), "inc");
  Output dbl = v.Assign(v.Read() * 2.0f, "double");
  Output result = v.Read("result");
  (void)reset;
  (void)inc;
  auto session = MakeSession(b, Threads(8));
  ASSERT_NE(session, nullptr);
  for (int run = 0; run < 1000; ++run) {
    auto out = session->Run({}, {result}, {dbl});
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_EQ((*out)[0].scalar<float>(), 4.0f) << "run " << run;
  }
}

TEST(SessionTest, VariablesPersistAcrossRuns) {
  GraphBuilder b;
  Variable counter = b.NewVariable("counter", Tensor::Scalar<int32_t>(10));
  // Read first: in program order the read precedes the update, so fetching
  // it does not run the update (a read made after it would, like TF2).
  Output value = counter.Read("value");
  Output step = counter.AssignAdd(b.Scalar<int32_t>(3), "step");
  auto session = MakeSession(b);
  ASSERT_NE(session, nullptr);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(session->Run({}, {}, {step}).ok());
  auto out = session->Run({}, {value});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<int32_t>(), 25);
  auto both = session->Run({}, {value}, {step});  // reads 25, then adds 3
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ((*both)[0].scalar<int32_t>(), 25);
  EXPECT_EQ((*session->Run({}, {value}))[0].scalar<int32_t>(), 28);
}

TEST(SessionTest, SixteenThreadsRunOneSessionAtOnce) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {-1}, "x");
  Output y = ops::Add(ops::Mul(x, b.Scalar<float>(2.0f)), b.Scalar<float>(1.0f), "y");
  Output z = ops::Sum(ops::Neg(y), {}, "z");
  auto session = MakeSession(b, Threads(4));
  ASSERT_NE(session, nullptr);
  std::vector<std::thread> threads;
  std::vector<int> wrong(16, 0);
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int run = 0; run < 200; ++run) {
        const int n = 1 + (t * 37 + run) % 300;
        std::vector<float> in(n);
        for (int i = 0; i < n; ++i) in[i] = static_cast<float>(t + i);
        auto out = session->Run({{x, Tensor::FromVector(in)}}, {y, z});
        if (!out.ok() || (*out)[0].num_elements() != n) {
          ++wrong[t];
          continue;
        }
        double sum = 0;
        for (int i = 0; i < n; ++i) {
          const float want = 2.0f * in[i] + 1.0f;
          if ((*out)[0].data<float>()[i] != want) ++wrong[t];
          sum -= want;
        }
        if (std::abs((*out)[1].scalar<float>() - sum) > 1e-3 * std::abs(sum)) ++wrong[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 16; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    x_ = b_.Placeholder(DataType::kFloat32, {2}, "x");
    y_ = ops::Neg(x_, "y");
    session_ = MakeSession(b_);
    ASSERT_NE(session_, nullptr);
  }
  // After any bad call, a good one still works.
  void ExpectStillWorks() {
    auto out = session_->Run({{x_, Tensor::FromVector<float>({1, 2})}}, {y_});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].data<float>()[1], -2.0f);
  }
  GraphBuilder b_;
  Output x_, y_;
  std::unique_ptr<Session> session_;
};

TEST_F(BadInputTest, WrongDtypeFed) {
  auto out = session_->Run({{x_, Tensor::FromVector<int32_t>({1, 2})}}, {y_});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), AllOf(HasSubstr("'x'"), HasSubstr("float32"),
                                            HasSubstr("int32")));
  ExpectStillWorks();
}

TEST_F(BadInputTest, WrongShapeFed) {
  auto out = session_->Run({{x_, Tensor::FromVector<float>({1, 2, 3})}}, {y_});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), AllOf(HasSubstr("'x'"), HasSubstr("[2]"), HasSubstr("[3]")));
  ExpectStillWorks();
}

TEST_F(BadInputTest, PlaceholderNotFed) {
  auto out = session_->Run({}, {y_});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), AllOf(HasSubstr("'x'"), HasSubstr("feed")));
  ExpectStillWorks();
}

TEST_F(BadInputTest, UnknownFetch) {
  auto out = session_->Run({{x_, Tensor::FromVector<float>({1, 2})}}, {"no_such_node"});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(out.status().message(), HasSubstr("no_such_node"));
  auto bad_index = session_->Run({{x_, Tensor::FromVector<float>({1, 2})}}, {"y:4"});
  ASSERT_FALSE(bad_index.ok());
  EXPECT_THAT(bad_index.status().message(), HasSubstr("y:4"));
  ExpectStillWorks();
}

TEST_F(BadInputTest, FeedingANonPlaceholder) {
  auto out = session_->Run({{y_, Tensor::FromVector<float>({1, 2})}}, {y_});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), AllOf(HasSubstr("'y'"), HasSubstr("Placeholder")));
  ExpectStillWorks();
}

TEST_F(BadInputTest, FeedingTheSameTensorTwice) {
  auto out = session_->Run({{x_, Tensor::FromVector<float>({1, 2})},
                            {x_, Tensor::FromVector<float>({3, 4})}},
                           {y_});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("'x'"));
  ExpectStillWorks();
}

TEST_F(BadInputTest, RunCallableWithWrongFeedCount) {
  auto h = session_->MakeCallable({x_}, {y_});
  ASSERT_TRUE(h.ok()) << h.status();
  auto out = session_->RunCallable(*h, {});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("feeds"));
  auto bad_handle = session_->RunCallable(*h + 100, {});
  EXPECT_FALSE(bad_handle.ok());
  ExpectStillWorks();
}

TEST(SessionTest, MissingKernelIsReportedAtCreate) {
  graphrt::testing::RegisterTestOps();
  GraphBuilder b;
  Output n = b.Op("NoKernelOp", {}, {}, "orphan");
  ASSERT_TRUE(n.valid()) << b.status();
  auto g = b.Build();
  ASSERT_TRUE(g.ok());
  auto s = Session::Create(*std::move(g), Threads(1));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), AllOf(HasSubstr("orphan"), HasSubstr("NoKernelOp")));
}

TEST(SessionTest, RunsTheSameSignatureRepeatedlyFromTheCache) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kInt32, {}, "x");
  ops::Mul(x, x, "y");
  ops::Neg(x, "unused");
  auto session = MakeSession(b, Threads(1));
  ASSERT_NE(session, nullptr);
  for (int i = -50; i < 50; ++i) {
    auto out = session->Run({{"x", Tensor::Scalar<int32_t>(i)}}, {"y"});
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_EQ((*out)[0].scalar<int32_t>(), i * i);
  }
}

// The plan cache keeps at most max_cached_plans signatures, dropping the least
// recently used; a dropped signature is rebuilt and still gives right answers.
TEST(SessionTest, PlanCacheIsBoundedAndDropsTheLeastRecentlyUsed) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kInt32, {}, "x");
  ops::Mul(x, x, "square");
  ops::Neg(x, "neg");
  ops::Add(x, x, "twice");
  SessionOptions options = Threads(1);
  options.max_cached_plans = 2;
  auto session = MakeSession(b, options);
  ASSERT_NE(session, nullptr);
  auto run = [&](const char* fetch, int32_t v) {
    auto out = session->Run({{"x", Tensor::Scalar<int32_t>(v)}}, {fetch});
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? (*out)[0].scalar<int32_t>() : -1;
  };
  EXPECT_EQ(run("square", 3), 9);
  EXPECT_EQ(run("neg", 3), -3);
  EXPECT_EQ(session->num_cached_plans(), 2);
  EXPECT_EQ(run("square", 4), 16);  // now the most recent: "neg" goes next
  EXPECT_EQ(run("twice", 4), 8);
  EXPECT_EQ(session->num_cached_plans(), 2);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(run("neg", i), -i);  // rebuilt after eviction
    EXPECT_EQ(run("square", i), i * i);
    EXPECT_EQ(run("twice", i), 2 * i);
    EXPECT_LE(session->num_cached_plans(), 2);
  }
  // 0: no limit.
  options.max_cached_plans = 0;
  auto unbounded = MakeSession(b, options);
  ASSERT_NE(unbounded, nullptr);
  for (const char* fetch : {"square", "neg", "twice"}) {
    ASSERT_TRUE(unbounded->Run({{"x", Tensor::Scalar<int32_t>(1)}}, {fetch}).ok());
  }
  EXPECT_EQ(unbounded->num_cached_plans(), 3);
}

TEST(SessionTest, ReleasedCallablesAreGoneAndOthersStillRun) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kInt32, {}, "x");
  Output y = ops::Mul(x, x, "y");
  ops::Neg(x, "neg");
  SessionOptions options = Threads(1);
  options.max_cached_plans = 1;  // the callables' plans outlive the cache
  auto session = MakeSession(b, options);
  ASSERT_NE(session, nullptr);
  auto first = session->MakeCallable({x}, {y});
  auto second = session->MakeCallable({x}, {y});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  // Another signature pushes y's plan out of the cache.
  ASSERT_TRUE(session->Run({{x, Tensor::Scalar<int32_t>(1)}}, {"neg"}).ok());
  EXPECT_EQ(session->num_cached_plans(), 1);
  ASSERT_TRUE(session->ReleaseCallable(*first).ok());
  const std::vector<Tensor> two = {Tensor::Scalar<int32_t>(2)};
  auto gone = session->RunCallable(*first, two);
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(gone.status().message(), HasSubstr("released"));
  EXPECT_EQ(session->ReleaseCallable(*first).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(session->ReleaseCallable(12345).code(), absl::StatusCode::kInvalidArgument);
  const std::vector<Tensor> seven = {Tensor::Scalar<int32_t>(7)};
  auto out = session->RunCallable(*second, seven);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<int32_t>(), 49);
}

class EnvTest : public ::testing::Test {
 protected:
  void TearDown() override {
    unsetenv("GRAPHRT_NUM_INTEROP_THREADS");
    unsetenv("GRAPHRT_NUM_INTRAOP_THREADS");
  }
};

TEST_F(EnvTest, EnvironmentOverridesThreadCounts) {
  setenv("GRAPHRT_NUM_INTEROP_THREADS", "3", 1);
  setenv("GRAPHRT_NUM_INTRAOP_THREADS", "5", 1);
  SessionOptions resolved = ResolveSessionOptions(Threads(1, 1));
  EXPECT_EQ(resolved.inter_op_threads, 3);
  EXPECT_EQ(resolved.intra_op_threads, 5);
}

TEST_F(EnvTest, InvalidEnvironmentIsIgnoredAndZeroMeansCores) {
  setenv("GRAPHRT_NUM_INTEROP_THREADS", "lots", 1);
  SessionOptions resolved = ResolveSessionOptions(Threads(2, 0));
  EXPECT_EQ(resolved.inter_op_threads, 2);
  EXPECT_EQ(resolved.intra_op_threads, static_cast<int>(std::thread::hardware_concurrency()));
  EXPECT_NE(resolved.kernels, nullptr);
  EXPECT_NE(resolved.cpu_allocator, nullptr);
}

}  // namespace
}  // namespace graphrt
