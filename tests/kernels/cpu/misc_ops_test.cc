// Tests for kernels/cpu/misc_ops.cc: Shrink against its formula, MVN
// against a two-pass mean / centred-variance loop, MatrixDeterminant
// against Leibniz's permutation sum (and a singular matrix, a row swap),
// float32 and float64, and errors for bad shapes and axes.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::RandomFloats;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

Tensor Run1(const std::string& op, const Tensor& x, const AttrMap& attrs = {}) {
  auto out = RunKernel(op, {x}, attrs);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? (*out)[0] : Tensor();
}

TEST(ShrinkOpTest, MatchesFormula) {
  Tensor x = RandomFloats({40}, -3, 3, 1);
  for (auto [bias, lambd] : {std::pair{0.0f, 0.5f}, std::pair{1.5f, 1.5f}, {0.3f, 0.0f}}) {
    Tensor want(DataType::kFloat32, x.shape());
    for (int64_t i = 0; i < 40; ++i) {
      const float v = x.data<float>()[i];
      want.data<float>()[i] = v < -lambd ? v + bias : (v > lambd ? v - bias : 0.0f);
    }
    ExpectTensorNear(Run1("Shrink", x, {{"bias", bias}, {"lambd", lambd}}), want, 0, 0);
  }
  ExpectTensorNear(Run1("Shrink", T_<double>({-2, -0.5, 0, 0.5, 2}, {5}),
                        {{"bias", 1.0f}, {"lambd", 1.0f}}),
                   T_<double>({-1, 0, 0, 0, 1}, {5}));
}

TEST(MvnOpTest, DefaultAxesAndOthersMatchTwoPassReference) {
  Tensor x = RandomFloats({3, 2, 4, 5}, -2, 5, 2);
  for (std::vector<int64_t> axes : {std::vector<int64_t>{0, 2, 3}, {1}, {-1, -2}}) {
    std::vector<bool> red(4, false);
    for (int64_t a : axes) red[(a + 4) % 4] = true;
    // Group elements by their kept coordinates, with a map from a key.
    std::vector<int64_t> key(x.num_elements());
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      int64_t c[4], rest = i;
      for (int d = 3; d >= 0; --d) {
        c[d] = rest % x.shape().dim(d);
        rest /= x.shape().dim(d);
      }
      int64_t k = 0;
      for (int d = 0; d < 4; ++d) k = k * 10 + (red[d] ? 0 : c[d]);
      key[i] = k;
    }
    Tensor want(DataType::kFloat32, x.shape());
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      double mean = 0, n = 0, var = 0;
      for (int64_t j = 0; j < x.num_elements(); ++j) {
        if (key[j] == key[i]) mean += x.data<float>()[j], n += 1;
      }
      mean /= n;
      for (int64_t j = 0; j < x.num_elements(); ++j) {
        if (key[j] == key[i]) var += std::pow(x.data<float>()[j] - mean, 2);
      }
      var /= n;
      want.data<float>()[i] = static_cast<float>((x.data<float>()[i] - mean) / std::sqrt(var + 1e-9));
    }
    ExpectTensorNear(Run1("MeanVarianceNormalization", x, {{"axes", axes}}), want, 1e-4, 1e-4);
  }
}

double Leibniz(const std::vector<double>& a, int m) {
  std::vector<int> p(m);
  std::iota(p.begin(), p.end(), 0);
  double det = 0;
  do {
    int inversions = 0;
    for (int i = 0; i < m; ++i)
      for (int j = i + 1; j < m; ++j) inversions += p[i] > p[j];
    double term = inversions % 2 ? -1 : 1;
    for (int i = 0; i < m; ++i) term *= a[i * m + p[i]];
    det += term;
  } while (std::next_permutation(p.begin(), p.end()));
  return det;
}

TEST(DeterminantOpTest, MatchesLeibnizSum) {
  for (int m : {1, 2, 3, 4, 5}) {
    Tensor x = RandomFloats({2, 3, m, m}, -1, 1, 10 + m);
    Tensor got = Run1("MatrixDeterminant", x);
    ASSERT_EQ(got.shape(), (TensorShape{2, 3}));
    for (int64_t b = 0; b < 6; ++b) {
      std::vector<double> a(x.data<float>() + b * m * m, x.data<float>() + (b + 1) * m * m);
      EXPECT_NEAR(got.data<float>()[b], Leibniz(a, m), 1e-5) << "m " << m << " batch " << b;
    }
  }
}

TEST(DeterminantOpTest, SingularSwappedAndFloat64) {
  ExpectTensorNear(Run1("MatrixDeterminant", T_<float>({1, 2, 2, 4}, {2, 2})),
                   Tensor::Scalar<float>(0.0f));
  // A zero pivot needs a row swap: det [[0, 1], [1, 0]] = -1.
  ExpectTensorNear(Run1("MatrixDeterminant", T_<double>({0, 1, 1, 0}, {2, 2})),
                   Tensor::Scalar<double>(-1.0));
  ExpectTensorNear(Run1("MatrixDeterminant", T_<double>({2, 0, 0, 0, 3, 0, 0, 0, 4}, {3, 3})),
                   Tensor::Scalar<double>(24.0));
}

TEST(MiscOpsTest, RejectBadShapesAndAxes) {
  auto det = RunKernelUnshaped("MatrixDeterminant", {RandomFloats({2, 3}, 0, 1, 1)}, {});
  ASSERT_FALSE(det.ok());
  EXPECT_THAT(det.status().message(), HasSubstr("square matrices"));
  auto mvn = RunKernelUnshaped("MeanVarianceNormalization", {RandomFloats({2, 3}, 0, 1, 1)},
                               {{"axes", std::vector<int64_t>{5}}});
  ASSERT_FALSE(mvn.ok());
  EXPECT_THAT(mvn.status().message(), HasSubstr("MeanVarianceNormalization"));
}

}  // namespace
}  // namespace graphrt
