// The suite's comparison follows numpy's assert_allclose as ONNX's backend
// runner calls it (rtol 1e-3, atol 1e-7, NaN equal), exact for integers and
// bools, and refuses dtype or shape differences.
#include <cmath>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/onnx/suite/suite_case.h"

namespace graphrt::onnx_suite {
namespace {

using testing::HasSubstr;

TEST(OnnxSuiteCompareTest, FloatsWithinRtolAndAtol) {
  Tensor want = Tensor::FromVector<float>({1000, 0, 1});
  EXPECT_TRUE(CompareTensors(Tensor::FromVector<float>({1000.9f, 0, 1}), want).ok());
  EXPECT_TRUE(CompareTensors(Tensor::FromVector<float>({1000, 5e-8f, 1}), want).ok());
  absl::Status s = CompareTensors(Tensor::FromVector<float>({1001.5f, 0, 1}), want);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("at [0], expected 1000 (1 of 3 differ)"));
  EXPECT_FALSE(CompareTensors(Tensor::FromVector<float>({1000, 2e-7f, 1}), want).ok());
}

TEST(OnnxSuiteCompareTest, NanEqualsNanAndInfinitiesBySign) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_TRUE(CompareTensors(Tensor::FromVector<float>({nan, inf}),
                             Tensor::FromVector<float>({nan, inf})).ok());
  EXPECT_FALSE(CompareTensors(Tensor::FromVector<float>({0}), Tensor::FromVector<float>({nan})).ok());
  EXPECT_FALSE(CompareTensors(Tensor::FromVector<float>({-inf}), Tensor::FromVector<float>({inf})).ok());
}

TEST(OnnxSuiteCompareTest, IntegersAndBoolsExact) {
  EXPECT_TRUE(CompareTensors(Tensor::FromVector<int64_t>({1, 2}), Tensor::FromVector<int64_t>({1, 2})).ok());
  EXPECT_FALSE(CompareTensors(Tensor::FromVector<int64_t>({1000, 2}),
                              Tensor::FromVector<int64_t>({1001, 2})).ok());
  EXPECT_FALSE(CompareTensors(Tensor::FromVector<bool>({true}), Tensor::FromVector<bool>({false})).ok());
}

TEST(OnnxSuiteCompareTest, DtypeAndShapeMustMatch) {
  EXPECT_THAT(CompareTensors(Tensor::FromVector<float>({1}), Tensor::FromVector<double>({1})).message(),
              HasSubstr("dtype float32, expected float64"));
  EXPECT_THAT(CompareTensors(Tensor::FromVector<float>({1, 2}, TensorShape{1, 2}),
                             Tensor::FromVector<float>({1, 2})).message(),
              HasSubstr("shape"));
}

TEST(OnnxSuiteCompareTest, Float16ComparedAsFloat) {
  Tensor a = Tensor::FromVector<Float16>({FloatToHalf(1.0f)});
  Tensor b = Tensor::FromVector<Float16>({FloatToHalf(1.5f)});
  EXPECT_TRUE(CompareTensors(a, a).ok());
  EXPECT_FALSE(CompareTensors(a, b).ok());
}

}  // namespace
}  // namespace graphrt::onnx_suite
