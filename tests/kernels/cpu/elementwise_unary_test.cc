// Tests for kernels/cpu/elementwise_unary.h: every float op against its
// formula written out in double (<cmath>) over a grid large enough that
// ParallelFor splits, for float32 and float64; the edges by hand (Round's
// halves, Softplus far out, Sign of NaN and zero, IsInf's attrs, integer
// Abs wrap); the backward ops against their derivatives; and a shape
// mismatch named in the error.
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::T_;

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::nan("");

struct Case {
  const char* op;
  std::function<double(double)> ref;
  double lo, hi;
  AttrMap attrs = {};
  double atol = 0;  // besides the relative tolerance of the dtype
};

double Sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

std::vector<Case> Cases() {
  // Attrs are float32: the references use values a float holds exactly
  // (Selu's defaults are its constants rounded to float32).
  const double a = 0.375, selu_a = 1.67326319217681884765625, selu_g = 1.05070102214813232421875;
  return {
      {"Reciprocal", [](double x) { return 1 / x; }, 0.01, 100},
      {"Erf", [](double x) { return std::erf(x); }, -5, 5, {}, 1e-6},
      {"Erfc", [](double x) { return std::erfc(x); }, -3, 9},
      {"Floor", [](double x) { return std::floor(x); }, -100, 100},
      {"Ceil", [](double x) { return std::ceil(x); }, -100, 100},
      {"Sin", [](double x) { return std::sin(x); }, -10, 10, {}, 1e-6},
      {"Cos", [](double x) { return std::cos(x); }, -10, 10, {}, 1e-6},
      {"Tan", [](double x) { return std::tan(x); }, -1.5, 1.5},
      {"Asin", [](double x) { return std::asin(x); }, -1, 1},
      {"Acos", [](double x) { return std::acos(x); }, -1, 1},
      {"Atan", [](double x) { return std::atan(x); }, -100, 100},
      {"Sinh", [](double x) { return std::sinh(x); }, -20, 20},
      {"Cosh", [](double x) { return std::cosh(x); }, -20, 20},
      {"Asinh", [](double x) { return std::asinh(x); }, -100, 100},
      {"Acosh", [](double x) { return std::acosh(x); }, 1, 100},
      {"Atanh", [](double x) { return std::atanh(x); }, -0.99, 0.99},
      {"Softplus", [](double x) { return std::log(1 + std::exp(x)); }, -30, 30, {}, 1e-7},
      {"Softsign", [](double x) { return x / (1 + std::fabs(x)); }, -100, 100},
      {"HardSwish", [](double x) { return x * std::fmin(1, std::fmax(0, x / 6 + 0.5)); }, -8, 8,
       {}, 1e-6},
      {"LeakyRelu", [a](double x) { return x < 0 ? a * x : x; }, -10, 10, {{"alpha", 0.375f}}},
      {"Elu", [a](double x) { return x > 0 ? x : a * (std::exp(x) - 1); }, -10, 10,
       {{"alpha", 0.375f}}, 1e-7},
      {"Celu",
       [](double x) { return std::fmax(0, x) + std::fmin(0, 2 * (std::exp(x / 2) - 1)); },
       -10, 10, {{"alpha", 2.0f}}, 1e-7},
      {"Selu",
       [=](double x) { return selu_g * (x > 0 ? x : selu_a * (std::exp(x) - 1)); }, -10, 10,
       {}, 1e-7},
      {"HardSigmoid", [](double x) { return std::fmax(0, std::fmin(1, 0.25 * x + 0.375)); }, -8, 8,
       {{"alpha", 0.25f}, {"beta", 0.375f}}, 1e-7},
      {"ThresholdedRelu", [](double x) { return x > 1.5 ? x : 0; }, -5, 5, {{"alpha", 1.5f}}},
      {"Gelu", [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }, -6, 6, {},
       1e-6},
      {"Gelu",
       [](double x) {
         return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
       },
       -6, 6, {{"approximate", true}}, 1e-6},
      {"Abs", [](double x) { return std::fabs(x); }, -100, 100},
      {"Sign", [](double x) { return (x > 0) - (x < 0); }, -3, 3},
      // The widened math_ops kernels, float64 now too.
      {"Exp", [](double x) { return std::exp(x); }, -20, 20},
      {"Sigmoid", Sigmoid, -20, 20, {}, 1e-7},
      {"Neg", [](double x) { return -x; }, -5, 5},
      {"Relu", [](double x) { return x < 0 ? 0 : x; }, -5, 5},
  };
}

// n grid points over [lo, hi], as float32 or float64.
template <typename T>
Tensor Grid(double lo, double hi, int64_t n) {
  std::vector<T> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<T>(lo + (hi - lo) * i / (n - 1));
  return T_<T>(v, {n});
}

template <typename T>
void CheckAgainstFormula(const Case& c, double rtol) {
  constexpr int64_t kN = 100003;  // past ParallelFor's split threshold
  const Tensor x = Grid<T>(c.lo, c.hi, kN);
  auto out = RunKernel(c.op, {x}, c.attrs);
  ASSERT_TRUE(out.ok()) << c.op << ": " << out.status();
  ASSERT_EQ((*out)[0].dtype(), x.dtype());
  const T* got = (*out)[0].template data<T>();
  int bad = 0;
  for (int64_t i = 0; i < kN && bad < 5; ++i) {
    const double xi = x.data<T>()[i], want = c.ref(xi);
    const double tol = c.atol + rtol * std::fabs(want);
    if (!(std::fabs(got[i] - want) <= tol)) {
      ++bad;
      ADD_FAILURE() << c.op << " " << DataTypeName(x.dtype()) << " at x = " << xi << ": got "
                    << got[i] << ", want " << want;
    }
  }
}

TEST(ElementwiseUnaryTest, Float32MatchesFormula) {
  for (const Case& c : Cases()) CheckAgainstFormula<float>(c, 4e-6);
}

TEST(ElementwiseUnaryTest, Float64MatchesFormula) {
  for (Case c : Cases()) {
    c.atol = c.atol > 0 ? 1e-14 : 0;
    CheckAgainstFormula<double>(c, 1e-13);
  }
}

TEST(ElementwiseUnaryTest, RoundIsHalfToEven) {
  auto out = RunKernel("Round", {T_<float>({0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 2.4f, 2.6f,
                                            -2.6f}, {9})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<float>({0, 2, 2, -0.0f, -2, -2, 2, 3, -3}, {9}));
  EXPECT_TRUE(std::signbit((*out)[0].data<float>()[3]));
}

TEST(ElementwiseUnaryTest, SoftplusStaysFiniteFarOut) {
  auto out = RunKernel("Softplus", {T_<float>({1000, -1000, 88, -88}, {4})});
  ASSERT_TRUE(out.ok()) << out.status();
  const float* y = (*out)[0].data<float>();
  EXPECT_EQ(y[0], 1000.0f);
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_NEAR(y[2], 88.0f, 1e-5);
  EXPECT_NEAR(y[3], std::exp(-88.0), 1e-40);
}

TEST(ElementwiseUnaryTest, SignAndAbsEdges) {
  auto sign = RunKernel("Sign", {T_<double>({kNaN, 0.0, -0.0, -kInf, kInf}, {5})});
  ASSERT_TRUE(sign.ok()) << sign.status();
  const double* s = (*sign)[0].data<double>();
  EXPECT_TRUE(std::isnan(s[0]));
  EXPECT_EQ(s[1], 0);
  EXPECT_EQ(s[2], 0);
  EXPECT_EQ(s[3], -1);
  EXPECT_EQ(s[4], 1);
  auto abs = RunKernel("Abs", {T_<int8_t>({-128, -5, 0, 7}, {4})});
  ASSERT_TRUE(abs.ok()) << abs.status();
  ExpectTensorEq((*abs)[0], T_<int8_t>({-128, 5, 0, 7}, {4}));  // |INT8_MIN| wraps
  auto isign = RunKernel("Sign", {T_<int32_t>({-7, 0, 9}, {3})});
  ASSERT_TRUE(isign.ok());
  ExpectTensorEq((*isign)[0], T_<int32_t>({-1, 0, 1}, {3}));
  auto usign = RunKernel("Sign", {T_<uint64_t>({0, 5}, {2})});
  ASSERT_TRUE(usign.ok());
  ExpectTensorEq((*usign)[0], T_<uint64_t>({0, 1}, {2}));
}

TEST(ElementwiseUnaryTest, IsNanAndIsInfWithTheirAttrs) {
  const Tensor x = T_<float>({1, static_cast<float>(kNaN), static_cast<float>(kInf),
                              -static_cast<float>(kInf), 0},
                             {5});
  auto nan = RunKernel("IsNan", {x});
  ASSERT_TRUE(nan.ok()) << nan.status();
  ExpectTensorEq((*nan)[0], T_<bool>({false, true, false, false, false}, {5}));
  auto both = RunKernel("IsInf", {x});
  ASSERT_TRUE(both.ok()) << both.status();
  ExpectTensorEq((*both)[0], T_<bool>({false, false, true, true, false}, {5}));
  auto pos = RunKernel("IsInf", {x}, {{"detect_negative", false}});
  ASSERT_TRUE(pos.ok());
  ExpectTensorEq((*pos)[0], T_<bool>({false, false, true, false, false}, {5}));
  auto neg = RunKernel("IsInf", {x}, {{"detect_positive", false}});
  ASSERT_TRUE(neg.ok());
  ExpectTensorEq((*neg)[0], T_<bool>({false, false, false, true, false}, {5}));
}

TEST(ElementwiseUnaryTest, LogicalNot) {
  auto out = RunKernel("LogicalNot", {T_<bool>({true, false}, {2})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<bool>({false, true}, {2}));
}

TEST(ElementwiseUnaryTest, WidenedIntegerNegAndReluWrap) {
  auto neg = RunKernel("Neg", {T_<int16_t>({-32768, 3}, {2})});
  ASSERT_TRUE(neg.ok()) << neg.status();
  ExpectTensorEq((*neg)[0], T_<int16_t>({-32768, -3}, {2}));
  auto relu = RunKernel("Relu", {T_<int8_t>({-3, 4}, {2})});
  ASSERT_TRUE(relu.ok()) << relu.status();
  ExpectTensorEq((*relu)[0], T_<int8_t>({0, 4}, {2}));
}

// Backward ops against the derivative of the forward formula.
TEST(ElementwiseUnaryTest, ActivationGradsMatchDerivatives) {
  const std::vector<float> x = {-3, -0.5f, -1e-3f, 0.25f, 2, 7};
  const std::vector<float> g = {1, -2, 0.5f, 3, -1, 0.25f};
  const float alpha = 0.3f;
  std::vector<float> elu_y, want_leaky, want_elu, want_softplus;
  for (size_t i = 0; i < x.size(); ++i) {
    const double xi = x[i];
    elu_y.push_back(static_cast<float>(xi > 0 ? xi : alpha * std::expm1(xi)));
    want_leaky.push_back(static_cast<float>(g[i] * (xi > 0 ? 1 : alpha)));
    want_elu.push_back(static_cast<float>(g[i] * (xi > 0 ? 1 : alpha * std::exp(xi))));
    want_softplus.push_back(static_cast<float>(g[i] * Sigmoid(xi)));
  }
  const int64_t n = static_cast<int64_t>(x.size());
  auto leaky = RunKernel("LeakyReluGrad", {T_<float>(g, {n}), T_<float>(x, {n})},
                         {{"alpha", alpha}});
  auto elu = RunKernel("EluGrad", {T_<float>(g, {n}), T_<float>(elu_y, {n})},
                       {{"alpha", alpha}});
  auto softplus = RunKernel("SoftplusGrad", {T_<float>(g, {n}), T_<float>(x, {n})});
  ASSERT_TRUE(leaky.ok() && elu.ok() && softplus.ok());
  testing::ExpectTensorNear((*leaky)[0], T_<float>(want_leaky, {n}), 1e-7, 1e-6);
  testing::ExpectTensorNear((*elu)[0], T_<float>(want_elu, {n}), 1e-7, 1e-6);
  testing::ExpectTensorNear((*softplus)[0], T_<float>(want_softplus, {n}), 1e-7, 1e-6);
}

TEST(ElementwiseUnaryTest, GradShapeMismatchIsNamed) {
  auto out = testing::RunKernelUnshaped(
      "SoftplusGrad", {T_<float>({1, 2}, {2}), T_<float>({1, 2, 3}, {3})}, {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("must have the same shape"), std::string::npos)
      << out.status();
}

}  // namespace
}  // namespace graphrt
