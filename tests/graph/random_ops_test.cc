// Tests for core/graph/ops/random_ops.h (Dropout over
// StatelessRandomUniformLike), run through Sessions: the kept fraction and
// the scale, the same mask for the same (seed, step) across runs, sessions
// and intra-op thread counts, a new mask for a new step or seed, an int32
// step read from a variable the loop increments, the gradient multiplying
// by the forward mask (and finite differences), and bad rates named.
#include <memory>
#include <vector>

#include "core/executor/session.h"
#include "core/graph/gradients.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/random_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/graph/gradient_checker.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::GradientErrors;
using ::graphrt::testing::RandomFloats;
using ::testing::HasSubstr;

constexpr float kRate = 0.3f;

std::vector<float> V(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.num_elements());
}

struct DropoutGraph {
  std::unique_ptr<GraphBuilder> b = std::make_unique<GraphBuilder>();
  Output x, step, y, dx;
};

DropoutGraph Build(int64_t seed) {
  DropoutGraph g;
  g.x = g.b->Placeholder(DataType::kFloat32, PartialShape{-1, 50}, "x");
  g.step = g.b->Placeholder(DataType::kInt64, PartialShape{}, "step");
  g.y = ops::Dropout(g.x, kRate, seed, g.step, "drop");
  Output xs[] = {g.x};
  auto dx = AddGradients(ops::Sum(g.y), xs);
  EXPECT_TRUE(dx.ok()) << dx.status();
  if (dx.ok()) g.dx = (*dx)[0];
  return g;
}

std::vector<Tensor> RunDropout(const DropoutGraph& g, const Tensor& x, int64_t step,
                               int intra = 2) {
  auto graph = g.b->Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  SessionOptions options;
  options.intra_op_threads = intra;
  auto session = Session::Create(*std::move(graph), options);
  EXPECT_TRUE(session.ok()) << session.status();
  auto out = (*session)->Run({{g.x, x}, {g.step, Tensor::Scalar<int64_t>(step)}}, {g.y, g.dx});
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::vector<Tensor>{};
}

TEST(DropoutTest, KeepsAboutOneMinusRateScaledAndTheGradientUsesTheMask) {
  DropoutGraph g = Build(7);
  const Tensor x = RandomFloats({400, 50}, 0.5f, 1.5f, 1);
  std::vector<Tensor> out = RunDropout(g, x, 0);
  ASSERT_EQ(out.size(), 2u);
  int64_t kept = 0;
  const float scale = 1.0f / (1.0f - kRate);
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    const float xi = x.data<float>()[i], yi = out[0].data<float>()[i];
    const float gi = out[1].data<float>()[i];
    if (yi != 0.0f) {
      ++kept;
      EXPECT_FLOAT_EQ(yi, xi * scale);
      EXPECT_FLOAT_EQ(gi, scale);
    } else {
      EXPECT_EQ(gi, 0.0f) << "element " << i << ": dropped but the gradient is not";
    }
  }
  // 20000 Bernoulli(0.7) draws: within 5 standard deviations (about 324).
  EXPECT_NEAR(static_cast<double>(kept), 0.7 * 20000, 325);
}

TEST(DropoutTest, SameSeedAndStepGiveTheSameMaskForAnyThreadCount) {
  const Tensor x = RandomFloats({300, 50}, 0.5f, 1.5f, 2);
  DropoutGraph a = Build(7), b = Build(7);
  const std::vector<Tensor> first = RunDropout(a, x, 5, 1);
  testing::ExpectTensorEq(RunDropout(a, x, 5, 4)[0], first[0]);
  testing::ExpectTensorEq(RunDropout(b, x, 5, 2)[0], first[0]);
  // Another step or seed: another mask.
  for (const Tensor& other : {RunDropout(a, x, 6)[0], RunDropout(Build(8), x, 5)[0]}) {
    int64_t differ = 0;
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      differ += (other.data<float>()[i] == 0) != (first[0].data<float>()[i] == 0);
    }
    EXPECT_GT(differ, x.num_elements() / 5);  // 2 * 0.3 * 0.7 = 42% expected
  }
}

TEST(DropoutTest, StepFromAnInt32CounterVariable) {
  GraphBuilder b;
  Variable counter = b.NewVariable("step", Tensor::Scalar<int32_t>(0));
  Output x = b.Const(Tensor::FromVector<float>(std::vector<float>(64, 1.0f)), "x");
  Output y = ops::Dropout(x, 0.5f, 3, counter.Read(), "drop");
  Output bump = counter.AssignAdd(b.Scalar<int32_t>(1));
  Output rewind = counter.Assign(b.Scalar<int32_t>(1));
  auto graph = b.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto session = Session::Create(*std::move(graph));
  ASSERT_TRUE(session.ok()) << session.status();
  std::vector<Tensor> masks;
  for (int step = 0; step < 3; ++step) {
    auto out = (*session)->Run({}, {y});
    ASSERT_TRUE(out.ok()) << out.status();
    masks.push_back((*out)[0]);
    ASSERT_TRUE((*session)->Run({}, {}, {bump}).ok());
  }
  EXPECT_NE(V(masks[0]), V(masks[1]));
  EXPECT_NE(V(masks[1]), V(masks[2]));
  // Step 1 again: the same mask as the first time.
  ASSERT_TRUE((*session)->Run({}, {}, {rewind}).ok());
  auto again = (*session)->Run({}, {y});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(V((*again)[0]), V(masks[1]));
}

TEST(DropoutTest, GradientMatchesFiniteDifferences) {
  auto errors = GradientErrors(
      [](GraphBuilder& b, std::vector<Output>& x) {
        return ops::Dropout(x[0], 0.4f, 11, b.Scalar<int64_t>(3));
      },
      {{RandomFloats({6, 7}, -1, 1, 3), PartialShape{-1, 7}}});
  ASSERT_TRUE(errors.ok()) << errors.status();
  EXPECT_LE((*errors)[0], 1e-3);
}

TEST(DropoutTest, RateZeroIsTheInputAndBadRatesAreNamed) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, PartialShape{-1, 4}, "x");
  Output step = b.Scalar<int64_t>(0);
  Output same = ops::Dropout(x, 0.0f, 1, step);
  EXPECT_EQ(same.node_id(), x.node_id());
  for (float rate : {1.0f, -0.1f, 2.0f}) {
    GraphBuilder bad;
    Output bx = bad.Placeholder(DataType::kFloat32, PartialShape{-1, 4}, "features");
    EXPECT_FALSE(ops::Dropout(bx, rate, 1, bad.Scalar<int64_t>(0), "drop1").valid());
    ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(bad.status().message(), HasSubstr("Dropout 'drop1' of features"));
    EXPECT_THAT(bad.status().message(), HasSubstr("not in [0, 1)"));
  }
}

}  // namespace
}  // namespace graphrt
