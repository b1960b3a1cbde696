// Tests for core/graph/gradients.h: every registered gradient against
// central finite differences (tests/graph/gradient_checker.h; norm-wise
// relative error <= 1e-3 in float32), broadcasting in both directions,
// dynamic batch sizes, gradients summed over several uses, variables, and
// the errors: an op with no gradient, a non-float y, an unused variable.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/executor/session.h"
#include "core/graph/gradients.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/graph/gradient_checker.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectGradientsMatch;
using ::graphrt::testing::GradientErrors;
using ::graphrt::testing::GradientFn;
using ::graphrt::testing::GradientInput;
using ::graphrt::testing::RandomAwayFromZero;
using ::graphrt::testing::RandomFloats;
using ::testing::HasSubstr;

GradientInput In(const TensorShape& shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  return {RandomFloats(shape, lo, hi, seed), PartialShape::UnknownRank()};
}

// Inputs of binary ops: shapes that broadcast every way.
struct BinaryCase {
  TensorShape x, y;
};
const BinaryCase kBinaryCases[] = {
    {{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{4}, {3, 4}}, {{3, 4}, {}}, {{2, 1, 3}, {4, 1}},
    {{3, 1}, {1, 4}},
};

void CheckBinary(Output (*op)(Output, Output, absl::string_view), float lo, float hi) {
  uint32_t seed = 1;
  for (const BinaryCase& c : kBinaryCases) {
    SCOPED_TRACE(absl::StrCat(c.x.DebugString(), " and ", c.y.DebugString()));
    ExpectGradientsMatch([op](GraphBuilder&, std::vector<Output>& x) { return op(x[0], x[1], {}); },
                         {In(c.x, seed, lo, hi), In(c.y, seed + 1, lo, hi)});
    seed += 2;
  }
}

TEST(GradientsTest, BinaryOpsWithBroadcasting) {
  CheckBinary(ops::Add, -1, 1);
  CheckBinary(ops::Sub, -1, 1);
  CheckBinary(ops::Mul, -1, 1);
  CheckBinary(ops::Div, 0.5f, 2);  // divisors away from zero
}

TEST(GradientsTest, MaximumSendsTheGradientToTheLargerInput) {
  // x in [-1, 1], y in [-1, 1] shifted so no pair is within 2 eps.
  Tensor x = RandomFloats({3, 4}, -1, 1, 3);
  Tensor y = RandomFloats({3, 4}, -1, 1, 4);
  for (int i = 0; i < 12; ++i) {
    float& a = x.data<float>()[i];
    float& b = y.data<float>()[i];
    if (std::abs(a - b) < 0.1f) b = a + (i % 2 ? 0.5f : -0.5f);
  }
  ExpectGradientsMatch([](GraphBuilder&, std::vector<Output>& v) { return ops::Maximum(v[0], v[1]); },
                       {{x, {}}, {y, {}}});
}

TEST(GradientsTest, AddNWithBroadcasting) {
  ExpectGradientsMatch(
      [](GraphBuilder&, std::vector<Output>& x) { return ops::AddN(x); },
      {In({2, 3}, 1), In({3}, 2), In({2, 3}, 3)});
}

TEST(GradientsTest, UnaryOps) {
  using UnaryOp = Output (*)(Output, absl::string_view);
  struct Case {
    const char* name;
    UnaryOp op;
    float lo, hi;
  };
  const Case cases[] = {{"Neg", ops::Neg, -1, 1},       {"Exp", ops::Exp, -1, 1},
                        {"Log", ops::Log, 0.5f, 2},     {"Tanh", ops::Tanh, -1, 1},
                        {"Sigmoid", ops::Sigmoid, -2, 2}, {"Softmax", ops::Softmax, -2, 2},
                        {"LogSoftmax", ops::LogSoftmax, -2, 2}, {"Identity", ops::Identity, -1, 1}};
  uint32_t seed = 10;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    UnaryOp op = c.op;
    ExpectGradientsMatch([op](GraphBuilder&, std::vector<Output>& x) { return op(x[0], {}); },
                         {In({3, 4}, seed++, c.lo, c.hi)});
  }
}

TEST(GradientsTest, ReluAwayFromItsKink) {
  ExpectGradientsMatch([](GraphBuilder&, std::vector<Output>& x) { return ops::Relu(x[0]); },
                       {{RandomAwayFromZero({4, 5}, 0.1f, 1.0f, 5), {}}});
}

TEST(GradientsTest, MatMulEveryTranspose) {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      SCOPED_TRACE(absl::StrCat("transpose_a=", ta, " transpose_b=", tb));
      const TensorShape a = ta ? TensorShape{4, 3} : TensorShape{3, 4};
      const TensorShape b = tb ? TensorShape{5, 4} : TensorShape{4, 5};
      ExpectGradientsMatch(
          [ta, tb](GraphBuilder&, std::vector<Output>& x) {
            return ops::MatMul(x[0], x[1], {.transpose_a = ta, .transpose_b = tb});
          },
          {In(a, 20), In(b, 21)});
    }
  }
}

// FusedMatMul's gradient (ReluGrad on the output, BiasAddGrad, MatMul's two
// products) for all three inputs, every transpose, both activations. With
// Relu a step of 1e-3 keeps the central differences off the kink for these
// seeds (a crossing would show as a large error).
TEST(GradientsTest, FusedMatMulEveryTransposeAndActivation) {
  for (const char* activation : {"None", "Relu"}) {
    for (int flags = 0; flags < 4; ++flags) {
      const bool ta = flags & 1, tb = flags & 2;
      SCOPED_TRACE(absl::StrCat(activation, " transpose_a=", ta, " transpose_b=", tb));
      const TensorShape a = ta ? TensorShape{4, 3} : TensorShape{3, 4};
      const TensorShape b = tb ? TensorShape{5, 4} : TensorShape{4, 5};
      ExpectGradientsMatch(
          [ta, tb, activation](GraphBuilder&, std::vector<Output>& x) {
            return ops::FusedMatMul(x[0], x[1], x[2], activation,
                                    {.transpose_a = ta, .transpose_b = tb});
          },
          {In(a, 30 + flags), In(b, 40 + flags), In({5}, 50 + flags)}, 1e-3);
    }
  }
}

// The book's MLP built on FusedMatMul has the gradients of the unfused one
// (MatMul, BiasAdd, Relu), with a dynamic batch.
TEST(GradientsTest, FusedMatMulMultiLayerPerceptron) {
  GradientFn mlp = [](GraphBuilder& b, std::vector<Output>& v) {
    Output h = ops::FusedMatMul(v[0], v[1], v[2], "Relu");
    Output logits = ops::FusedMatMul(h, v[3], v[4], "None");
    Output labels = b.Const(Tensor::FromVector<int64_t>({1, 0, 2, 2}));
    return ops::Mean(ops::SparseSoftmaxCrossEntropyWithLogits(logits, labels).loss);
  };
  ExpectGradientsMatch(mlp, {{RandomFloats({4, 6}, -1, 1, 60), PartialShape{-1, 6}},
                             In({6, 5}, 61), In({5}, 62, 0.1f, 0.5f), In({5, 3}, 63),
                             In({3}, 64)}, 1e-3);
}

TEST(GradientsTest, ReductionsOverAxes) {
  struct Case {
    std::vector<int64_t> axis;
    bool keep_dims;
  };
  const Case cases[] = {{{}, false}, {{1}, false}, {{1}, true}, {{0, 2}, false},
                        {{-1}, false}, {{0, 2}, true}};
  for (const Case& c : cases) {
    for (bool mean : {false, true}) {
      SCOPED_TRACE(absl::StrCat(mean ? "Mean" : "Sum", " axis=[", absl::StrJoin(c.axis, ","),
                                "] keep_dims=", c.keep_dims));
      ops::ReduceAttrs attrs{c.axis, c.keep_dims};
      ExpectGradientsMatch(
          [attrs, mean](GraphBuilder&, std::vector<Output>& x) {
            return mean ? ops::Mean(x[0], attrs) : ops::Sum(x[0], attrs);
          },
          {In({2, 3, 4}, 30)});
    }
  }
}

TEST(GradientsTest, MeanOverAnUnknownBatchCountsAtRunTime) {
  // The placeholder is [?, 3]: the count is computed from the fed value.
  ExpectGradientsMatch(
      [](GraphBuilder&, std::vector<Output>& x) { return ops::Mean(x[0], {.axis = {0}}); },
      {{RandomFloats({5, 3}, -1, 1, 31), PartialShape{-1, 3}}});
  ExpectGradientsMatch([](GraphBuilder&, std::vector<Output>& x) { return ops::Mean(x[0]); },
                       {{RandomFloats({4, 3}, -1, 1, 32), PartialShape{-1, 3}}});
}

TEST(GradientsTest, ShapeOps) {
  ExpectGradientsMatch(
      [](GraphBuilder&, std::vector<Output>& x) { return ops::Reshape(x[0], {-1, 6}); },
      {{RandomFloats({2, 3, 2}, -1, 1, 40), PartialShape{-1, 3, 2}}});
  ExpectGradientsMatch(
      [](GraphBuilder&, std::vector<Output>& x) { return ops::ExpandDims(x[0], 1); },
      {In({3, 2}, 41)});
  // Only the shape of `like` is read: it gets no gradient.
  ExpectGradientsMatch(
      [](GraphBuilder& b, std::vector<Output>& x) {
        return ops::BroadcastLike(x[0], b.Const(Tensor(DataType::kInt32, {2, 3, 4})));
      },
      {In({3, 1}, 42)});
  ExpectGradientsMatch(
      [](GraphBuilder& b, std::vector<Output>& x) {
        return ops::ReduceSumLike(x[0], b.Const(Tensor(DataType::kFloat32, {3, 1})));
      },
      {In({2, 3, 4}, 44)});
  ExpectGradientsMatch(
      [](GraphBuilder&, std::vector<Output>& x) { return ops::Cast(x[0], DataType::kFloat32); },
      {In({3}, 46)});
}

TEST(GradientsTest, BiasAddAndCrossEntropy) {
  ExpectGradientsMatch(
      [](GraphBuilder&, std::vector<Output>& x) { return ops::BiasAdd(x[0], x[1]); },
      {In({2, 3, 4}, 50), In({4}, 51)});
  ExpectGradientsMatch(
      [](GraphBuilder& b, std::vector<Output>& x) {
        Output labels = b.Const(Tensor::FromVector<int32_t>({2, 0, 4}));
        return ops::SparseSoftmaxCrossEntropyWithLogits(x[0], labels).loss;
      },
      {In({3, 5}, 52, -2, 2)});
}

// The book's model, end to end, with a dynamic batch: every path sums.
TEST(GradientsTest, MultiLayerPerceptron) {
  GradientFn mlp = [](GraphBuilder& b, std::vector<Output>& v) {
    Output h = ops::Relu(ops::BiasAdd(ops::MatMul(v[0], v[1]), v[2]));
    Output logits = ops::BiasAdd(ops::MatMul(h, v[3]), v[4]);
    Output labels = b.Const(Tensor::FromVector<int64_t>({1, 0, 2, 2}));
    return ops::Mean(ops::SparseSoftmaxCrossEntropyWithLogits(logits, labels).loss);
  };
  // eps 1e-3: at 1e-2 some pre-activation is within reach of Relu's kink.
  ExpectGradientsMatch(mlp, {{RandomFloats({4, 6}, -1, 1, 60), PartialShape{-1, 6}},
                             In({6, 5}, 61), In({5}, 62, 0.1f, 0.5f), In({5, 3}, 63),
                             In({3}, 64)}, 1e-3);
}

TEST(GradientsTest, UsesOfOneTensorAreSummed) {
  // y = x * x + exp(x): two uses of x through Mul and one through Exp.
  ExpectGradientsMatch(
      [](GraphBuilder&, std::vector<Output>& x) { return x[0] * x[0] + ops::Exp(x[0]); },
      {In({5}, 70)});
}

TEST(GradientsTest, VariableReadTwiceGetsBothGradients) {
  GraphBuilder b;
  Variable w = b.NewVariable("w", Tensor::FromVector<float>({1, -2, 3}));
  Output loss = ops::Sum(w.Read() * w.Read());  // sum(w^2): gradient 2w
  absl::StatusOr<std::vector<Output>> g = AddVariableGradients(loss, {&w, 1});
  ASSERT_TRUE(g.ok()) << g.status();
  auto graph = b.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto session = Session::Create(*std::move(graph));
  ASSERT_TRUE(session.ok()) << session.status();
  auto out = (*session)->Run({}, {(*g)[0]});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ::testing::ElementsAre(2, -4, 6));
}

TEST(GradientsTest, IntegerPathsAreCut) {
  // uint8 pixels cast to float: the weights get gradients, the pixels none.
  GraphBuilder b;
  Output pixels = b.Placeholder(DataType::kUint8, {-1, 4}, "pixels");
  Output x = ops::Cast(pixels, DataType::kFloat32) * (1.0f / 255);
  Output w = b.Placeholder(DataType::kFloat32, {4, 2}, "w");
  Output logits = ops::MatMul(x, w);
  Output predicted = ops::Cast(ops::ArgMax(logits, 1), DataType::kFloat32);  // int path
  Output xs[] = {w};
  auto g = AddGradients(ops::Sum(logits) + ops::Sum(predicted), xs);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE((*g)[0].valid());
  EXPECT_EQ((*g)[0].shape(), PartialShape({4, 2}));
}

TEST(GradientsTest, AnUnreachedInputGetsNoGradient) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {3}, "x");
  Output z = b.Placeholder(DataType::kFloat32, {3}, "z");
  Output xs[] = {x, z};
  auto g = AddGradients(ops::Sum(ops::Exp(x)), xs);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE((*g)[0].valid());
  EXPECT_FALSE((*g)[1].valid());
}

TEST(GradientsTest, AnOpWithoutGradientIsNamed) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {3, 2}, "x");
  Output m = ops::Max(x, {.axis = {1}}, "row_max");
  Output xs[] = {x};
  auto g = AddGradients(ops::Sum(m), xs);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(g.status().message(), HasSubstr("'row_max' (Max)"));
}

TEST(GradientsTest, BadArgumentsAreReported) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {3}, "x");
  Output n = b.Placeholder(DataType::kInt32, {3}, "n");
  Output xs[] = {x};
  auto g = AddGradients(ops::Sum(n), xs);
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.status().message(), HasSubstr("int32"));

  Variable used = b.NewVariable("used", Tensor::FromVector<float>({1, 2, 3}));
  Variable unused = b.NewVariable("unused", Tensor::FromVector<float>({1}));
  Variable vars[] = {used, unused};
  auto vg = AddVariableGradients(ops::Sum(used.Read() * x), vars);
  ASSERT_FALSE(vg.ok());
  EXPECT_THAT(vg.status().message(), HasSubstr("'unused'"));
}

TEST(GradientsTest, GradientNodesAreNamedAfterTheirForwardNode) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {2, 3}, "x");
  Output w = b.Placeholder(DataType::kFloat32, {3, 4}, "w");
  Output y = ops::MatMul(x, w, {}, "dense");
  Output xs[] = {w};
  auto g = AddGradients(ops::Sum(y), xs);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_THAT((*g)[0].name(), HasSubstr("gradients/dense_grad/"));
}

}  // namespace
}  // namespace graphrt
