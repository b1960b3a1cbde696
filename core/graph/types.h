// DataType: the element types a tensor can hold, with their sizes and names.
//
// Thread-safety: plain values and pure functions.
#ifndef GRAPHRT_CORE_GRAPH_TYPES_H_
#define GRAPHRT_CORE_GRAPH_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <string>
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
};

// Size in bytes of one element; 0 for kInvalid.
size_t DataTypeSize(DataType dtype);

// "float32", "int32", ...: the names used in messages and attrs.
absl::string_view DataTypeName(DataType dtype);

// Parses a name printed by DataTypeName ("float32"; "float" is accepted too).
absl::StatusOr<DataType> ParseDataType(absl::string_view name);

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

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_TYPES_H_
