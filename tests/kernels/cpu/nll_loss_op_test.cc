// Tests for NegativeLogLikelihoodLoss (kernels/cpu/nll_loss_op.cc) against
// the ONNX formula written out here: [N, C] and [N, C, d1, d2] inputs,
// reductions none / sum / mean, class weights, ignore_index (also with
// weights: the mean divides by the weights of the targets kept), int32 and
// int64 targets; a target outside [0, C) is named.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::RandomFloats;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

Tensor NoWeight() { return Tensor(DataType::kFloat32, TensorShape{0}); }

TEST(NllLossTest, TwoDimensionalByHand) {
  // input [2, 3], targets {2, 0}: losses -x[0,2] = -0.3, -x[1,0] = -0.4.
  const Tensor x = T_<float>({0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, {2, 3});
  const Tensor t = T_<int64_t>({2, 0}, {2});
  auto none = RunKernel("NegativeLogLikelihoodLoss", {x, t, NoWeight()},
                        {{"reduction", std::string("none")}});
  ASSERT_TRUE(none.ok()) << none.status();
  ExpectTensorNear((*none)[0], T_<float>({-0.3f, -0.4f}, {2}));
  auto mean = RunKernel("NegativeLogLikelihoodLoss", {x, t, NoWeight()});
  ASSERT_TRUE(mean.ok()) << mean.status();
  ExpectTensorNear((*mean)[0], Tensor::Scalar<float>(-0.35f));
  // Weights {1, 2, 4}: losses -1.2 and -0.4, mean divides by 4 + 1.
  auto weighted = RunKernel("NegativeLogLikelihoodLoss",
                            {x, t, T_<float>({1, 2, 4}, {3})});
  ASSERT_TRUE(weighted.ok()) << weighted.status();
  ExpectTensorNear((*weighted)[0], Tensor::Scalar<float>(-1.6f / 5));
}

TEST(NllLossTest, SpatialWeightsIgnoreIndexMatchFormula) {
  const int64_t n = 2, c = 4, d1 = 3, d2 = 2;
  const Tensor x = RandomFloats(TensorShape{n, c, d1, d2}, -2, 0, 5);
  std::vector<int32_t> tv{0, 1, 2, 3, 1, 1, 3, 2, 0, 1, 2, 0};
  const Tensor t = T_<int32_t>(tv, {n, d1, d2});
  const Tensor w = T_<float>({0.5f, 1.5f, 2.0f, 1.0f}, {c});
  for (const std::string reduction : {"none", "sum", "mean"}) {
    SCOPED_TRACE(reduction);
    Tensor want_none(DataType::kFloat32, TensorShape{n, d1, d2});
    double sum = 0, wsum = 0;
    for (int64_t b = 0; b < n; ++b)
      for (int64_t j = 0; j < d1 * d2; ++j) {
        const int64_t cls = tv[b * d1 * d2 + j];
        float loss = 0;
        if (cls != 1) {  // ignore_index 1
          loss = -w.data<float>()[cls] * x.data<float>()[(b * c + cls) * d1 * d2 + j];
          wsum += w.data<float>()[cls];
        }
        want_none.data<float>()[b * d1 * d2 + j] = loss;
        sum += loss;
      }
    auto got = RunKernel("NegativeLogLikelihoodLoss", {x, t, w},
                         {{"reduction", reduction}, {"ignore_index", int64_t{1}},
                          {"has_ignore_index", true}});
    ASSERT_TRUE(got.ok()) << got.status();
    if (reduction == "none") {
      ExpectTensorNear((*got)[0], want_none);
    } else {
      ExpectTensorNear((*got)[0],
                       Tensor::Scalar<float>(static_cast<float>(reduction == "sum" ? sum
                                                                                  : sum / wsum)));
    }
  }
}

TEST(NllLossTest, BadTargetsAndShapesAreNamed) {
  const Tensor x = RandomFloats(TensorShape{2, 3}, -1, 0, 1);
  auto range = RunKernel("NegativeLogLikelihoodLoss", {x, T_<int64_t>({1, 3}, {2}), NoWeight()});
  ASSERT_FALSE(range.ok());
  EXPECT_THAT(range.status().message(), HasSubstr("target value 3"));
  auto shape = RunKernel("NegativeLogLikelihoodLoss", {x, T_<int64_t>({1, 0, 2}, {3}), NoWeight()});
  ASSERT_FALSE(shape.ok());
  EXPECT_THAT(shape.status().message(), HasSubstr("class axis"));
}

}  // namespace
}  // namespace graphrt
