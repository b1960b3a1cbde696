// Tests for kernels/cpu/elementwise_binary.h and the widened cwise_binary
// types: each op against its formula through a naive numpy-broadcasting
// reference (index arithmetic written out here, not the kernels' plans) for
// every dtype it takes, over shapes that broadcast every way and one large
// enough to split; Mod's signs as the ONNX spec's examples give them; integer
// Pow, shifts and division at their edges; modulo by zero and bad shapes named
// in the error; SelectV2's three-way broadcast.
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

// numpy broadcasting, by the definition: output index -> each input's index.
std::vector<int64_t> BroadcastDims(const std::vector<std::vector<int64_t>>& shapes) {
  size_t rank = 0;
  for (const auto& s : shapes) rank = std::max(rank, s.size());
  std::vector<int64_t> out(rank, 1);
  for (const auto& s : shapes) {
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t& d = out[rank - s.size() + i];
      if (s[i] != 1) d = s[i];
    }
  }
  return out;
}

int64_t SourceIndex(int64_t flat, const std::vector<int64_t>& out,
                    const std::vector<int64_t>& in) {
  int64_t index = 0, stride = 1;
  for (int d = static_cast<int>(out.size()) - 1; d >= 0; --d) {
    const int64_t coord = flat % out[d];
    flat /= out[d];
    const int k = d - static_cast<int>(out.size() - in.size());
    if (k < 0) continue;
    if (in[k] != 1) index += coord * stride;
    stride *= in[k];
  }
  return index;
}

int64_t Count(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

// Values of T spread over its range (small for the narrow types), never 0
// when `nonzero`.
template <typename T>
std::vector<T> Values(int64_t n, uint32_t seed, bool nonzero) {
  std::vector<T> v(n);
  uint64_t s = seed * 2654435761u + 1;
  for (int64_t i = 0; i < n; ++i) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    const int64_t r = static_cast<int64_t>((s >> 33) % 41) - 20;  // [-20, 20]
    if constexpr (std::is_floating_point_v<T>) {
      v[i] = static_cast<T>(r) / T{4};
    } else if constexpr (std::is_unsigned_v<T>) {
      v[i] = static_cast<T>(r < 0 ? -r : r);
    } else {
      v[i] = static_cast<T>(r);
    }
    if (nonzero && v[i] == T{0}) v[i] = T{3};
  }
  return v;
}

using ShapePairs = std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>>;
// Shapes that broadcast every way: equal, scalars, both widened, rank
// differences, a repeating row large enough to split, empty.
const ShapePairs kShapes = {
    {{6}, {6}},          {{2, 3}, {}},      {{}, {4}},              {{3, 1}, {1, 4}},
    {{2, 1, 5}, {3, 1}}, {{5}, {4, 3, 5}}, {{2, 3, 4}, {2, 3, 4}}, {{300, 257}, {257}},
    {{0, 3}, {1, 3}}};

template <typename T, typename Out, typename F>
void CheckBinary(const std::string& op, F ref, bool nonzero_y = false,
                 const ShapePairs& shapes = kShapes) {
  uint32_t seed = 1;
  for (const auto& [xs, ys] : shapes) {
    const std::vector<int64_t> out = BroadcastDims({xs, ys});
    const std::vector<T> x = Values<T>(Count(xs), seed++, false);
    const std::vector<T> y = Values<T>(Count(ys), seed++, nonzero_y);
    auto got = RunKernel(op, {T_<T>(x, TensorShape(xs)), T_<T>(y, TensorShape(ys))});
    ASSERT_TRUE(got.ok()) << op << ": " << got.status();
    const Tensor& z = (*got)[0];
    ASSERT_EQ(z.dtype(), DataTypeOf<Out>()) << op;
    ASSERT_EQ(z.shape(), TensorShape(out)) << op;
    int bad = 0;
    for (int64_t i = 0; i < Count(out) && bad < 3; ++i) {
      const T a = x[SourceIndex(i, out, xs)], b = y[SourceIndex(i, out, ys)];
      const Out want = ref(a, b), have = z.data<Out>()[i];
      const bool same = (want == have) || (want != want && have != have);
      if (!same) {
        ++bad;
        ADD_FAILURE() << op << " " << DataTypeName(DataTypeOf<T>()) << " (" << +a << ", " << +b
                      << "): got " << +have << ", want " << +want;
      }
    }
  }
}

template <typename T>
T FloorModRef(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(a - b * std::floor(static_cast<long double>(a) / b));
  } else {
    // Python's %: a - b * floor(a / b), exact in long double for these sizes.
    const long double q = std::floor(static_cast<long double>(a) / static_cast<long double>(b));
    return static_cast<T>(static_cast<long double>(a) - static_cast<long double>(b) * q);
  }
}

template <typename T>
T TruncModRef(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::fmod(a, b);
  } else {
    const long double q = std::trunc(static_cast<long double>(a) / static_cast<long double>(b));
    return static_cast<T>(static_cast<long double>(a) - static_cast<long double>(b) * q);
  }
}

template <typename T>
void CheckNumericType() {
  CheckBinary<T, T>("Minimum", [](T a, T b) { return a < b ? a : b; });
  CheckBinary<T, T>("Maximum", [](T a, T b) { return a > b ? a : b; });
  CheckBinary<T, T>("Add", [](T a, T b) { return static_cast<T>(a + b); });
  CheckBinary<T, T>("Sub", [](T a, T b) { return static_cast<T>(a - b); });
  CheckBinary<T, T>("Mul", [](T a, T b) { return static_cast<T>(a * b); });
  CheckBinary<T, T>(
      "Div",
      [](T a, T b) {
        if constexpr (std::is_floating_point_v<T>) return a / b;
        return static_cast<T>(std::trunc(static_cast<double>(a) / static_cast<double>(b)));
      },
      /*nonzero_y=*/true);
  CheckBinary<T, T>("SquaredDifference", [](T a, T b) { return static_cast<T>((a - b) * (a - b)); });
  CheckBinary<T, T>("FloorMod", FloorModRef<T>, /*nonzero_y=*/true);
  CheckBinary<T, T>("TruncateMod", TruncModRef<T>, /*nonzero_y=*/true);
  CheckBinary<T, bool>("Less", [](T a, T b) { return a < b; });
  CheckBinary<T, bool>("LessEqual", [](T a, T b) { return a <= b; });
  CheckBinary<T, bool>("Greater", [](T a, T b) { return a > b; });
  CheckBinary<T, bool>("GreaterEqual", [](T a, T b) { return a >= b; });
  CheckBinary<T, bool>("Equal", [](T a, T b) { return a == b; });
  CheckBinary<T, bool>("NotEqual", [](T a, T b) { return a != b; });
}

TEST(ElementwiseBinaryTest, EveryNumericTypeMatchesItsFormula) {
  CheckNumericType<float>();
  CheckNumericType<double>();
  CheckNumericType<int8_t>();
  CheckNumericType<int16_t>();
  CheckNumericType<int32_t>();
  CheckNumericType<int64_t>();
  CheckNumericType<uint8_t>();
  CheckNumericType<uint16_t>();
  CheckNumericType<uint32_t>();
  CheckNumericType<uint64_t>();
}

TEST(ElementwiseBinaryTest, PowMatchesFormula) {
  CheckBinary<float, float>("Pow", [](float a, float b) { return std::pow(a, b); });
  CheckBinary<double, double>("Pow", [](double a, double b) { return std::pow(a, b); });
  // Integers: small exponents, where the real power is exact in double.
  auto out = RunKernel("Pow", {T_<int64_t>({2, -3, 5, 1, -1, -1, 2, 0}, {8}),
                               T_<int64_t>({10, 3, 0, -4, -3, -2, -1, 0}, {8})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<int64_t>({1024, -27, 1, 1, -1, 1, 0, 1}, {8}));
  auto wrap = RunKernel("Pow", {T_<int32_t>({2, 3}, {2}), T_<int32_t>({32, 21}, {2})});
  ASSERT_TRUE(wrap.ok()) << wrap.status();
  // 2^32 wraps to 0; 3^21 = 10460353203 wraps to 10460353203 - 2 * 2^32.
  ExpectTensorEq((*wrap)[0], T_<int32_t>({0, static_cast<int32_t>(10460353203 - 8589934592)}, {2}));
}

TEST(ElementwiseBinaryTest, ModSignsFollowOnnxExamples) {
  // The ONNX Mod spec's mixed-sign examples.
  const Tensor x = T_<int32_t>({-4, 7, 5, 4, -7, 8}, {6});
  const Tensor y = T_<int32_t>({2, -3, 8, -2, 3, 5}, {6});
  auto floor_mod = RunKernel("FloorMod", {x, y});
  auto trunc_mod = RunKernel("TruncateMod", {x, y});
  ASSERT_TRUE(floor_mod.ok() && trunc_mod.ok());
  ExpectTensorEq((*floor_mod)[0], T_<int32_t>({0, -2, 5, 0, 2, 3}, {6}));
  ExpectTensorEq((*trunc_mod)[0], T_<int32_t>({0, 1, 5, 0, -1, 3}, {6}));
  auto fmod = RunKernel("TruncateMod", {T_<float>({-4.3f, 7.2f, 5.0f}, {3}),
                                        T_<float>({2.1f, -3.4f, 8.0f}, {3})});
  ASSERT_TRUE(fmod.ok());
  testing::ExpectTensorNear((*fmod)[0],
                            T_<float>({std::fmod(-4.3f, 2.1f), std::fmod(7.2f, -3.4f), 5.0f}, {3}),
                            0, 0);
  auto min_mod = RunKernel("FloorMod", {T_<int32_t>({std::numeric_limits<int32_t>::min()}, {1}),
                                        T_<int32_t>({-1}, {1})});
  ASSERT_TRUE(min_mod.ok()) << min_mod.status();
  ExpectTensorEq((*min_mod)[0], T_<int32_t>({0}, {1}));
}

TEST(ElementwiseBinaryTest, IntegerModuloByZeroIsNamed) {
  auto out = RunKernel("FloorMod", {T_<int64_t>({1, 2, 3}, {3}), T_<int64_t>({1, 0, 2}, {3})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(),
              HasSubstr("integer modulo by zero: the divisor y (int64[3]) holds a zero at "
                        "flat index 1"));
  auto div = RunKernel("Div", {T_<uint16_t>({1, 2}, {2}), T_<uint16_t>({0, 1}, {2})});
  ASSERT_FALSE(div.ok());
  EXPECT_THAT(div.status().message(), HasSubstr("integer division by zero"));
}

TEST(ElementwiseBinaryTest, WidenedIntegerOpsWrapAndTruncate) {
  auto add = RunKernel("Add", {T_<int8_t>({127, -128}, {2}), T_<int8_t>({1, -1}, {2})});
  ASSERT_TRUE(add.ok()) << add.status();
  ExpectTensorEq((*add)[0], T_<int8_t>({-128, 127}, {2}));
  auto div = RunKernel("Div", {T_<int16_t>({-7, 7, -32768}, {3}), T_<int16_t>({2, -2, -1}, {3})});
  ASSERT_TRUE(div.ok()) << div.status();
  ExpectTensorEq((*div)[0], T_<int16_t>({-3, -3, -32768}, {3}));
  auto udiv = RunKernel("Div", {T_<uint32_t>({4294967295u, 7}, {2}), T_<uint32_t>({2, 7}, {2})});
  ASSERT_TRUE(udiv.ok()) << udiv.status();
  ExpectTensorEq((*udiv)[0], T_<uint32_t>({2147483647u, 1}, {2}));
  auto u64 = RunKernel("Sub", {T_<uint64_t>({0}, {1}), T_<uint64_t>({1}, {1})});
  ASSERT_TRUE(u64.ok()) << u64.status();
  ExpectTensorEq((*u64)[0], T_<uint64_t>({std::numeric_limits<uint64_t>::max()}, {1}));
}

TEST(ElementwiseBinaryTest, Float16MinMaxModComputeInFloat) {
  const std::vector<float> a = {-4.5f, 7.25f, 5.0f, 1000.0f, -7.0f, 0.1f};
  const std::vector<float> b = {2.0f, -3.5f, 8.0f, 999.5f, 3.0f, 0.3f};
  auto half = [](const std::vector<float>& v) {
    Tensor t(DataType::kFloat16, {static_cast<int64_t>(v.size())});
    for (size_t i = 0; i < v.size(); ++i) t.data<Float16>()[i] = FloatToHalf(v[i]);
    return t;
  };
  const std::vector<std::pair<std::string, std::function<float(float, float)>>> ops = {
      {"Minimum", [](float x, float y) { return std::fmin(x, y); }},
      {"Maximum", [](float x, float y) { return std::fmax(x, y); }},
      {"TruncateMod", [](float x, float y) { return std::fmod(x, y); }},
      {"FloorMod", [](float x, float y) { return x - y * std::floor(x / y); }}};
  for (const auto& [op, ref] : ops) {
    auto out = RunKernel(op, {half(a), half(b)});
    ASSERT_TRUE(out.ok()) << op << ": " << out.status();
    ASSERT_EQ((*out)[0].dtype(), DataType::kFloat16);
    for (size_t i = 0; i < a.size(); ++i) {
      // The reference from the float16-rounded operands, rounded back.
      const float x = HalfToFloat(FloatToHalf(a[i])), y = HalfToFloat(FloatToHalf(b[i]));
      EXPECT_EQ(HalfToFloat((*out)[0].data<Float16>()[i]), HalfToFloat(FloatToHalf(ref(x, y))))
          << op << "(" << x << ", " << y << ")";
    }
  }
}

TEST(ElementwiseBinaryTest, MinimumAndComparisonsWithNaN) {
  const float nan = std::nanf("");
  auto min = RunKernel("Minimum", {T_<float>({nan, 1, 2}, {3}), T_<float>({1, nan, 3}, {3})});
  ASSERT_TRUE(min.ok());
  const float* m = (*min)[0].data<float>();
  EXPECT_TRUE(std::isnan(m[0]));
  EXPECT_TRUE(std::isnan(m[1]));
  EXPECT_EQ(m[2], 2);
  auto less = RunKernel("Less", {T_<float>({nan, 1}, {2}), T_<float>({1, nan}, {2})});
  auto ne = RunKernel("NotEqual", {T_<float>({nan}, {1}), T_<float>({nan}, {1})});
  ASSERT_TRUE(less.ok() && ne.ok());
  ExpectTensorEq((*less)[0], T_<bool>({false, false}, {2}));
  ExpectTensorEq((*ne)[0], T_<bool>({true}, {1}));
}

TEST(ElementwiseBinaryTest, ShiftsIncludingOutOfRangeAmounts) {
  auto left = RunKernel("LeftShift", {T_<uint8_t>({16, 4, 1, 255}, {4}),
                                      T_<uint8_t>({1, 2, 8, 7}, {4})});
  auto right = RunKernel("RightShift", {T_<uint32_t>({16, 4, 1}, {3}),
                                        T_<uint32_t>({1, 2, 40}, {3})});
  auto sright = RunKernel("RightShift", {T_<int16_t>({-16, -1, 64}, {3}),
                                         T_<int16_t>({2, 20, -1}, {3})});
  ASSERT_TRUE(left.ok() && right.ok() && sright.ok());
  ExpectTensorEq((*left)[0], T_<uint8_t>({32, 16, 0, 128}, {4}));
  ExpectTensorEq((*right)[0], T_<uint32_t>({8, 1, 0}, {3}));
  ExpectTensorEq((*sright)[0], T_<int16_t>({-4, -1, 0}, {3}));
}

TEST(ElementwiseBinaryTest, LogicOps) {
  const Tensor a = T_<bool>({true, true, false, false}, {4});
  const Tensor b = T_<bool>({true, false, true, false}, {4});
  for (const auto& [op, want] : std::vector<std::pair<std::string, std::vector<bool>>>{
           {"LogicalAnd", {true, false, false, false}},
           {"LogicalOr", {true, true, true, false}},
           {"LogicalXor", {false, true, true, false}}}) {
    auto out = RunKernel(op, {a, b});
    ASSERT_TRUE(out.ok()) << op << ": " << out.status();
    ExpectTensorEq((*out)[0], T_<bool>(want, {4}));
  }
  auto bcast = RunKernel("LogicalAnd", {T_<bool>({true, false}, {2, 1}), T_<bool>({true, false, true}, {3})});
  ASSERT_TRUE(bcast.ok());
  ExpectTensorEq((*bcast)[0], T_<bool>({true, false, true, false, false, false}, {2, 3}));
}

TEST(ElementwiseBinaryTest, PReluBroadcastsSlopeOnlyOntoX) {
  const ShapePairs slopes = {{{2, 3, 4}, {3, 1}}, {{2, 3, 4}, {4}}, {{2, 3, 4}, {}},
                             {{5}, {1}}, {{300, 257}, {257}}};
  CheckBinary<float, float>("PRelu", [](float x, float s) { return x < 0 ? s * x : x; }, false,
                            slopes);
  CheckBinary<int32_t, int32_t>("PRelu", [](int32_t x, int32_t s) { return x < 0 ? s * x : x; },
                                false, slopes);
  auto out = testing::RunKernelUnshaped("PRelu", {T_<float>({1, -2}, {2}),
                                                  T_<float>({1, 2, 3, 4}, {2, 2})}, {});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("must broadcast to x float32[2]"));
}

TEST(ElementwiseBinaryTest, SelectV2BroadcastsAllThree) {
  const std::vector<std::vector<std::vector<int64_t>>> cases = {
      {{5}, {5}, {5}}, {{2, 1}, {3}, {}}, {{3}, {2, 1}, {1, 3}}, {{}, {4}, {2, 4}},
      {{700, 1}, {1, 300}, {300}}};
  uint32_t seed = 3;
  for (const auto& shapes : cases) {
    const std::vector<int64_t> out = BroadcastDims(shapes);
    std::vector<bool> c;
    for (int v : Values<int32_t>(Count(shapes[0]), seed++, false)) c.push_back(v > 0);
    const std::vector<int64_t> t = Values<int64_t>(Count(shapes[1]), seed++, false);
    const std::vector<int64_t> e = Values<int64_t>(Count(shapes[2]), seed++, false);
    auto got = RunKernel("SelectV2", {T_<bool>(c, TensorShape(shapes[0])),
                                      T_<int64_t>(t, TensorShape(shapes[1])),
                                      T_<int64_t>(e, TensorShape(shapes[2]))});
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ((*got)[0].shape(), TensorShape(out));
    std::vector<int64_t> want(Count(out));
    for (int64_t i = 0; i < Count(out); ++i) {
      want[i] = c[SourceIndex(i, out, shapes[0])] ? t[SourceIndex(i, out, shapes[1])]
                                                  : e[SourceIndex(i, out, shapes[2])];
    }
    ExpectTensorEq((*got)[0], T_<int64_t>(want, TensorShape(out)));
  }
  auto bad = testing::RunKernelUnshaped(
      "SelectV2", {T_<bool>({true, false}, {2}), T_<float>({1, 2, 3}, {3}), T_<float>({0}, {1})},
      {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("do not broadcast together"));
}

}  // namespace
}  // namespace graphrt
