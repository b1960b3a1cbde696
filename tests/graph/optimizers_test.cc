// Tests for core/graph/optimizers.h: SGD steps checked against the update
// computed by hand, a fed learning rate, and the errors.
#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
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

}  // namespace
}  // namespace graphrt
