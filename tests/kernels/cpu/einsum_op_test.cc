// Tests for kernels/cpu/einsum_op.cc and core/graph/ops/einsum_equation.cc:
// each equation form against a naive loop written from its meaning (matrix
// products, diagonals, sums, transposes, implicit outputs, ellipsis
// broadcasting, three operands), float64, and the errors for bad equations.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::RandomFloats;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

Tensor Einsum(const std::string& eq, const std::vector<Tensor>& in) {
  auto out = RunKernel("Einsum", in, {{"equation", eq}});
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? (*out)[0] : Tensor();
}

float At(const Tensor& t, std::vector<int64_t> idx) {
  int64_t off = 0;
  for (int d = 0; d < t.shape().rank(); ++d) off = off * t.shape().dim(d) + idx[d];
  return t.data<float>()[off];
}

TEST(EinsumOpTest, BatchMatMul) {
  Tensor a = RandomFloats({3, 2, 5}, -1, 1, 1), b = RandomFloats({3, 5, 4}, -1, 1, 2);
  Tensor want(DataType::kFloat32, TensorShape{3, 2, 4});
  for (int64_t n = 0; n < 3; ++n)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t k = 0; k < 4; ++k) {
        double s = 0;
        for (int64_t j = 0; j < 5; ++j) s += At(a, {n, i, j}) * At(b, {n, j, k});
        want.data<float>()[(n * 2 + i) * 4 + k] = static_cast<float>(s);
      }
  ExpectTensorNear(Einsum("bij, bjk -> bik", {a, b}), want);
}

TEST(EinsumOpTest, DiagonalSumTransposeInnerProduct) {
  Tensor x = RandomFloats({2, 3, 3}, -1, 1, 3);
  Tensor diag(DataType::kFloat32, TensorShape{2, 3});
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t i = 0; i < 3; ++i) diag.data<float>()[n * 3 + i] = At(x, {n, i, i});
  ExpectTensorNear(Einsum("...ii->...i", {x}), diag);

  Tensor m = RandomFloats({3, 4}, -1, 1, 4);
  Tensor sum(DataType::kFloat32, TensorShape{3}), tr(DataType::kFloat32, TensorShape{4, 3});
  for (int64_t i = 0; i < 3; ++i) {
    double s = 0;
    for (int64_t j = 0; j < 4; ++j) {
      s += At(m, {i, j});
      tr.data<float>()[j * 3 + i] = At(m, {i, j});
    }
    sum.data<float>()[i] = static_cast<float>(s);
  }
  ExpectTensorNear(Einsum("ij->i", {m}), sum);
  ExpectTensorNear(Einsum("ij->ji", {m}), tr);

  Tensor u = RandomFloats({6}, -1, 1, 5), v = RandomFloats({6}, -1, 1, 6);
  double dot = 0;
  for (int64_t i = 0; i < 6; ++i) dot += u.data<float>()[i] * v.data<float>()[i];
  ExpectTensorNear(Einsum("i,i", {u, v}), Tensor::Scalar<float>(static_cast<float>(dot)));
}

TEST(EinsumOpTest, ImplicitOutputIsAlphabeticalSingleLabels) {
  // "ba" with no arrow keeps b and a, sorted: the transpose.
  Tensor m = T_<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  ExpectTensorNear(Einsum("ba", {m}), T_<float>({1, 4, 2, 5, 3, 6}, {3, 2}));
  // "ij,jk": j twice is summed, the matrix product.
  Tensor a = T_<float>({1, 2, 3, 4}, {2, 2}), b = T_<float>({5, 6, 7, 8}, {2, 2});
  ExpectTensorNear(Einsum("ij,jk", {a, b}), T_<float>({19, 22, 43, 50}, {2, 2}));
}

TEST(EinsumOpTest, EllipsisBroadcastsDimsOfOne) {
  Tensor a = RandomFloats({1, 2, 3}, -1, 1, 7), b = RandomFloats({4, 3, 2}, -1, 1, 8);
  Tensor got = Einsum("...ij,...jk->...ik", {a, b});
  ASSERT_EQ(got.shape(), (TensorShape{4, 2, 2}));
  for (int64_t n = 0; n < 4; ++n)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t k = 0; k < 2; ++k) {
        double s = 0;
        for (int64_t j = 0; j < 3; ++j) s += At(a, {0, i, j}) * At(b, {n, j, k});
        EXPECT_NEAR(At(got, {n, i, k}), s, 1e-5);
      }
}

TEST(EinsumOpTest, ThreeOperandsAndFloat64) {
  Tensor a = T_<double>({1, 2, 3, 4}, {2, 2}), b = T_<double>({0, 1, 1, 0}, {2, 2});
  Tensor c = T_<double>({2, 0, 0, 3}, {2, 2});
  // a @ b @ c = [[2,1],[4,3]] @ diag(2,3) = [[4,3],[8,9]].
  auto out = RunKernel("Einsum", {a, b, c}, {{"equation", std::string("ij,jk,kl->il")}});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorNear((*out)[0], T_<double>({4, 3, 8, 9}, {2, 2}));
}

absl::Status Error(const std::string& eq, const std::vector<Tensor>& in) {
  auto out = RunKernelUnshaped("Einsum", in, {{"equation", eq}});
  return out.ok() ? absl::OkStatus() : out.status();
}

TEST(EinsumOpTest, RejectsBadEquations) {
  Tensor m = RandomFloats({2, 3}, -1, 1, 9), v = RandomFloats({4}, -1, 1, 10);
  EXPECT_THAT(Error("ij,jk->ik", {m}).message(), HasSubstr("2 input terms for 1 inputs"));
  EXPECT_THAT(Error("ijk->i", {m}).message(), HasSubstr("3 labels for an operand of rank 2"));
  EXPECT_THAT(Error("ij,j->i", {m, v}).message(), HasSubstr("label j is 3"));
  EXPECT_THAT(Error("i1->i", {m}).message(), HasSubstr("has '1'"));
  EXPECT_THAT(Error("ij->k", {m}).message(), HasSubstr("output label no input has"));
  EXPECT_THAT(Error("ij->ii", {m}).message(), HasSubstr("output label twice"));
  EXPECT_THAT(Error("ij->ii", {m}).message(), HasSubstr("(Einsum 'ij->ii')"));
}

}  // namespace
}  // namespace graphrt
