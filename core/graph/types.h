// DataType: the element types a tensor can hold, with their sizes and names.
//
// Thread-safety: plain values and pure functions.
#ifndef GRAPHRT_CORE_GRAPH_TYPES_H_
#define GRAPHRT_CORE_GRAPH_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace graphrt {

enum class DataType : uint8_t {
  kInvalid = 0,
  kFloat32,
  kInt32,
  kInt64,
  kUint8,
  kBool,
  kResource,  // a handle to a session resource (a variable); internal
  // Added for imported models (ONNX); after kResource so saved graphs keep
  // their numbers.
  kFloat64,
  kInt8,
  kInt16,
  kUint16,
  kUint32,
  kUint64,
  kFloat16,  // IEEE binary16, stored as Float16 bits; math widens to float
};

// IEEE 754 half precision, storage only: kernels convert to float to compute.
struct Float16 {
  uint16_t bits = 0;
};
float HalfToFloat(Float16 h);
Float16 FloatToHalf(float f);  // round to nearest even; overflow gives inf

// Size in bytes of one element; 0 for kInvalid.
size_t DataTypeSize(DataType dtype);

// "float32", "int32", ...: the names used in messages and attrs.
absl::string_view DataTypeName(DataType dtype);

// Parses a name printed by DataTypeName ("float32"; "float" is accepted too).
absl::StatusOr<DataType> ParseDataType(absl::string_view name);

// Every element type a tensor can hold (all but kInvalid and kResource).
const std::vector<DataType>& AllElementTypes();

bool IsFloatingType(DataType dtype);
bool IsIntegerType(DataType dtype);

// Maps C++ element types to DataType: DataTypeOf<float>() == kFloat32.
template <typename T>
constexpr DataType DataTypeOf();
template <> constexpr DataType DataTypeOf<float>() { return DataType::kFloat32; }
template <> constexpr DataType DataTypeOf<int32_t>() { return DataType::kInt32; }
template <> constexpr DataType DataTypeOf<int64_t>() { return DataType::kInt64; }
template <> constexpr DataType DataTypeOf<uint8_t>() { return DataType::kUint8; }
template <> constexpr DataType DataTypeOf<bool>() { return DataType::kBool; }
template <> constexpr DataType DataTypeOf<double>() { return DataType::kFloat64; }
template <> constexpr DataType DataTypeOf<int8_t>() { return DataType::kInt8; }
template <> constexpr DataType DataTypeOf<int16_t>() { return DataType::kInt16; }
template <> constexpr DataType DataTypeOf<uint16_t>() { return DataType::kUint16; }
template <> constexpr DataType DataTypeOf<uint32_t>() { return DataType::kUint32; }
template <> constexpr DataType DataTypeOf<uint64_t>() { return DataType::kUint64; }
template <> constexpr DataType DataTypeOf<Float16>() { return DataType::kFloat16; }

// Calls `f.template operator()<T>()` with T the element type of `dtype`, for
// every numeric type and bool; returns `otherwise` for kInvalid/kResource.
// Keeps the one switch over element types in one place.
template <typename R, typename F>
R VisitElementType(DataType dtype, F&& f, R otherwise) {
  switch (dtype) {
    case DataType::kFloat32: return f.template operator()<float>();
    case DataType::kInt32: return f.template operator()<int32_t>();
    case DataType::kInt64: return f.template operator()<int64_t>();
    case DataType::kUint8: return f.template operator()<uint8_t>();
    case DataType::kBool: return f.template operator()<bool>();
    case DataType::kFloat64: return f.template operator()<double>();
    case DataType::kInt8: return f.template operator()<int8_t>();
    case DataType::kInt16: return f.template operator()<int16_t>();
    case DataType::kUint16: return f.template operator()<uint16_t>();
    case DataType::kUint32: return f.template operator()<uint32_t>();
    case DataType::kUint64: return f.template operator()<uint64_t>();
    case DataType::kFloat16: return f.template operator()<Float16>();
    case DataType::kResource:
    case DataType::kInvalid: break;
  }
  return otherwise;
}

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_TYPES_H_
