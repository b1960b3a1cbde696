#include "kernels/common/cast_types.h"

#include "absl/strings/str_cat.h"

namespace graphrt {
namespace {

bool IsCastType(DataType t) {
  switch (t) {
    case DataType::kFloat32:
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kUint8:
    case DataType::kBool:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::Status CheckCastTypes(DataType src, DataType dst) {
  if (!IsCastType(src) || !IsCastType(dst)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no cast from ", DataTypeName(src), " to ", DataTypeName(dst),
        "; Cast supports [float32, int32, int64, uint8, bool] in both directions"));
  }
  return absl::OkStatus();
}

absl::Status CheckCastInput(const Tensor& x, DataType src) {
  if (x.dtype() != src) {
    return absl::InvalidArgumentError(absl::StrCat("Cast expects ", DataTypeName(src),
                                                   " (SrcT), got ", x.ShapeString()));
  }
  return absl::OkStatus();
}

}  // namespace graphrt
