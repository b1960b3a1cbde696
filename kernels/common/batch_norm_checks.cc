#include "kernels/common/batch_norm_checks.h"

#include "absl/strings/str_cat.h"

namespace graphrt {

absl::Status CheckBatchNormX(const Tensor& x, const char* what) {
  if (x.rank() == 4) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, " must have rank 4 (NHWC), got ", x.ShapeString()));
}

absl::Status CheckChannelVector(const Tensor& v, const char* what, int64_t channels,
                                bool may_be_empty) {
  if (v.rank() == 1 && (v.dim(0) == channels || (may_be_empty && v.dim(0) == 0))) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(what, " must be a vector of the ", channels,
                                                 " channels of x, got ", v.ShapeString()));
}

}  // namespace graphrt
