// MatMul's shape rules and messages, shared by every device's MatMul and
// FusedMatMul (kernels/cpu/matmul_op.h, kernels/gpu/matmul_ops.cc): product
// = op(a) x op(b), where op transposes when transpose_a / transpose_b is set.
//
// Errors: INVALID_ARGUMENT naming both shapes when an input is not a matrix
// or the inner dimensions differ, naming the bias when it is not [n], and
// naming an activation FusedMatMul does not know. Empty dims are allowed.
// Thread-safety: pure functions.
#ifndef GRAPHRT_KERNELS_COMMON_MATMUL_SHAPE_H_
#define GRAPHRT_KERNELS_COMMON_MATMUL_SHAPE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "core/graph/tensor.h"

namespace graphrt {

// The product op(a) [m, k] x op(b) [k, n].
struct MatMulDims {
  int64_t m, k, n;
};

// op(a) x op(b)'s dims; INVALID_ARGUMENT naming both unless they are matrices with equal k.
absl::StatusOr<MatMulDims> MatMulShape(const Tensor& a, const Tensor& b, bool transpose_a,
                                       bool transpose_b);

// FusedMatMul's bias: OK when it is a vector of the product's n columns.
absl::Status CheckMatMulBias(const Tensor& bias, int64_t n);

// FusedMatMul's activation attr: true for "Relu", false for "None".
absl::StatusOr<bool> MatMulActivationIsRelu(const std::string& activation);

// An operand as MatMul's messages name it: dtype and shape, " (transposed)" when it is.
std::string DescribeMatMulOperand(const Tensor& t, bool transposed);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_MATMUL_SHAPE_H_
