// Tests for kernels/cpu/cast_op.h: every (SrcT, DstT) pair on values all
// types hold, float -> integer truncation and saturation, integer wrap,
// to/from bool, int -> float rounding, a 1<<20-element input, and errors.
#include <cmath>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/cpu/cast_op.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

constexpr DataType kAll[] = {
    DataType::kFloat32, DataType::kInt32,  DataType::kInt64,  DataType::kUint8,
    DataType::kBool,    DataType::kFloat64, DataType::kInt8,   DataType::kInt16,
    DataType::kUint16,  DataType::kUint32,  DataType::kUint64, DataType::kFloat16};

absl::StatusOr<Tensor> Cast(const Tensor& x, DataType dst) {
  auto out = RunKernel("Cast", {x}, {{"DstT", dst}});
  if (!out.ok()) return out.status();
  return (*out)[0];
}

// `values` (small non-negative integers) as a [2,3] tensor of `dtype`.
Tensor Values(DataType dtype, const std::vector<int>& v) {
  Tensor t(dtype, {2, 3});
  for (int i = 0; i < 6; ++i) {
    VisitElementType<int>(
        dtype,
        [&]<typename T>() {
          if constexpr (std::is_same_v<T, Float16>) {
            t.data<T>()[i] = FloatToHalf(static_cast<float>(v[i]));
          } else if constexpr (std::is_same_v<T, bool>) {
            t.data<T>()[i] = v[i] != 0;
          } else {
            t.data<T>()[i] = static_cast<T>(v[i]);
          }
          return 0;
        },
        0);
  }
  return t;
}

TEST(CastTest, EveryPairOnSmallValues) {
  const std::vector<int> v = {0, 1, 2, 3, 0, 1};
  const std::vector<int> as_bool = {0, 1, 1, 1, 0, 1};  // 2 and 3 pass through bool as 1
  for (DataType src : kAll) {
    for (DataType dst : kAll) {
      SCOPED_TRACE(absl::StrCat(DataTypeName(src), " -> ", DataTypeName(dst)));
      auto y = Cast(Values(src, v), dst);
      ASSERT_TRUE(y.ok()) << y.status();
      ExpectTensorEq(*y, Values(dst, src == DataType::kBool ? as_bool : v));
    }
  }
}

TEST(CastTest, FloatToIntegerTruncatesAndSaturates) {
  const float nan = std::nanf(""), inf = std::numeric_limits<float>::infinity();
  const Tensor x = T_<float>({-2.7f, -0.5f, 0.5f, 2.7f, 1e10f, -1e10f, nan, inf, -inf}, {9});
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  auto y = Cast(x, DataType::kInt32);
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, T_<int32_t>({-2, 0, 0, 2, kMax, kMin, 0, kMax, kMin}, {9}));
  constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax64 = std::numeric_limits<int64_t>::max();
  const Tensor big = T_<float>({-2.7f, 1e10f, -1e10f, 1e30f, -1e30f, nan}, {6});
  y = Cast(big, DataType::kInt64);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->data<int64_t>()[0], -2);
  EXPECT_EQ(y->data<int64_t>()[1], 10000000000);
  EXPECT_EQ(y->data<int64_t>()[2], -10000000000);
  EXPECT_EQ(y->data<int64_t>()[3], kMax64);
  EXPECT_EQ(y->data<int64_t>()[4], kMin64);
  EXPECT_EQ(y->data<int64_t>()[5], 0);
  y = Cast(T_<float>({-2.7f, 2.7f, 255.9f, 300, nan}, {5}), DataType::kUint8);
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, T_<uint8_t>({0, 2, 255, 255, 0}, {5}));
  // Exactly representable bounds convert exactly.
  y = Cast(T_<float>({-2147483648.0f, 2147483520.0f}, {2}), DataType::kInt32);
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, T_<int32_t>({kMin, 2147483520}, {2}));
}

TEST(CastTest, IntegerNarrowingWraps) {
  auto y = Cast(T_<int64_t>({(int64_t{1} << 32) + 5, -1, int64_t{1} << 31}, {3}), DataType::kInt32);
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, T_<int32_t>({5, -1, std::numeric_limits<int32_t>::min()}, {3}));
  y = Cast(T_<int32_t>({300, -1, 255, 256}, {4}), DataType::kUint8);
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, T_<uint8_t>({44, 255, 255, 0}, {4}));
  y = Cast(T_<uint8_t>({200, 255}, {2}), DataType::kInt32);  // unsigned: no sign extension
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, T_<int32_t>({200, 255}, {2}));
  y = Cast(T_<int32_t>({-3, 7}, {2}), DataType::kInt64);  // sign extension
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, T_<int64_t>({-3, 7}, {2}));
}

TEST(CastTest, ToAndFromBool) {
  const float nan = std::nanf("");
  auto y = Cast(T_<float>({0.0f, -0.0f, 0.5f, -3, nan}, {5}), DataType::kBool);
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, T_<bool>({false, false, true, true, true}, {5}));
  y = Cast(T_<int64_t>({0, 3, -1, int64_t{1} << 40}, {4}), DataType::kBool);
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, T_<bool>({false, true, true, true}, {4}));
  y = Cast(T_<uint8_t>({0, 1, 128}, {3}), DataType::kBool);
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, T_<bool>({false, true, true}, {3}));
  y = Cast(T_<bool>({true, false}, {2}), DataType::kFloat32);
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, T_<float>({1, 0}, {2}));
}

TEST(CastTest, IntegerToFloatRounds) {
  auto y = Cast(T_<int32_t>({16777217, -16777219, 7}, {3}), DataType::kFloat32);
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, T_<float>({16777216.0f, -16777220.0f, 7}, {3}));
  y = Cast(T_<int64_t>({int64_t{1} << 40}, {1}), DataType::kFloat32);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->data<float>()[0], 1099511627776.0f);
}

TEST(CastTest, SameTypeAndEmpty) {
  auto y = Cast(T_<float>({1.5f, -2}, {2}), DataType::kFloat32);
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, T_<float>({1.5f, -2}, {2}));
  y = Cast(Tensor(DataType::kInt32, {0, 4}), DataType::kFloat32);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({0, 4}));
  EXPECT_EQ(y->dtype(), DataType::kFloat32);
}

TEST(CastTest, LargeInputSplitsAcrossThreads) {
  constexpr int64_t kN = int64_t{1} << 20;
  Tensor x(DataType::kFloat32, {kN}), want(DataType::kInt32, {kN});
  for (int64_t i = 0; i < kN; ++i) {
    const float v = (static_cast<float>(i) - kN / 2) * 0.75f;
    x.data<float>()[i] = v;
    want.data<int32_t>()[i] = static_cast<int32_t>(std::trunc(static_cast<double>(v)));
  }
  auto y = Cast(x, DataType::kInt32);
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, want);
}

TEST(CastTest, WideTypesKeepTheirRange) {
  // float64 -> int64 keeps 2^53 + 2 exactly (a float detour would give 2^53) and
  // saturates past int64; float32 -> float16 rounds to nearest even.
  Tensor d(DataType::kFloat64, {3});
  d.data<double>()[0] = 9007199254740994.0;  // 2^53 + 2, exact in double
  d.data<double>()[1] = -1e300;
  d.data<double>()[2] = 1e300;
  auto i64 = Cast(d, DataType::kInt64);
  ASSERT_TRUE(i64.ok()) << i64.status();
  EXPECT_EQ(i64->data<int64_t>()[0], (int64_t{1} << 53) + 2);
  EXPECT_EQ(i64->data<int64_t>()[1], std::numeric_limits<int64_t>::min());
  EXPECT_EQ(i64->data<int64_t>()[2], std::numeric_limits<int64_t>::max());
  auto h = Cast(T_<float>({0.1f, 65504.0f, 1e6f}, {3}), DataType::kFloat16);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->data<Float16>()[0].bits, 0x2e66);
  EXPECT_EQ(h->data<Float16>()[1].bits, 0x7bff);
  EXPECT_EQ(h->data<Float16>()[2].bits, 0x7c00);
  auto back = Cast(*h, DataType::kFloat64);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->data<double>()[0], static_cast<double>(HalfToFloat(Float16{0x2e66})));
  auto u = Cast(T_<float>({-1.0f, 3.7f}, {2}), DataType::kUint16);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->data<uint16_t>()[0], 0);  // saturates at the bottom
  EXPECT_EQ(u->data<uint16_t>()[1], 3);
}

TEST(CastTest, UnsupportedTypesAreReported) {
  auto fn = GetCastFn(DataType::kResource, DataType::kFloat32);
  EXPECT_EQ(fn.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(fn.status().message(), HasSubstr("resource"));
  EXPECT_TRUE(GetCastFn(DataType::kUint8, DataType::kInt64).ok());
}

}  // namespace
}  // namespace graphrt
