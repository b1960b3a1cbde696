// Tests for core/graph/optimizers.h: SGD steps checked against the update
// computed by hand, a fed learning rate, and the errors; Momentum (plain and
// Nesterov) and Adam checked step by step, slots included, against
// references written from TF's formulas in double; slot colocation.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/training_ops.h"
#include "core/graph/optimizers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatEq;
using ::testing::HasSubstr;

std::vector<float> ValueOf(Session& s, const Variable& v) {
  auto var = s.resources().LookupVariable(v.name());
  EXPECT_TRUE(var.ok()) << var.status();
  auto t = (*var)->Read();
  EXPECT_TRUE(t.ok()) << t.status();
  return {t->flat<float>().begin(), t->flat<float>().end()};
}

TEST(OptimizersTest, SgdStepsOnAQuadratic) {
  // loss = sum((w - target)^2): gradient 2 (w - target).
  GraphBuilder b;
  Variable w = b.NewVariable("w", Tensor::FromVector<float>({1, 2}));
  Output target = b.Const(Tensor::FromVector<float>({3, -2}));
  Output d = w.Read() - target;
  Output loss = ops::Sum(d * d);
  auto train = MinimizeWithSgd(loss, {&w, 1}, 0.25f);
  ASSERT_TRUE(train.ok()) << train.status();
  auto session = Session::Create(*b.Build());
  ASSERT_TRUE(session.ok()) << session.status();
  ASSERT_TRUE((*session)->Run({}, {}, {*train}).ok());
  // w - 0.25 * 2 (w - t) = (w + t) / 2: (2, 0)
  EXPECT_THAT(ValueOf(**session, w), ElementsAre(FloatEq(2), FloatEq(0)));
  ASSERT_TRUE((*session)->Run({}, {}, {*train}).ok());
  EXPECT_THAT(ValueOf(**session, w), ElementsAre(FloatEq(2.5f), FloatEq(-1)));
}

TEST(OptimizersTest, LossFetchedWithTheUpdateSeesTheOldWeights) {
  GraphBuilder b;
  Variable w = b.NewVariable("w", Tensor::FromVector<float>({4}));
  Output loss = ops::Sum(w.Read() * w.Read());
  Output lr = b.Placeholder(DataType::kFloat32, PartialShape::Scalar(), "lr");
  auto train = MinimizeWithSgd(loss, {&w, 1}, lr);
  ASSERT_TRUE(train.ok()) << train.status();
  auto session = Session::Create(*b.Build());
  ASSERT_TRUE(session.ok()) << session.status();
  auto out = (*session)->Run({{lr, Tensor::Scalar<float>(0.125f)}}, {loss}, {*train});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FLOAT_EQ((*out)[0].scalar<float>(), 16);          // before the update
  EXPECT_THAT(ValueOf(**session, w), ElementsAre(FloatEq(3)));  // 4 - 0.125 * 8
}

TEST(OptimizersTest, ErrorsNameTheProblem) {
  GraphBuilder b;
  Variable w = b.NewVariable("w", Tensor::FromVector<float>({1}));
  Variable idle = b.NewVariable("idle", Tensor::FromVector<float>({1}));
  Output loss = ops::Sum(w.Read());
  Variable both[] = {w, idle};
  auto unused = MinimizeWithSgd(loss, both, 0.1f);
  ASSERT_FALSE(unused.ok());
  EXPECT_THAT(unused.status().message(), HasSubstr("'idle'"));
  auto bad_rate = MinimizeWithSgd(loss, {&w, 1}, b.Scalar<int32_t>(1));
  ASSERT_FALSE(bad_rate.ok());
  EXPECT_THAT(bad_rate.status().message(), HasSubstr("float32"));
}

// loss = sum((w - target)^2), so d(loss)/dw = 2 (w - target): the references
// below compute the gradient from their own w.
struct Quadratic {
  GraphBuilder b;
  Variable w;
  Output loss;
  std::vector<double> init = {1.5, -2.0, 0.25, 3.0};
  std::vector<double> target = {3.0, -2.5, -1.0, 0.5};

  Quadratic() {
    w = b.NewVariable("w", Tensor::FromVector<float>({1.5f, -2.0f, 0.25f, 3.0f}));
    Output t = b.Const(Tensor::FromVector<float>({3.0f, -2.5f, -1.0f, 0.5f}));
    Output d = w.Read() - t;
    loss = ops::Sum(d * d);
  }
  std::vector<double> Grad(const std::vector<double>& at) const {
    std::vector<double> g(at.size());
    for (size_t i = 0; i < at.size(); ++i) g[i] = 2 * (at[i] - target[i]);
    return g;
  }
};

void ExpectClose(const std::vector<float>& actual, const std::vector<double>& expected,
                 const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], 2e-5 * std::max(1.0, std::abs(expected[i])))
        << what << " [" << i << "]";
  }
}

std::vector<float> ValueOf(Session& s, const std::string& name) {
  auto var = s.resources().LookupVariable(name);
  EXPECT_TRUE(var.ok()) << var.status();
  if (!var.ok()) return {};
  auto t = (*var)->Read();
  EXPECT_TRUE(t.ok()) << t.status();
  return {t->flat<float>().begin(), t->flat<float>().end()};
}

void CheckMomentum(bool nesterov) {
  Quadratic q;
  MomentumOptions options{.learning_rate = 0.05f, .momentum = 0.9f, .use_nesterov = nesterov};
  auto train = MinimizeWithMomentum(q.loss, {&q.w, 1}, options);
  ASSERT_TRUE(train.ok()) << train.status();
  auto session = Session::Create(*q.b.Build());
  ASSERT_TRUE(session.ok()) << session.status();
  std::vector<double> w = q.init, accum(w.size(), 0.0);
  for (int step = 1; step <= 12; ++step) {
    ASSERT_TRUE((*session)->Run({}, {}, {*train}).ok());
    const std::vector<double> g = q.Grad(w);
    for (size_t i = 0; i < w.size(); ++i) {
      accum[i] = 0.9 * accum[i] + g[i];
      w[i] -= nesterov ? 0.05 * g[i] + 0.05 * 0.9 * accum[i] : 0.05 * accum[i];
    }
    const std::string at = absl::StrCat("step ", step);
    ExpectClose(ValueOf(**session, "w"), w, "w at " + at);
    ExpectClose(ValueOf(**session, "w/momentum"), accum, "accum at " + at);
  }
}

TEST(OptimizersTest, MomentumStepByStep) { CheckMomentum(/*nesterov=*/false); }
TEST(OptimizersTest, NesterovMomentumStepByStep) { CheckMomentum(/*nesterov=*/true); }

TEST(OptimizersTest, AdamStepByStepWithTfBiasCorrection) {
  Quadratic q;
  // A large epsilon makes its place in the formula visible in the result.
  AdamOptions options{.learning_rate = 0.1f, .beta1 = 0.8f, .beta2 = 0.95f, .epsilon = 0.01f};
  auto train = MinimizeWithAdam(q.loss, {&q.w, 1}, options, "adam");
  ASSERT_TRUE(train.ok()) << train.status();
  auto session = Session::Create(*q.b.Build());
  ASSERT_TRUE(session.ok()) << session.status();
  const double lr = 0.1, b1 = 0.8, b2 = 0.95, eps = 0.01;
  std::vector<double> w = q.init, m(w.size(), 0.0), v(w.size(), 0.0);
  for (int t = 1; t <= 12; ++t) {
    ASSERT_TRUE((*session)->Run({}, {}, {*train}).ok());
    const std::vector<double> g = q.Grad(w);
    const double lr_t = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
    for (size_t i = 0; i < w.size(); ++i) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
    }
    const std::string at = absl::StrCat("step ", t);
    ExpectClose(ValueOf(**session, "w"), w, "w at " + at);
    ExpectClose(ValueOf(**session, "w/adam_m"), m, "m at " + at);
    ExpectClose(ValueOf(**session, "w/adam_v"), v, "v at " + at);
    // After step t the powers hold beta^(t+1), ready for the next step.
    ExpectClose(ValueOf(**session, "adam/beta1_power"), {std::pow(b1, t + 1)}, "beta1^t " + at);
    ExpectClose(ValueOf(**session, "adam/beta2_power"), {std::pow(b2, t + 1)}, "beta2^t " + at);
  }
}

// The loss fetched with Adam's train op sees the weights as the step began,
// and two variables share one pair of beta powers advanced once per step.
TEST(OptimizersTest, AdamTrainsSeveralVariablesOnce) {
  GraphBuilder b;
  Variable w1 = b.NewVariable("w1", Tensor::FromVector<float>({2}));
  Variable w2 = b.NewVariable("w2", Tensor::FromVector<float>({-1, 4}));
  Output loss = ops::Sum(w1.Read() * w1.Read()) + ops::Sum(w2.Read() * w2.Read());
  Variable both[] = {w1, w2};
  auto train = MinimizeWithAdam(loss, both, AdamOptions{.learning_rate = 0.5f});
  ASSERT_TRUE(train.ok()) << train.status();
  auto session = Session::Create(*b.Build());
  ASSERT_TRUE(session.ok()) << session.status();
  auto out = (*session)->Run({}, {loss}, {*train});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FLOAT_EQ((*out)[0].scalar<float>(), 4 + 1 + 16);
  // Step 1 of Adam moves each element by lr * g / (|g| + eps'): about lr.
  ExpectClose(ValueOf(**session, "w1"), {1.5}, "w1");
  ExpectClose(ValueOf(**session, "w2"), {-0.5, 3.5}, "w2");
  ExpectClose(ValueOf(**session, "train/beta1_power"), {0.9 * 0.9}, "beta1_power");
}

// Slots are made colocated with their variable, so they follow it to the
// device it asks for.
TEST(OptimizersTest, SlotsAreColocatedWithTheirVariable) {
  auto runtime = Runtime::Create();
  ASSERT_TRUE(runtime->SetLogicalDeviceConfiguration(runtime->ListPhysicalDevices("CPU")[0],
                                                     {{}, {}})
                  .ok());
  GraphBuilder b;
  Variable w;
  {
    GraphBuilder::DeviceScope on(b, "/CPU:1");
    w = b.NewVariable("w", Tensor::FromVector<float>({1, 2}));
  }
  Output loss = ops::Sum(w.Read() * w.Read());
  auto train = MinimizeWithAdam(loss, {&w, 1});
  ASSERT_TRUE(train.ok()) << train.status();
  for (const char* slot : {"w/adam_m", "w/adam_v", "train/beta1_power"}) {
    const Node* node = b.graph().FindNode(slot);
    ASSERT_NE(node, nullptr) << slot;
    auto colocate = node->attr<std::string>("_colocate_with");
    ASSERT_TRUE(colocate.ok()) << slot;
    EXPECT_EQ(*colocate, "w") << slot;
  }
  SessionOptions options;
  options.runtime = runtime;
  auto session = Session::Create(*b.Build(), options);
  ASSERT_TRUE(session.ok()) << session.status();
  const Graph& g = (*session)->graph();
  for (const char* name : {"w", "w/adam_m", "w/adam_v", "train/beta1_power", "train/update_w"}) {
    const Node* node = g.FindNode(name);
    ASSERT_NE(node, nullptr) << name;
    EXPECT_THAT((*session)->placement()[node->id()].device, HasSubstr("CPU:1")) << name;
  }
}

TEST(OptimizersTest, MomentumAndAdamNameAVariableTheyCannotTrain) {
  GraphBuilder b;
  Variable w = b.NewVariable("w", Tensor::FromVector<float>({1}));
  Variable count = b.NewVariable("count", Tensor::FromVector<int32_t>({1}));
  Output loss = ops::Sum(w.Read());
  Variable both[] = {w, count};
  auto momentum = MinimizeWithMomentum(loss, both);
  ASSERT_FALSE(momentum.ok());
  EXPECT_THAT(momentum.status().message(), HasSubstr("'count' is int32"));
  GraphBuilder b2;
  Variable w2 = b2.NewVariable("w", Tensor::FromVector<float>({1}));
  Variable idle = b2.NewVariable("idle", Tensor::FromVector<float>({1}));
  Variable pair[] = {w2, idle};
  auto adam = MinimizeWithAdam(ops::Sum(w2.Read()), pair);
  ASSERT_FALSE(adam.ok());
  EXPECT_THAT(adam.status().message(), HasSubstr("'idle'"));
}

// A variable passed as its own slot is refused, not deadlocked on.
TEST(OptimizersTest, ApplyMomentumRefusesAVariableAsItsOwnSlot) {
  GraphBuilder b;
  Variable w = b.NewVariable("w", Tensor::FromVector<float>({1, 2}));
  Output update = ops::ApplyMomentum(w, w, b.Scalar<float>(0.1f),
                                     b.Const(Tensor::FromVector<float>({1, 1})),
                                     b.Scalar<float>(0.9f));
  ASSERT_TRUE(update.valid()) << b.status();
  auto session = Session::Create(*b.Build());
  ASSERT_TRUE(session.ok()) << session.status();
  auto run = (*session)->Run({}, {}, {update});
  ASSERT_FALSE(run.ok());
  EXPECT_THAT(run.status().message(), HasSubstr("'w' is passed twice"));
}

TEST(OptimizersTest, ApplyAdamNamesAShapeMismatch) {
  GraphBuilder b;
  Variable w = b.NewVariable("w", Tensor::FromVector<float>({1, 2}));
  Variable m = b.NewVariable("m", Tensor::FromVector<float>({0, 0, 0}));
  Variable v = b.NewVariable("v", Tensor::FromVector<float>({0, 0}));
  Output s = b.Scalar<float>(0.5f);
  Output update = ops::ApplyAdam(w, m, v, s, s, s, s, s, s,
                                 b.Const(Tensor::FromVector<float>({1, 1})), "update");
  ASSERT_TRUE(update.valid()) << b.status();
  auto session = Session::Create(*b.Build());
  ASSERT_TRUE(session.ok()) << session.status();
  auto run = (*session)->Run({}, {}, {update});
  ASSERT_FALSE(run.ok());
  EXPECT_THAT(run.status().message(), HasSubstr("'m' is float32[3], the gradient is float32[2]"));
  EXPECT_THAT(run.status().message(), HasSubstr("update"));
}

TEST(OptimizersTest, ApplyAdamRefusesANonScalarHyperparameter) {
  GraphBuilder b;
  Variable w = b.NewVariable("w", Tensor::FromVector<float>({1, 2}));
  Variable m = b.NewVariable("m", Tensor::FromVector<float>({0, 0}));
  Variable v = b.NewVariable("v", Tensor::FromVector<float>({0, 0}));
  Output s = b.Scalar<float>(0.5f);
  Output lr = b.Const(Tensor::FromVector<float>({0.1f, 0.2f}));
  ops::ApplyAdam(w, m, v, s, s, lr, s, s, s, b.Const(Tensor::FromVector<float>({1, 1})));
  EXPECT_THAT(b.status().message(), HasSubstr("input 'lr' must be a scalar"));
}

}  // namespace
}  // namespace graphrt
