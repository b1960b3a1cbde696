// Numeric gradient checks (gradient_checker.h: float32 kernels, float64
// central differences) of every forward op of conv_ops.h, pooling_ops.h and
// batch_norm_ops.h, through AddGradients; and that an unknown batch size
// differentiates (the backprop ops take the forward tensors as their sizes).
#include <vector>

#include "core/graph/gradients.h"
#include "core/graph/ops/batch_norm_ops.h"
#include "core/graph/ops/conv_ops.h"
#include "core/graph/ops/math_ops.h"
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
