#include "kernels/common/bias_add_shape.h"

#include "absl/strings/str_cat.h"

namespace graphrt {

absl::Status CheckBiasAddShapes(const Tensor& value, const Tensor& bias) {
  if (value.rank() < 1 || bias.rank() != 1 || bias.dim(0) != value.dim(value.rank() - 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "BiasAdd needs value [..., C] and bias [C]; got value ", value.ShapeString(),
        " and bias ", bias.ShapeString()));
  }
  return absl::OkStatus();
}

absl::Status CheckBiasAddGradShape(const Tensor& out_backprop) {
  if (out_backprop.rank() < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "BiasAddGrad needs out_backprop of rank >= 1; got ", out_backprop.ShapeString()));
  }
  return absl::OkStatus();
}

}  // namespace graphrt
