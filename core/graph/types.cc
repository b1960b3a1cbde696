#include "core/graph/types.h"

#include <array>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace graphrt {
namespace {

struct TypeInfo {
  DataType dtype;
  const char* name;
  size_t size;
};

// Every element type with its name and size; kResource's size is a pointer.
constexpr std::array<TypeInfo, 13> kTypes = {{
    {DataType::kFloat32, "float32", 4},
    {DataType::kInt32, "int32", 4},
    {DataType::kInt64, "int64", 8},
    {DataType::kUint8, "uint8", 1},
    {DataType::kBool, "bool", 1},
    {DataType::kResource, "resource", sizeof(void*)},
    {DataType::kFloat64, "float64", 8},
    {DataType::kInt8, "int8", 1},
    {DataType::kInt16, "int16", 2},
    {DataType::kUint16, "uint16", 2},
    {DataType::kUint32, "uint32", 4},
    {DataType::kUint64, "uint64", 8},
    {DataType::kFloat16, "float16", 2},
}};

// kTypes[i] describes the DataType whose value is i + 1, so a lookup (one
// per tensor allocation) is an index, not a scan.
constexpr bool IndexedByValue() {
  for (size_t i = 0; i < kTypes.size(); ++i) {
    if (static_cast<size_t>(kTypes[i].dtype) != i + 1) return false;
  }
  return true;
}
static_assert(IndexedByValue(), "kTypes must list the DataTypes in value order from 1");

const TypeInfo* Find(DataType dtype) {
  const size_t i = static_cast<size_t>(dtype);
  return i == 0 || i > kTypes.size() ? nullptr : &kTypes[i - 1];
}

}  // namespace

size_t DataTypeSize(DataType dtype) {
  const TypeInfo* t = Find(dtype);
  return t == nullptr ? 0 : t->size;
}

absl::string_view DataTypeName(DataType dtype) {
  const TypeInfo* t = Find(dtype);
  return t == nullptr ? "invalid" : t->name;
}

absl::StatusOr<DataType> ParseDataType(absl::string_view name) {
  if (name == "float") return DataType::kFloat32;
  if (name == "double") return DataType::kFloat64;
  if (name == "half") return DataType::kFloat16;
  std::vector<std::string> names;
  for (const TypeInfo& t : kTypes) {
    if (name == t.name) return t.dtype;
    if (t.dtype != DataType::kResource) names.push_back(t.name);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown data type '", name,
                                                 "'; expected one of ",
                                                 absl::StrJoin(names, ", ")));
}

const std::vector<DataType>& AllElementTypes() {
  static const auto* types = [] {
    auto* v = new std::vector<DataType>;
    for (const TypeInfo& t : kTypes) {
      if (t.dtype != DataType::kResource) v->push_back(t.dtype);
    }
    return v;
  }();
  return *types;
}

bool IsFloatingType(DataType dtype) {
  return dtype == DataType::kFloat32 || dtype == DataType::kFloat64 ||
         dtype == DataType::kFloat16;
}

bool IsIntegerType(DataType dtype) {
  switch (dtype) {
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kUint8:
    case DataType::kInt8:
    case DataType::kInt16:
    case DataType::kUint16:
    case DataType::kUint32:
    case DataType::kUint64:
      return true;
    default:
      return false;
  }
}

// Bit-level conversions (IEEE 754 binary16 <-> binary32), so no compiler
// support for _Float16 is needed.
float HalfToFloat(Float16 h) {
  const uint32_t sign = static_cast<uint32_t>(h.bits & 0x8000u) << 16;
  const uint32_t exp = (h.bits >> 10) & 0x1fu;
  uint32_t mant = h.bits & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {  // inf or NaN
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp != 0) {  // normal
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {  // zero
    bits = sign;
  } else {  // subnormal: normalise
    int e = -1;
    do {
      ++e;
      mant <<= 1;
    } while ((mant & 0x400u) == 0);
    bits = sign | (static_cast<uint32_t>(112 - e) << 23) | ((mant & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

Float16 FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) {  // inf or NaN (keep NaN quiet and non-zero)
    return {static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u))};
  }
  if (abs >= 0x477ff000u) return {static_cast<uint16_t>(sign | 0x7c00u)};  // rounds past 65504
  if (abs < 0x38800000u) {  // below the smallest normal half: subnormal or zero
    if (abs < 0x33000000u) return {sign};  // under half the smallest subnormal
    const uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
    const int shift = 126 - static_cast<int>(abs >> 23);  // 14..24
    const uint32_t half = mant >> shift;
    const uint32_t rest = mant & ((1u << shift) - 1);
    const uint32_t mid = 1u << (shift - 1);
    const uint32_t rounded = half + (rest > mid || (rest == mid && (half & 1u)));
    return {static_cast<uint16_t>(sign | rounded)};
  }
  // Normal: rebias the exponent, round the 13 dropped bits to nearest even.
  const uint32_t base = ((abs >> 13) - (112u << 10));
  const uint32_t rest = abs & 0x1fffu;
  const uint32_t rounded = base + (rest > 0x1000u || (rest == 0x1000u && (base & 1u)));
  return {static_cast<uint16_t>(sign | rounded)};
}

}  // namespace graphrt
