#include "kernels/common/softmax_shape.h"

#include "absl/strings/str_cat.h"

namespace graphrt {

absl::Status CheckSoftmaxLogits(absl::string_view op, const Tensor& logits) {
  if (logits.rank() < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        op, " needs logits of rank >= 1 (softmax runs along the last axis); got ",
        logits.ShapeString()));
  }
  return absl::OkStatus();
}

}  // namespace graphrt
