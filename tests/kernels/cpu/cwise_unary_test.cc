// Tests for kernels/cpu/cwise_unary.h: Neg, Relu and Square by hand for each
// dtype (with integer wrap and NaN), Exp/Log/Tanh/Sigmoid/Sqrt/Rsqrt/Square against <cmath> in
// double over a grid and at the IEEE edges, Sigmoid's stability for large
// |x|, 1<<20-element inputs so that ParallelFor splits, and forwarding.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kernels/cpu/cwise_unary.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::KernelRunOptions;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::T_;

constexpr float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::nanf("");

// ExpectTensorNear computes |a - e|, which is NaN for equal infinities, so
// values with infinities are checked here: inf and NaN exactly, finite ones
// to `rtol`.
void ExpectFloats(const Tensor& actual, const std::vector<float>& want, double rtol = 0) {
  ASSERT_EQ(actual.dtype(), DataType::kFloat32);
  ASSERT_EQ(actual.num_elements(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    const float a = actual.data<float>()[i], e = want[i];
    if (std::isnan(e)) {
      EXPECT_TRUE(std::isnan(a)) << "element " << i << ": got " << a;
    } else if (std::isinf(e)) {
      EXPECT_EQ(a, e) << "element " << i;
    } else {
      EXPECT_NEAR(a, e, rtol * std::fabs(e)) << "element " << i;
    }
  }
}

double SigmoidRef(double x) { return 1.0 / (1.0 + std::exp(-x)); }

struct FloatCase {
  const char* op;
  double (*ref)(double);
  float lo, hi;  // the grid's range
};

const FloatCase kFloatOps[] = {
    {"Exp", [](double x) { return std::exp(x); }, -80, 80},
    {"Log", [](double x) { return std::log(x); }, 1e-6f, 1e6f},
    {"Tanh", [](double x) { return std::tanh(x); }, -20, 20},
    {"Sigmoid", SigmoidRef, -80, 80},
    {"Sqrt", [](double x) { return std::sqrt(x); }, 0, 1e6f},
    {"Rsqrt", [](double x) { return 1 / std::sqrt(x); }, 1e-6f, 1e6f},
    {"Square", [](double x) { return x * x; }, -1e3f, 1e3f},
};

Tensor Grid(float lo, float hi, int64_t n) {
  Tensor t(DataType::kFloat32, {n});
  for (int64_t i = 0; i < n; ++i) t.data<float>()[i] = lo + (hi - lo) * i / (n - 1);
  return t;
}

Tensor Map(const Tensor& x, double (*f)(double)) {
  Tensor y(DataType::kFloat32, x.shape());
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    y.data<float>()[i] = static_cast<float>(f(x.data<float>()[i]));
  }
  return y;
}

TEST(CwiseUnaryTest, NegEachDtype) {
  auto out = RunKernel("Neg", {T_<float>({1.5f, -2, 0, kInf}, {2, 2})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), TensorShape({2, 2}));
  ExpectFloats((*out)[0], {-1.5f, 2, 0, -kInf});
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  out = RunKernel("Neg", {T_<int32_t>({3, -4, 0, kMin}, {4})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<int32_t>({-3, 4, 0, kMin}, {4}));  // -INT_MIN wraps
  out = RunKernel("Neg", {T_<int64_t>({int64_t{1} << 40, -5}, {2})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<int64_t>({-(int64_t{1} << 40), 5}, {2}));
}

TEST(CwiseUnaryTest, ReluEachDtype) {
  auto out = RunKernel("Relu", {T_<float>({-1, 0, 2.5f, -kInf, kNaN, kInf}, {6})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectFloats((*out)[0], {0, 0, 2.5f, 0, kNaN, kInf});
  out = RunKernel("Relu", {T_<int32_t>({-7, 0, 7}, {3})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<int32_t>({0, 0, 7}, {3}));
  out = RunKernel("Relu", {T_<int64_t>({-(int64_t{1} << 40), int64_t{1} << 40}, {1, 2})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<int64_t>({0, int64_t{1} << 40}, {1, 2}));
}

TEST(CwiseUnaryTest, SquareOfIntegersWraps) {
  auto out = RunKernel("Square", {T_<int32_t>({-3, 0, 46341, 7}, {4})});
  ASSERT_TRUE(out.ok()) << out.status();
  // 46341^2 = 2147488281 wraps to 2147488281 - 2^32.
  ExpectTensorEq((*out)[0], T_<int32_t>({9, 0, static_cast<int32_t>(2147488281LL - (1LL << 32)),
                                         49}, {4}));
  out = RunKernel("Square", {T_<int64_t>({-(int64_t{1} << 31), 5}, {2})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<int64_t>({int64_t{1} << 62, 25}, {2}));
}

TEST(CwiseUnaryTest, FloatOpsMatchDoublePrecision) {
  for (const FloatCase& c : kFloatOps) {
    SCOPED_TRACE(c.op);
    Tensor x = Grid(c.lo, c.hi, 10001);
    auto out = RunKernel(c.op, {x});
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectTensorNear((*out)[0], Map(x, c.ref), 1e-7, 2e-6);
  }
}

TEST(CwiseUnaryTest, IeeeEdges) {
  const Tensor x = T_<float>({-kInf, kInf, kNaN, 0.0f, -1.0f, 100.0f}, {6});
  const std::vector<std::pair<const char*, std::vector<float>>> want = {
      {"Exp", {0, kInf, kNaN, 1, std::exp(-1.0f), kInf}},
      {"Log", {kNaN, kInf, kNaN, -kInf, kNaN, std::log(100.0f)}},
      {"Tanh", {-1, 1, kNaN, 0, std::tanh(-1.0f), 1}},
      {"Sigmoid", {0, 1, kNaN, 0.5f, static_cast<float>(SigmoidRef(-1)), 1}},
      {"Sqrt", {kNaN, kInf, kNaN, 0, kNaN, 10}},
      {"Rsqrt", {kNaN, 0, kNaN, kInf, kNaN, 0.1f}},
      {"Square", {kInf, kInf, kNaN, 0, 1, 10000}},
  };
  for (const auto& [op, values] : want) {
    auto out = RunKernel(op, {x});
    ASSERT_TRUE(out.ok()) << op << ": " << out.status();
    ExpectFloats((*out)[0], values, 2e-6);
  }
}

TEST(CwiseUnaryTest, SigmoidIsStableForLargeMagnitudes) {
  const Tensor x = T_<float>({-1000, -200, -88, -30, -10, 10, 30, 200, 1000}, {9});
  auto out = RunKernel("Sigmoid", {x});
  ASSERT_TRUE(out.ok()) << out.status();
  const float* y = (*out)[0].data<float>();
  for (int i = 0; i < 9; ++i) {
    const double want = SigmoidRef(x.data<float>()[i]);
    EXPECT_FALSE(std::isnan(y[i])) << "x = " << x.data<float>()[i];
    EXPECT_GE(y[i], 0.0f);
    EXPECT_LE(y[i], 1.0f);
    // Relative accuracy where the value is a normal float, absolute below.
    EXPECT_NEAR(y[i], want, 1e-6 * want + 1e-37) << "x = " << x.data<float>()[i];
  }
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[8], 1.0f);
}

TEST(CwiseUnaryTest, LargeInputsSplitAcrossThreads) {
  constexpr int64_t kN = int64_t{1} << 20;
  for (const FloatCase& c : kFloatOps) {
    SCOPED_TRACE(c.op);
    Tensor x = Grid(c.lo, c.hi, kN);
    for (bool forward : {false, true}) {
      auto out = RunKernel(c.op, {x}, {}, {.forward_inputs = forward});
      ASSERT_TRUE(out.ok()) << out.status();
      ExpectTensorNear((*out)[0], Map(x, c.ref), 1e-7, 2e-6);
    }
  }
  Tensor xi(DataType::kInt32, {kN}), neg(DataType::kInt32, {kN}), relu(DataType::kInt32, {kN});
  for (int64_t i = 0; i < kN; ++i) {
    const int32_t v = static_cast<int32_t>(i % 1001) - 500;
    xi.data<int32_t>()[i] = v;
    neg.data<int32_t>()[i] = -v;
    relu.data<int32_t>()[i] = v > 0 ? v : 0;
  }
  for (bool forward : {false, true}) {
    auto out = RunKernel("Neg", {xi}, {}, {.forward_inputs = forward});
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectTensorEq((*out)[0], neg);
    out = RunKernel("Relu", {xi}, {}, {.forward_inputs = forward});
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectTensorEq((*out)[0], relu);
  }
}

TEST(CwiseUnaryTest, EmptyAndScalarInputs) {
  auto out = RunKernel("Exp", {Tensor(DataType::kFloat32, {0, 3})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), TensorShape({0, 3}));
  out = RunKernel("Neg", {Tensor::Scalar<int64_t>(4)}, {}, {.forward_inputs = true});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], Tensor::Scalar<int64_t>(-4));
}

TEST(CwiseUnaryTest, FloatMapsWorkInPlace) {
  std::vector<float> v = {-2, -1, 0, 1, 2};
  SigmoidFloat(v.data(), v.data(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(v[i], SigmoidRef(i - 2), 1e-7);
  ExpFloat(v.data(), v.data(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(v[i], std::exp(SigmoidRef(i - 2)), 1e-6);
}

}  // namespace
}  // namespace graphrt
