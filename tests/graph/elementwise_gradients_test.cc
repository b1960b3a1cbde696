// Gradients of the activations in core/graph/ops/elementwise_ops.h
// (LeakyRelu, Elu, Softplus) against central finite differences, with
// inputs kept away from the kinks at 0; and the gradient reaching through a
// small Keras-style layer (Softplus of LeakyRelu of x * w).
#include "core/graph/ops/elementwise_ops.h"
#include "core/graph/ops/math_ops.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"
#include "tests/graph/gradient_checker.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectGradientsMatch;
using ::graphrt::testing::GradientInput;
using ::graphrt::testing::RandomAwayFromZero;

GradientInput Away(const TensorShape& shape, uint32_t seed) {
  return {RandomAwayFromZero(shape, 0.1f, 2.0f, seed), PartialShape::UnknownRank()};
}

TEST(ElementwiseGradientsTest, LeakyRelu) {
  for (float alpha : {0.2f, 0.01f, 1.5f}) {
    ExpectGradientsMatch(
        [alpha](GraphBuilder&, std::vector<Output>& x) { return ops::LeakyRelu(x[0], alpha); },
        {Away({3, 5}, 11)});
  }
}

TEST(ElementwiseGradientsTest, Elu) {
  for (float alpha : {1.0f, 0.5f}) {
    ExpectGradientsMatch(
        [alpha](GraphBuilder&, std::vector<Output>& x) { return ops::Elu(x[0], alpha); },
        {Away({4, 3}, 12)});
  }
}

TEST(ElementwiseGradientsTest, Softplus) {
  ExpectGradientsMatch([](GraphBuilder&, std::vector<Output>& x) { return ops::Softplus(x[0]); },
                       {{testing::RandomFloats({6, 2}, -4, 4, 13), PartialShape::UnknownRank()}});
}

TEST(ElementwiseGradientsTest, ThroughAChain) {
  ExpectGradientsMatch(
      [](GraphBuilder&, std::vector<Output>& x) {
        return ops::Softplus(ops::LeakyRelu(ops::Mul(x[0], x[1]), 0.1f));
      },
      {Away({2, 3}, 14), Away({3}, 15)});
}

}  // namespace
}  // namespace graphrt
