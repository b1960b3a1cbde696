// Tests for Standardize (kernels/cpu/norm_ops.cc) against mean/variance
// loops written here: LayerNormalization's trailing axes (every axis, also
// negative), InstanceNormalization's planes (axis 2), the Mean and InvStdDev
// outputs' shapes, a large mean (no cancellation), epsilon on a constant row.
#include <cmath>
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

struct Ref {
  Tensor y, mean, inv_std;
};

Ref Reference(const Tensor& x, int axis, float eps) {
  int64_t outer = 1, inner = 1;
  std::vector<int64_t> stats(x.shape().dims().begin(), x.shape().dims().end());
  for (int i = 0; i < x.rank(); ++i) {
    (i < axis ? outer : inner) *= x.dim(i);
    if (i >= axis) stats[i] = 1;
  }
  Ref r{Tensor(DataType::kFloat32, x.shape()), Tensor(DataType::kFloat32, TensorShape(stats)),
        Tensor(DataType::kFloat32, TensorShape(stats))};
  const float* px = x.data<float>();
  for (int64_t o = 0; o < outer; ++o) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < inner; ++i) mean += px[o * inner + i];
    mean /= inner;
    for (int64_t i = 0; i < inner; ++i) var += std::pow(px[o * inner + i] - mean, 2);
    var /= inner;
    const double inv = 1 / std::sqrt(var + eps);
    r.mean.data<float>()[o] = static_cast<float>(mean);
    r.inv_std.data<float>()[o] = static_cast<float>(inv);
    for (int64_t i = 0; i < inner; ++i) {
      r.y.data<float>()[o * inner + i] = static_cast<float>((px[o * inner + i] - mean) * inv);
    }
  }
  return r;
}

TEST(StandardizeTest, EveryAxisMatchesLoops) {
  const Tensor x = RandomFloats(TensorShape{2, 3, 4, 5}, -3, 5, 21);
  for (int axis = -4; axis < 4; ++axis) {
    SCOPED_TRACE(axis);
    auto got = RunKernel("Standardize", {x}, {{"axis", int64_t{axis}}, {"epsilon", 1e-3f}});
    ASSERT_TRUE(got.ok()) << got.status();
    const Ref want = Reference(x, axis < 0 ? axis + 4 : axis, 1e-3f);
    ExpectTensorNear((*got)[0], want.y, 1e-5, 1e-5);
    ExpectTensorNear((*got)[1], want.mean, 1e-6, 1e-6);
    ExpectTensorNear((*got)[2], want.inv_std, 1e-6, 1e-5);
  }
}

TEST(StandardizeTest, LargeMeanAndConstantRows) {
  // Values 10000 + {0, 1, 2, 3}: variance 1.25 must survive the large mean.
  auto big = RunKernel("Standardize", {T_<float>({10000, 10001, 10002, 10003}, {1, 4})},
                       {{"axis", int64_t{1}}, {"epsilon", 0.0f}});
  ASSERT_TRUE(big.ok()) << big.status();
  const float s = 1 / std::sqrt(1.25f);
  ExpectTensorNear((*big)[0], T_<float>({-1.5f * s, -0.5f * s, 0.5f * s, 1.5f * s}, {1, 4}),
                   1e-5, 1e-5);
  auto flat = RunKernel("Standardize", {T_<float>({7, 7}, {2})},
                        {{"axis", int64_t{0}}, {"epsilon", 0.25f}});
  ASSERT_TRUE(flat.ok()) << flat.status();
  ExpectTensorNear((*flat)[0], T_<float>({0, 0}, {2}));
  ExpectTensorNear((*flat)[2], T_<float>({2}, {1}));
}

TEST(StandardizeTest, AxisOutOfRangeIsNamed) {
  auto got = RunKernel("Standardize", {RandomFloats(TensorShape{2, 3}, -1, 1, 1)},
                       {{"axis", int64_t{-3}}});
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(got.status().message(), HasSubstr("out of range"));
}

}  // namespace
}  // namespace graphrt

namespace graphrt {
namespace {

// ONNX LRN: y = x / (bias + alpha / size * sum over channels
// [c - floor((size-1)/2), c + ceil((size-1)/2)] of x^2)^beta.
TEST(LrnChannelsFirstTest, MatchesTheFormula) {
  const Tensor x = RandomFloats(TensorShape{2, 5, 3, 2}, -2, 2, 31);
  for (int64_t size : {1, 2, 3, 4}) {
    SCOPED_TRACE(size);
    Tensor want(DataType::kFloat32, x.shape());
    const float* px = x.data<float>();
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t c = 0; c < 5; ++c)
        for (int64_t i = 0; i < 6; ++i) {
          double sq = 0;
          for (int64_t k = c - (size - 1) / 2; k <= c + size / 2; ++k) {
            if (k >= 0 && k < 5) sq += std::pow(px[(n * 5 + k) * 6 + i], 2);
          }
          want.data<float>()[(n * 5 + c) * 6 + i] =
              static_cast<float>(px[(n * 5 + c) * 6 + i] / std::pow(2.0 + 0.5 / size * sq, 0.6));
        }
    auto got = RunKernel("LRNChannelsFirst", {x},
                         {{"size", size}, {"alpha", 0.5f}, {"beta", 0.6f}, {"bias", 2.0f}});
    ASSERT_TRUE(got.ok()) << got.status();
    ExpectTensorNear((*got)[0], want, 1e-6, 1e-5);
  }
}

}  // namespace
}  // namespace graphrt
