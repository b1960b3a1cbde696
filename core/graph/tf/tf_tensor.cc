// TF dtypes, shapes and tensors as graphrt values (declared in tf_ops.h).
#include "absl/status/status.h"
#include "core/base/status_macros.h"
#include "core/graph/tf/tf_ops.h"

namespace graphrt::tf_import {
namespace {

// TF stores a tensor either as raw bytes or in a typed repeated field. A
// typed field may be shorter than the tensor: TensorFlow then repeats its
// last value (one value fills the tensor; none means zeros).
template <typename T, typename Field>
absl::Status FillFromField(const Field& values, Tensor& out) {
  std::span<T> dst = out.flat<T>();
  if (static_cast<size_t>(values.size()) > dst.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tensor ", out.shape().DebugString(), " holds ", dst.size(), " values, the file lists ",
        values.size()));
  }
  T last{};
  for (size_t i = 0; i < dst.size(); ++i) {
    if (i < static_cast<size_t>(values.size())) last = static_cast<T>(values.Get(i));
    dst[i] = last;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DataType> DataTypeFromTf(int dtype) {
  switch (dtype) {
    case tfproto::DT_FLOAT: return DataType::kFloat32;
    case tfproto::DT_INT32: return DataType::kInt32;
    case tfproto::DT_INT64: return DataType::kInt64;
    case tfproto::DT_UINT8: return DataType::kUint8;
    case tfproto::DT_BOOL: return DataType::kBool;
    default: break;
  }
  const std::string name = tfproto::DataType_IsValid(dtype)
                               ? tfproto::DataType_Name(static_cast<tfproto::DataType>(dtype))
                               : absl::StrCat("dtype ", dtype);
  return absl::InvalidArgumentError(absl::StrCat(
      name, " has no graphrt equivalent (graphrt has DT_FLOAT, DT_INT32, DT_INT64, DT_UINT8, "
            "DT_BOOL)"));
}

absl::StatusOr<PartialShape> ShapeFromTf(const tfproto::TensorShapeProto& shape) {
  if (shape.unknown_rank()) return PartialShape::UnknownRank();
  std::vector<int64_t> dims;
  for (const auto& d : shape.dim()) {
    if (d.size() < -1) {
      return absl::InvalidArgumentError(absl::StrCat("shape dimension ", d.size(), " is below -1"));
    }
    dims.push_back(d.size());
  }
  return PartialShape(dims);
}

absl::StatusOr<Tensor> TensorFromTf(const tfproto::TensorProto& tensor) {
  ASSIGN_OR_RETURN(DataType dtype, DataTypeFromTf(tensor.dtype()));
  ASSIGN_OR_RETURN(PartialShape partial, ShapeFromTf(tensor.tensor_shape()));
  ASSIGN_OR_RETURN(TensorShape shape, partial.ToTensorShape());
  if (shape.num_elements() > (int64_t{1} << 40)) {
    return absl::InvalidArgumentError(
        absl::StrCat("tensor ", shape.DebugString(), " is too large to be a constant"));
  }
  if (!tensor.tensor_content().empty()) {
    return Tensor::FromBytes(dtype, shape, tensor.tensor_content());
  }
  Tensor out(dtype, shape);
  switch (dtype) {
    case DataType::kFloat32: RETURN_IF_ERROR(FillFromField<float>(tensor.float_val(), out)); break;
    case DataType::kInt32: RETURN_IF_ERROR(FillFromField<int32_t>(tensor.int_val(), out)); break;
    case DataType::kUint8: RETURN_IF_ERROR(FillFromField<uint8_t>(tensor.int_val(), out)); break;
    case DataType::kInt64: RETURN_IF_ERROR(FillFromField<int64_t>(tensor.int64_val(), out)); break;
    case DataType::kBool: RETURN_IF_ERROR(FillFromField<bool>(tensor.bool_val(), out)); break;
    default: return absl::InternalError("unreachable dtype");
  }
  return out;
}

}  // namespace graphrt::tf_import
