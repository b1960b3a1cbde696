// Tests for core/graph/types.h: names, sizes and parsing of every dtype, the
// element-type visitor, and float16 conversions against values from the
// IEEE 754 binary16 definition.
#include "core/graph/types.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

constexpr DataType kElementTypes[] = {
    DataType::kFloat32, DataType::kInt32,  DataType::kInt64,  DataType::kUint8,
    DataType::kBool,    DataType::kFloat64, DataType::kInt8,   DataType::kInt16,
    DataType::kUint16,  DataType::kUint32,  DataType::kUint64, DataType::kFloat16};

TEST(DataTypeTest, NamesParseBackAndSizesMatchTheVisitedType) {
  for (DataType t : kElementTypes) {
    SCOPED_TRACE(DataTypeName(t));
    auto parsed = ParseDataType(DataTypeName(t));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, t);
    const size_t visited =
        VisitElementType<size_t>(t, []<typename T>() { return sizeof(T); }, 0);
    EXPECT_EQ(DataTypeSize(t), visited);
    const DataType round =
        VisitElementType<DataType>(t, []<typename T>() { return DataTypeOf<T>(); },
                                   DataType::kInvalid);
    EXPECT_EQ(round, t);
  }
  EXPECT_EQ(*ParseDataType("double"), DataType::kFloat64);
  EXPECT_EQ(*ParseDataType("half"), DataType::kFloat16);
  EXPECT_EQ(VisitElementType<int>(DataType::kResource, []<typename T>() { return 1; }, -1), -1);
  auto bad = ParseDataType("complex64");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("float16"));
}

TEST(DataTypeTest, Classes) {
  EXPECT_TRUE(IsFloatingType(DataType::kFloat64));
  EXPECT_TRUE(IsFloatingType(DataType::kFloat16));
  EXPECT_FALSE(IsFloatingType(DataType::kInt8));
  EXPECT_TRUE(IsIntegerType(DataType::kUint64));
  EXPECT_TRUE(IsIntegerType(DataType::kInt16));
  EXPECT_FALSE(IsIntegerType(DataType::kBool));
}

// Known encodings: 1 = 0x3c00, -2 = 0xc000, 65504 (largest) = 0x7bff,
// 2^-14 (smallest normal) = 0x0400, 2^-24 (smallest subnormal) = 0x0001,
// 0.1 rounds to 0x2e66, 1/3 to 0x3555.
TEST(Float16Test, KnownEncodings) {
  struct Case {
    float value;
    uint16_t bits;
  };
  const Case cases[] = {{1.0f, 0x3c00},      {-2.0f, 0xc000},          {65504.0f, 0x7bff},
                        {0x1p-14f, 0x0400},  {0x1p-24f, 0x0001},       {0.1f, 0x2e66},
                        {1.0f / 3, 0x3555},  {0.0f, 0x0000},           {-0.0f, 0x8000},
                        {65520.0f, 0x7c00},  {1e6f, 0x7c00},           {-1e6f, 0xfc00},
                        {0x1p-25f, 0x0000},  {0x1.8p-24f, 0x0002},     {0x1.002p0f, 0x3c00},
                        {0x1.006p0f, 0x3c02}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    EXPECT_EQ(FloatToHalf(c.value).bits, c.bits);
  }
  EXPECT_EQ(FloatToHalf(std::numeric_limits<float>::infinity()).bits, 0x7c00);
  const Float16 nan = FloatToHalf(std::nanf(""));
  EXPECT_TRUE(std::isnan(HalfToFloat(nan)));
}

// Every half value widens exactly and narrows back to itself (NaN stays NaN).
TEST(Float16Test, EveryValueRoundTrips) {
  for (uint32_t b = 0; b <= 0xffff; ++b) {
    const Float16 h{static_cast<uint16_t>(b)};
    const float f = HalfToFloat(h);
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(HalfToFloat(FloatToHalf(f)))) << b;
      continue;
    }
    ASSERT_EQ(FloatToHalf(f).bits, b) << "bits " << b << " value " << f;
  }
  EXPECT_EQ(HalfToFloat(Float16{0x0001}), 0x1p-24f);
  EXPECT_EQ(HalfToFloat(Float16{0x7bff}), 65504.0f);
}

}  // namespace
}  // namespace graphrt
