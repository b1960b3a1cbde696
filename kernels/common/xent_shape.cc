#include "kernels/common/xent_shape.h"

#include "absl/strings/str_cat.h"

namespace graphrt {

absl::Status CheckXentShapes(const Tensor& features, const Tensor& labels) {
  if (features.rank() != 2 || labels.rank() != 1 || labels.dim(0) != features.dim(0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SparseSoftmaxCrossEntropyWithLogits needs features [batch, classes] and labels "
        "[batch]; got features ",
        features.ShapeString(), " and labels ", labels.ShapeString()));
  }
  return absl::OkStatus();
}

}  // namespace graphrt
