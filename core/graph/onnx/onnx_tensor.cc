// ONNX TensorProto -> Tensor, and ONNX element types -> DataType.
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/onnx/onnx_converter.h"
#include "core/graph/onnx/onnx_import.h"

namespace graphrt::onnx_import {
namespace {

using TP = onnx::TensorProto;

// Copies a typed repeated field into the tensor, narrowing each value to T
// (int32_data holds int8..uint16, bool and float16 bits widened to int32).
// The caller has checked that the field holds one value per element.
template <typename T, typename Field>
void CopyTyped(const Field& field, Tensor& out) {
  T* dst = out.data<T>();
  for (int i = 0; i < field.size(); ++i) {
    if constexpr (std::is_same_v<T, Float16>) {
      dst[i].bits = static_cast<uint16_t>(field.Get(i));
    } else {
      dst[i] = static_cast<T>(field.Get(i));
    }
  }
}

}  // namespace

absl::StatusOr<DataType> DataTypeFromOnnx(int32_t elem_type) {
  switch (elem_type) {
    case TP::FLOAT: return DataType::kFloat32;
    case TP::DOUBLE: return DataType::kFloat64;
    case TP::FLOAT16: return DataType::kFloat16;
    case TP::INT8: return DataType::kInt8;
    case TP::INT16: return DataType::kInt16;
    case TP::INT32: return DataType::kInt32;
    case TP::INT64: return DataType::kInt64;
    case TP::UINT8: return DataType::kUint8;
    case TP::UINT16: return DataType::kUint16;
    case TP::UINT32: return DataType::kUint32;
    case TP::UINT64: return DataType::kUint64;
    case TP::BOOL: return DataType::kBool;
    case TP::STRING:
      return absl::UnimplementedError("ONNX dtype string: graphrt tensors hold numbers only");
    case TP::COMPLEX64:
    case TP::COMPLEX128:
      return absl::UnimplementedError(absl::StrCat(
          "ONNX dtype ", TP::DataType_Name(static_cast<TP::DataType>(elem_type)),
          ": graphrt has no complex types"));
    case TP::BFLOAT16:
      return absl::UnimplementedError(
          "ONNX dtype bfloat16: graphrt stores float16 only; cast the model to float16 or "
          "float32");
    default:
      return absl::InvalidArgumentError(absl::StrCat("ONNX dtype ", elem_type, " is undefined"));
  }
}

absl::StatusOr<Tensor> TensorFromOnnx(const onnx::TensorProto& t) {
  const std::string what = absl::StrCat("ONNX tensor '", t.name(), "'");
  if (t.data_location() == TP::EXTERNAL || t.external_data_size() > 0) {
    return absl::UnimplementedError(absl::StrCat(
        what, " keeps its data in an external file; graphrt reads self-contained models "
              "only (save the model with all tensors inside it)"));
  }
  if (t.has_segment()) {
    return absl::UnimplementedError(absl::StrCat(what, " is segmented"));
  }
  absl::StatusOr<DataType> dtype = DataTypeFromOnnx(t.data_type());
  if (!dtype.ok()) return absl::Status(dtype.status().code(), absl::StrCat(what, ": ", dtype.status().message()));
  for (int64_t d : t.dims()) {
    if (d < 0) return absl::InvalidArgumentError(absl::StrCat(what, ": negative dimension ", d));
  }
  ASSIGN_OR_RETURN(TensorShape shape,
                   TensorShape::Make(std::span<const int64_t>(t.dims().data(), t.dims_size())));
  if (t.has_raw_data()) {
    absl::StatusOr<Tensor> out = Tensor::FromBytes(*dtype, shape, t.raw_data());
    if (!out.ok()) return absl::InvalidArgumentError(absl::StrCat(what, ": ", out.status().message()));
    return out;
  }
  // The typed fields: checked for count before allocating.
  int64_t count = 0;
  switch (t.data_type()) {
    case TP::FLOAT: count = t.float_data_size(); break;
    case TP::DOUBLE: count = t.double_data_size(); break;
    case TP::INT64: count = t.int64_data_size(); break;
    case TP::UINT32: case TP::UINT64: count = t.uint64_data_size(); break;
    default: count = t.int32_data_size(); break;
  }
  if (count != shape.num_elements()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", count, " values for ",
                                                   DataTypeName(*dtype), shape.DebugString()));
  }
  Tensor out(*dtype, shape);
  switch (t.data_type()) {
    case TP::FLOAT: CopyTyped<float>(t.float_data(), out); break;
    case TP::DOUBLE: CopyTyped<double>(t.double_data(), out); break;
    case TP::INT64: CopyTyped<int64_t>(t.int64_data(), out); break;
    case TP::UINT32: CopyTyped<uint32_t>(t.uint64_data(), out); break;
    case TP::UINT64: CopyTyped<uint64_t>(t.uint64_data(), out); break;
    case TP::INT32: CopyTyped<int32_t>(t.int32_data(), out); break;
    case TP::INT16: CopyTyped<int16_t>(t.int32_data(), out); break;
    case TP::INT8: CopyTyped<int8_t>(t.int32_data(), out); break;
    case TP::UINT16: CopyTyped<uint16_t>(t.int32_data(), out); break;
    case TP::UINT8: CopyTyped<uint8_t>(t.int32_data(), out); break;
    case TP::BOOL: CopyTyped<bool>(t.int32_data(), out); break;
    case TP::FLOAT16: CopyTyped<Float16>(t.int32_data(), out); break;
    default: break;
  }
  return out;
}

}  // namespace graphrt::onnx_import

namespace graphrt {

absl::StatusOr<Tensor> ParseOnnxTensor(absl::string_view bytes) {
  onnx::TensorProto t;
  if (!t.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("not an ONNX TensorProto: the bytes do not parse");
  }
  return onnx_import::TensorFromOnnx(t);
}

}  // namespace graphrt
