#include "core/graph/types.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace graphrt {

size_t DataTypeSize(DataType dtype) {
  switch (dtype) {
    case DataType::kFloat32: return 4;
    case DataType::kInt32: return 4;
    case DataType::kInt64: return 8;
    case DataType::kUint8: return 1;
    case DataType::kBool: return 1;
    case DataType::kResource: return sizeof(void*);
    case DataType::kInvalid: return 0;
  }
  return 0;
}

absl::string_view DataTypeName(DataType dtype) {
  switch (dtype) {
    case DataType::kFloat32: return "float32";
    case DataType::kInt32: return "int32";
    case DataType::kInt64: return "int64";
    case DataType::kUint8: return "uint8";
    case DataType::kBool: return "bool";
    case DataType::kResource: return "resource";
    case DataType::kInvalid: return "invalid";
  }
  return "invalid";
}

absl::StatusOr<DataType> ParseDataType(absl::string_view name) {
  if (name == "float32" || name == "float") return DataType::kFloat32;
  if (name == "int32") return DataType::kInt32;
  if (name == "int64") return DataType::kInt64;
  if (name == "uint8") return DataType::kUint8;
  if (name == "bool") return DataType::kBool;
  if (name == "resource") return DataType::kResource;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown data type '", name, "'; expected one of float32, int32, int64, uint8, bool"));
}

bool IsFloatingType(DataType dtype) { return dtype == DataType::kFloat32; }

bool IsIntegerType(DataType dtype) {
  return dtype == DataType::kInt32 || dtype == DataType::kInt64 ||
         dtype == DataType::kUint8;
}

}  // namespace graphrt
