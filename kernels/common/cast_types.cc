#include "kernels/common/cast_types.h"

#include "absl/strings/str_cat.h"

namespace graphrt {
const std::vector<DataType>& CastTypes() { return AllElementTypes(); }

namespace {

bool IsCastType(DataType t) {
  for (DataType c : CastTypes()) {
    if (c == t) return true;
  }
  return false;
}

}  // namespace

absl::Status CheckCastTypes(DataType src, DataType dst) {
  if (!IsCastType(src) || !IsCastType(dst)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no cast from ", DataTypeName(src), " to ", DataTypeName(dst),
        "; Cast supports every numeric type and bool in both directions"));
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
