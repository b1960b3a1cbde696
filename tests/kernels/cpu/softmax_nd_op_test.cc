// Tests for SoftmaxNd (kernels/cpu/softmax_nd_op.cc) against exp/sum loops
// written here over an explicit [outer, n, inner] view: every axis of a
// rank-4 input (negative ones too), the opset < 13 flatten-to-2-D mode,
// log-softmax and hardmax (first maximum on ties), large logits, float64;
// an axis out of range is named.
#include <cmath>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::RandomFloats;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

Tensor Reference(const Tensor& x, int axis, bool coerce, const std::string& mode) {
  int64_t outer = 1, n = 1, inner = 1;
  for (int i = 0; i < x.rank(); ++i) {
    if (i < axis) outer *= x.dim(i);
    else if (i == axis || coerce) n *= x.dim(i);
    else inner *= x.dim(i);
  }
  Tensor y(DataType::kFloat32, x.shape());
  const float* px = x.data<float>();
  float* py = y.data<float>();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      auto at = [&](int64_t i) { return (o * n + i) * inner + j; };
      double max = px[at(0)], sum = 0;
      int64_t arg = 0;
      for (int64_t i = 1; i < n; ++i)
        if (px[at(i)] > max) { max = px[at(i)]; arg = i; }
      for (int64_t i = 0; i < n; ++i) sum += std::exp(px[at(i)] - max);
      for (int64_t i = 0; i < n; ++i) {
        const double v = px[at(i)] - max;
        py[at(i)] = mode == "softmax"     ? static_cast<float>(std::exp(v) / sum)
                    : mode == "log_softmax" ? static_cast<float>(v - std::log(sum))
                                            : (i == arg ? 1.0f : 0.0f);
      }
    }
  return y;
}

TEST(SoftmaxNdTest, EveryAxisAndModeMatchesLoops) {
  const Tensor x = RandomFloats(TensorShape{2, 3, 4, 5}, -4, 4, 11);
  for (const std::string mode : {"softmax", "log_softmax", "hardmax"}) {
    for (bool coerce : {false, true}) {
      for (int axis = -4; axis < 4; ++axis) {
        SCOPED_TRACE(mode + " axis " + std::to_string(axis) + (coerce ? " coerce_2d" : ""));
        auto got = RunKernel("SoftmaxNd", {x},
                             {{"axis", int64_t{axis}}, {"mode", mode}, {"coerce_2d", coerce}});
        ASSERT_TRUE(got.ok()) << got.status();
        ExpectTensorNear((*got)[0], Reference(x, axis < 0 ? axis + 4 : axis, coerce, mode), 1e-6,
                         1e-5);
      }
    }
  }
}

TEST(SoftmaxNdTest, LargeLogitsTiesAndFloat64) {
  auto big = RunKernel("SoftmaxNd", {T_<float>({1000, 1000, 0}, {3})}, {{"axis", int64_t{0}}});
  ASSERT_TRUE(big.ok()) << big.status();
  ExpectTensorNear((*big)[0], T_<float>({0.5f, 0.5f, 0.0f}, {3}));
  auto ties = RunKernel("SoftmaxNd", {T_<float>({2, 5, 5, 1}, {2, 2})},
                        {{"mode", std::string("hardmax")}});
  ASSERT_TRUE(ties.ok()) << ties.status();
  ExpectTensorEq((*ties)[0], T_<float>({0, 1, 1, 0}, {2, 2}));
  auto dbl = RunKernel("SoftmaxNd", {T_<double>({0, std::log(3.0)}, {2})},
                       {{"mode", std::string("log_softmax")}});
  ASSERT_TRUE(dbl.ok()) << dbl.status();
  ExpectTensorNear((*dbl)[0], T_<double>({std::log(0.25), std::log(0.75)}, {2}), 1e-15, 1e-15);
}

TEST(SoftmaxNdTest, AxisOutOfRangeIsNamed) {
  auto got = RunKernel("SoftmaxNd", {RandomFloats(TensorShape{2, 3}, -1, 1, 1)},
                       {{"axis", int64_t{2}}});
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(got.status().message(), HasSubstr("axis 2 is out of range"));
}

}  // namespace
}  // namespace graphrt
