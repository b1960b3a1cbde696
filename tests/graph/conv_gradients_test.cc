// Numeric gradient checks (gradient_checker.h: float32 kernels, float64
// central differences) of every forward op of conv_ops.h (FusedConv2D too), pooling_ops.h and
// batch_norm_ops.h, through AddGradients; and that an unknown batch size
// differentiates (the backprop ops take the forward tensors as their sizes).
#include <vector>

#include "core/executor/session.h"
#include "core/graph/gradients.h"
#include "core/graph/ops/batch_norm_ops.h"
#include "core/graph/ops/conv_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "core/graph/ops/pooling_ops.h"
#include "gtest/gtest.h"
#include "tests/graph/gradient_checker.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::GradientErrors;
using ::graphrt::testing::GradientFn;
using ::graphrt::testing::GradientInput;
using ::graphrt::testing::RandomFloats;

// float32 kernels: a step of 1e-2 on values of order 1 keeps the central
// difference's rounding (~1e-7 / 1e-2 relative) and truncation small.
constexpr double kTolerance = 2e-3;

void ExpectGradientsMatch(const GradientFn& f, std::vector<GradientInput> inputs,
                          double eps = 1e-2) {
  ::graphrt::testing::ExpectGradientsMatch(f, std::move(inputs), eps, kTolerance);
}

GradientInput In(const TensorShape& shape, uint32_t seed, float lo = -1, float hi = 1) {
  return {RandomFloats(shape, lo, hi, seed), PartialShape::UnknownRank()};
}

TEST(ConvGradientsTest, Conv2DSameStrided) {
  ExpectGradientsMatch([](GraphBuilder&, std::vector<Output>& in) {
    return ops::Conv2D(in[0], in[1], {.strides = {1, 2, 2, 1}});
  }, {In({2, 5, 5, 2}, 1), In({3, 3, 2, 3}, 2)});
}

TEST(ConvGradientsTest, Conv2DDilatedExplicit) {
  ExpectGradientsMatch([](GraphBuilder&, std::vector<Output>& in) {
    return ops::Conv2D(in[0], in[1], {.padding = "EXPLICIT",
                                      .explicit_paddings = {0, 0, 1, 0, 2, 1, 0, 0},
                                      .dilations = {1, 2, 1, 1}});
  }, {In({1, 6, 5, 2}, 3), In({2, 3, 2, 2}, 4)});
}

// FusedConv2D's gradient (ReluGrad, BiasAddGrad, the conv backprops) for all
// three inputs. With Relu a small step keeps the central differences off the
// kink for these seeds (a crossing would show as a large error).
TEST(ConvGradientsTest, FusedConv2DRelu) {
  ExpectGradientsMatch([](GraphBuilder&, std::vector<Output>& in) {
    return ops::FusedConv2D(in[0], in[1], in[2], "Relu", {.strides = {1, 2, 1, 1}});
  }, {In({2, 5, 4, 2}, 20), In({3, 3, 2, 3}, 21), In({3}, 22)}, 1e-3);
}

TEST(ConvGradientsTest, FusedConv2DNoActivation) {
  ExpectGradientsMatch([](GraphBuilder&, std::vector<Output>& in) {
    return ops::FusedConv2D(in[0], in[1], in[2], "None", {.padding = "VALID"});
  }, {In({1, 5, 5, 3}, 23), In({2, 3, 3, 4}, 24), In({4}, 25)});
}

// Note [Relu mask through a following max pool] (conv_grad.cc): with a
// MaxPool after the FusedConv2D, the gradient masks and sums the pooled
// gradient instead of the full one. Checked against central differences
// (overlapping SAME windows too, so cells get several routed gradients) ...
TEST(ConvGradientsTest, FusedConv2DReluThenMaxPool) {
  for (const char* padding : {"VALID", "SAME"}) {
    SCOPED_TRACE(padding);
    const std::vector<int64_t> stride = std::string(padding) == "SAME"
                                            ? std::vector<int64_t>{1, 1, 2, 1}
                                            : std::vector<int64_t>{1, 2, 2, 1};
    ExpectGradientsMatch([&](GraphBuilder&, std::vector<Output>& in) {
      Output y = ops::FusedConv2D(in[0], in[1], in[2], "Relu");
      return ops::MaxPool(y, {.ksize = {1, 2, 3, 1}, .strides = stride, .padding = padding});
    }, {In({2, 6, 6, 2}, 26), In({3, 3, 2, 3}, 27), In({3}, 28)}, 1e-3);
  }
}

// ... and against the unfused graph's gradients, and the graph does take
// that path: its ReluGrad works on the pooled shape.
TEST(ConvGradientsTest, FusedConv2DReluMaxPoolMatchesUnfused) {
  const Tensor x = RandomFloats({2, 8, 8, 3}, -1, 1, 30);
  const Tensor f = RandomFloats({3, 3, 3, 4}, -1, 1, 31);
  const Tensor bias = RandomFloats({4}, -0.3f, 0.3f, 32);
  std::vector<std::vector<Tensor>> grads;
  for (bool fused : {true, false}) {
    GraphBuilder b;
    Output in = b.Placeholder(DataType::kFloat32, {2, 8, 8, 3}, "x");
    Output filter = b.Const(f), bias_c = b.Const(bias);
    Output y = fused ? ops::FusedConv2D(in, filter, bias_c, "Relu")
                     : ops::Relu(ops::BiasAdd(ops::Conv2D(in, filter), bias_c));
    Output loss = ops::Sum(ops::Square(ops::MaxPool(y)), {});
    auto dx = AddGradients(loss, std::vector<Output>{in, filter, bias_c});
    ASSERT_TRUE(dx.ok()) << dx.status();
    if (fused) {
      const ::graphrt::Node& bias_grad = (*dx)[2].node();
      ASSERT_EQ(bias_grad.op(), "BiasAddGrad");
      const Output relu_grad(&b, bias_grad.input(0).node, bias_grad.input(0).index);
      EXPECT_EQ(relu_grad.node().op(), "ReluGrad");
      EXPECT_EQ(relu_grad.shape(), (PartialShape{2, 4, 4, 4}));  // the pooled shape
    }
    auto graph = b.Build();
    ASSERT_TRUE(graph.ok()) << graph.status();
    auto session = Session::Create(std::move(*graph), SessionOptions{});
    ASSERT_TRUE(session.ok()) << session.status();
    auto out = (*session)->Run({{in, x}}, {(*dx)[0], (*dx)[1], (*dx)[2]}, {});
    ASSERT_TRUE(out.ok()) << out.status();
    grads.push_back(*out);
  }
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    ::graphrt::testing::ExpectTensorNear(grads[0][i], grads[1][i], 1e-5, 1e-5);
  }
}

TEST(ConvGradientsTest, DepthwiseMultiplier2) {
  ExpectGradientsMatch([](GraphBuilder&, std::vector<Output>& in) {
    return ops::DepthwiseConv2dNative(in[0], in[1], {.strides = {1, 1, 2, 1}, .padding = "VALID"});
  }, {In({2, 5, 6, 3}, 5), In({2, 3, 3, 2}, 6)});
}

TEST(ConvGradientsTest, MaxPool) {
  // Distinct values far apart, so no step of eps changes a window's maximum.
  Tensor x(DataType::kFloat32, {1, 4, 5, 2});
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    x.data<float>()[i] = static_cast<float>((i * 37) % 40) * 0.1f - 2.0f;
  }
  ExpectGradientsMatch([](GraphBuilder&, std::vector<Output>& in) {
    return ops::MaxPool(in[0], {.ksize = {1, 3, 3, 1}, .strides = {1, 2, 2, 1},
                                .padding = "SAME"});
  }, {{x, PartialShape::UnknownRank()}}, 1e-3);
}

TEST(ConvGradientsTest, AvgPool) {
  ExpectGradientsMatch([](GraphBuilder&, std::vector<Output>& in) {
    return ops::AvgPool(in[0], {.ksize = {1, 3, 2, 1}, .strides = {1, 2, 1, 1},
                                .padding = "SAME"});
  }, {In({2, 5, 4, 3}, 7)});
}

TEST(ConvGradientsTest, FusedBatchNormTraining) {
  ExpectGradientsMatch([](GraphBuilder& b, std::vector<Output>& in) {
    Output empty = b.Const(Tensor(DataType::kFloat32, {0}));
    return ops::FusedBatchNormV3(in[0], in[1], in[2], empty, empty, {.epsilon = 1e-3f}).y;
  }, {In({2, 3, 3, 4}, 8, -2, 2), In({4}, 9, 0.5, 2), In({4}, 10)});
}

TEST(ConvGradientsTest, FusedBatchNormInference) {
  ExpectGradientsMatch([](GraphBuilder& b, std::vector<Output>& in) {
    Output mean = b.Const(RandomFloats({4}, -1, 1, 11));
    Output var = b.Const(RandomFloats({4}, 0.5, 2, 12));
    return ops::FusedBatchNormV3(in[0], in[1], in[2], mean, var,
                                 {.epsilon = 1e-3f, .is_training = false}).y;
  }, {In({2, 3, 2, 4}, 13), In({4}, 14, 0.5, 2), In({4}, 15)});
}

// A small CNN with an unknown batch: conv -> batch norm -> max pool -> avg
// pool differentiates without a Shape op.
TEST(ConvGradientsTest, UnknownBatchCnn) {
  ExpectGradientsMatch([](GraphBuilder& b, std::vector<Output>& in) {
    Output empty = b.Const(Tensor(DataType::kFloat32, {0}));
    Output h = ops::Conv2D(in[0], in[1]);
    h = ops::FusedBatchNormV3(h, b.Const(RandomFloats({3}, 0.5, 1.5, 16)),
                              b.Const(RandomFloats({3}, -1, 1, 17)), empty, empty).y;
    return ops::AvgPool(h, {.ksize = {1, 2, 2, 1}, .strides = {1, 2, 2, 1}});
  }, {{RandomFloats({2, 4, 4, 2}, -1, 1, 18), PartialShape{-1, 4, 4, 2}},
      {RandomFloats({3, 3, 2, 3}, -1, 1, 19), PartialShape{3, 3, 2, 3}}});
}

}  // namespace
}  // namespace graphrt
