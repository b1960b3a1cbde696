#include "kernels/common/matmul_shape.h"

#include "absl/strings/str_cat.h"

namespace graphrt {

std::string DescribeMatMulOperand(const Tensor& t, bool transposed) {
  return absl::StrCat(t.ShapeString(), transposed ? " (transposed)" : "");
}

absl::StatusOr<MatMulDims> MatMulShape(const Tensor& a, const Tensor& b, bool transpose_a,
                                       bool transpose_b) {
  if (a.rank() != 2 || b.rank() != 2) {
    return absl::InvalidArgumentError(absl::StrCat("MatMul needs two matrices; got a ",
                                                   a.ShapeString(), " and b ",
                                                   b.ShapeString()));
  }
  const MatMulDims d{a.dim(transpose_a ? 1 : 0), a.dim(transpose_a ? 0 : 1),
                     b.dim(transpose_b ? 0 : 1)};
  const int64_t kb = b.dim(transpose_b ? 1 : 0);
  if (d.k != kb) {
    return absl::InvalidArgumentError(absl::StrCat(
        "MatMul inner dimensions differ: a ", DescribeMatMulOperand(a, transpose_a), " x b ",
        DescribeMatMulOperand(b, transpose_b), " (", d.k, " vs ", kb, ")"));
  }
  return d;
}

absl::Status CheckMatMulBias(const Tensor& bias, int64_t n) {
  if (bias.rank() == 1 && bias.dim(0) == n) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("FusedMatMul's bias ", bias.ShapeString(),
                                                 " must be a vector of the product's ", n,
                                                 " columns"));
}

absl::StatusOr<bool> MatMulActivationIsRelu(const std::string& activation) {
  if (activation == "Relu") return true;
  if (activation == "None") return false;
  return absl::InvalidArgumentError(absl::StrCat(
      "FusedMatMul activation \"", activation, "\" is not supported: use \"None\" or \"Relu\""));
}

}  // namespace graphrt
