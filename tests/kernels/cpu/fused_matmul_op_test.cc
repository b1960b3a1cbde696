// Tests for FusedMatMul's CPU kernel (kernels/cpu/matmul_op.h, Note [GEMM
// epilogue] in kernels/cpu/gemm.cc) and its shape function
// (core/graph/ops/math_ops.h): Activation(op(a) x op(b) + bias) against a
// double-precision loop, for both activations, every transpose combination,
// sizes of 1 and odd sizes around the GEMM's tiles and panels, 1 and 2
// threads, b constant (packed when the kernel is made) and fed, on every
// GEMM path the CPU supports; k == 0; and the errors, each naming the node
// or the shapes.
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/executor/session.h"
#include "core/graph/builder.h"
#include "core/graph/ops/math_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/cpu/gemm.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

Tensor Random(const TensorShape& shape, uint32_t seed) {
  return testing::RandomFloats(shape, -1.0f, 1.0f, seed);
}

// Activation(op(a) x op(b) + bias), summed in double.
Tensor Reference(const Tensor& a, const Tensor& b, const Tensor& bias, bool ta, bool tb,
                 bool relu) {
  const int64_t m = a.dim(ta ? 1 : 0), k = a.dim(ta ? 0 : 1), n = b.dim(tb ? 0 : 1);
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  Tensor c(DataType::kFloat32, TensorShape{m, n});
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = bias.data<float>()[j];
      for (int64_t p = 0; p < k; ++p) {
        sum += double{ta ? pa[p * m + i] : pa[i * k + p]} * (tb ? pb[j * k + p] : pb[p * n + j]);
      }
      c.data<float>()[i * n + j] = static_cast<float>(relu ? std::max(sum, 0.0) : sum);
    }
  }
  return c;
}

AttrMap Attrs(bool ta, bool tb, const char* activation) {
  return {{"transpose_a", ta}, {"transpose_b", tb}, {"activation", std::string(activation)}};
}

TEST(FusedMatMulOpTest, SmallProductByHand) {
  Tensor a = T_<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = T_<float>({7, 8, 9, 10, 11, 12}, {3, 2});
  Tensor bias = T_<float>({-100, -150}, {2});
  // The product is [[58, 64], [139, 154]].
  auto none = RunKernel("FusedMatMul", {a, b, bias}, Attrs(false, false, "None"));
  ASSERT_TRUE(none.ok()) << none.status();
  ExpectTensorNear((*none)[0], T_<float>({-42, -86, 39, 4}, {2, 2}));
  auto relu = RunKernel("FusedMatMul", {a, b, bias}, Attrs(false, false, "Relu"));
  ASSERT_TRUE(relu.ok()) << relu.status();
  ExpectTensorNear((*relu)[0], T_<float>({0, 0, 39, 4}, {2, 2}));
}

// Sizes of 1, odd sizes, and sizes around the tiles (12 rows on AVX-512, 6
// on AVX2), the panels (32 and 16 columns) and the thin-product column
// split; both activations, every transpose, 1 and 2 threads. RunKernel
// feeds b from a Const, so it is packed when the kernel is made;
// RunKernelUnshaped feeds it through a Placeholder.
TEST(FusedMatMulOpTest, ShapesMatchDoubleReference) {
  uint32_t seed = 1;
  for (const auto& [m, k, n] :
       {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {1, 300, 10}, {5, 7, 3}, {13, 33, 17},
        {37, 53, 29}, {64, 784, 300}, {64, 100, 10}, {100, 9, 65}}) {
    for (int flags = 0; flags < 4; ++flags) {
      const bool ta = flags & 1, tb = flags & 2;
      Tensor a = Random(ta ? TensorShape{k, m} : TensorShape{m, k}, seed++);
      Tensor b = Random(tb ? TensorShape{n, k} : TensorShape{k, n}, seed++);
      Tensor bias = Random({n}, seed++);
      for (const char* activation : {"None", "Relu"}) {
        SCOPED_TRACE(absl::StrCat(m, "x", k, "x", n, " ta=", ta, " tb=", tb, " ", activation));
        const Tensor expected = Reference(a, b, bias, ta, tb, std::string(activation) == "Relu");
        for (int threads : {1, 2}) {
          testing::KernelRunOptions options;
          options.intra_threads = threads;
          auto out = RunKernel("FusedMatMul", {a, b, bias}, Attrs(ta, tb, activation), options);
          ASSERT_TRUE(out.ok()) << out.status();
          ExpectTensorNear((*out)[0], expected, 1e-4, 1e-4);
        }
        auto fed = RunKernelUnshaped("FusedMatMul", {a, b, bias}, Attrs(ta, tb, activation));
        ASSERT_TRUE(fed.ok()) << fed.status();
        ExpectTensorNear((*fed)[0], expected, 1e-4, 1e-4);
      }
    }
  }
}

// The epilogue is applied by CpuGemm after every ISA's kernel.
TEST(FusedMatMulOpTest, EveryGemmPathMatchesDoubleReference) {
  const CpuIsa default_isa = GemmIsa();
  uint32_t seed = 500;
  for (CpuIsa isa : {CpuIsa::kAvx512, CpuIsa::kAvx2, CpuIsa::kGeneric}) {
    if (!SetGemmIsa(isa).ok()) continue;
    for (const auto& [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{37, 53, 29},
                                  {64, 300, 100}, {7, 40, 200}}) {
      for (bool tb : {false, true}) {
        SCOPED_TRACE(absl::StrCat(CpuIsaName(isa), " ", m, "x", k, "x", n, " tb=", tb));
        Tensor a = Random({m, k}, seed++);
        Tensor b = Random(tb ? TensorShape{n, k} : TensorShape{k, n}, seed++);
        Tensor bias = Random({n}, seed++);
        for (int threads : {1, 2}) {
          testing::KernelRunOptions options;
          options.intra_threads = threads;
          auto out = RunKernel("FusedMatMul", {a, b, bias}, Attrs(false, tb, "Relu"), options);
          ASSERT_TRUE(out.ok()) << out.status();
          ExpectTensorNear((*out)[0], Reference(a, b, bias, false, tb, true), 1e-4, 1e-4);
        }
      }
    }
  }
  ASSERT_TRUE(SetGemmIsa(default_isa).ok());
}

// A constant b, packed once, step after step and batch after batch, in a
// session: the same values as b fed, and as MatMul then bias and Relu.
TEST(FusedMatMulOpTest, PackedConstantGivesTheFedProduct) {
  const int64_t k = 70, n = 45;
  const Tensor w = Random({k, n}, 11), bias = Random({n}, 12);
  GraphBuilder g;
  Output x = g.Placeholder(DataType::kFloat32, PartialShape{-1, k}, "x");
  Output fed = g.Placeholder(DataType::kFloat32, w.shape(), "w_fed");
  ops::FusedMatMul(x, g.Const(w, "w"), g.Const(bias, "bias"), "Relu", {}, "y_const");
  ops::FusedMatMul(x, fed, g.Const(bias, "bias2"), "Relu", {}, "y_fed");
  ASSERT_TRUE(g.status().ok()) << g.status();
  auto session = Session::Create(*g.Build());
  ASSERT_TRUE(session.ok()) << session.status();
  for (int64_t m : {1, 16, 64}) {
    const Tensor a = Random(TensorShape{m, k}, static_cast<uint32_t>(m));
    auto out = (*session)->Run({{"x", a}, {"w_fed", w}}, {"y_const", "y_fed"});
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectTensorNear((*out)[0], Reference(a, w, bias, false, false, true), 1e-4, 1e-4);
    ExpectTensorNear((*out)[0], (*out)[1], 1e-6, 1e-6);
  }
}

TEST(FusedMatMulOpTest, EmptyInnerDimensionGivesTheBias) {
  Tensor bias = T_<float>({-1, 2, 0.5f}, {3});
  auto none = RunKernel("FusedMatMul", {Tensor(DataType::kFloat32, {2, 0}),
                                        Tensor(DataType::kFloat32, {0, 3}), bias},
                        Attrs(false, false, "None"));
  ASSERT_TRUE(none.ok()) << none.status();
  ExpectTensorNear((*none)[0], T_<float>({-1, 2, 0.5f, -1, 2, 0.5f}, {2, 3}), 0, 0);
  auto relu = RunKernel("FusedMatMul", {Tensor(DataType::kFloat32, {2, 0}),
                                        Tensor(DataType::kFloat32, {0, 3}), bias},
                        Attrs(false, false, "Relu"));
  ASSERT_TRUE(relu.ok()) << relu.status();
  ExpectTensorNear((*relu)[0], T_<float>({0, 2, 0.5f, 0, 2, 0.5f}, {2, 3}), 0, 0);
  auto rows = RunKernel("FusedMatMul", {Tensor(DataType::kFloat32, {0, 4}), Random({4, 3}, 1),
                                        bias},
                        Attrs(false, false, "Relu"));
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ((*rows)[0].shape(), (TensorShape{0, 3}));
}

// The kernel's own checks (shapes unknown to the graph): a bias that is not
// [n], an activation it does not know.
TEST(FusedMatMulOpTest, KernelRefusesBadBiasAndActivation) {
  const Tensor a = Random({2, 3}, 1), b = Random({3, 4}, 2);
  auto bias = RunKernelUnshaped("FusedMatMul", {a, b, Random({5}, 3)},
                                Attrs(false, false, "Relu"));
  ASSERT_EQ(bias.status().code(), absl::StatusCode::kInvalidArgument) << bias.status();
  EXPECT_THAT(bias.status().message(), HasSubstr("float32[5]"));
  EXPECT_THAT(bias.status().message(), HasSubstr("4 columns"));
  auto matrix = RunKernelUnshaped("FusedMatMul", {a, b, Random({1, 4}, 3)},
                                  Attrs(false, false, "None"));
  EXPECT_THAT(matrix.status().message(), HasSubstr("float32[1,4]"));
  auto activation = RunKernelUnshaped("FusedMatMul", {a, b, Random({4}, 3)},
                                      Attrs(false, false, "Tanh"));
  EXPECT_THAT(activation.status().message(), HasSubstr("use \"None\" or \"Relu\""));
  auto inner = RunKernelUnshaped("FusedMatMul", {a, Random({4, 4}, 2), Random({4}, 3)},
                                 Attrs(false, false, "None"));
  EXPECT_THAT(inner.status().message(), HasSubstr("3 vs 4"));
}

// The shape function's errors name the node.
TEST(FusedMatMulOpTest, ShapeFunctionErrorsNameTheNode) {
  {
    GraphBuilder g;
    ops::FusedMatMul(g.Const(Random({2, 3}, 1)), g.Const(Random({3, 4}, 2)),
                     g.Const(Random({5}, 3)), "Relu", {}, "wrong_bias");
    EXPECT_THAT(g.status().message(), HasSubstr("wrong_bias"));
    EXPECT_THAT(g.status().message(), HasSubstr("product's columns (4)"));
  }
  {
    GraphBuilder g;
    ops::FusedMatMul(g.Const(Random({2, 3}, 1)), g.Const(Random({3, 4}, 2)),
                     g.Const(Random({4}, 3)), "Gelu", {}, "odd_activation");
    EXPECT_THAT(g.status().message(), HasSubstr("odd_activation"));
    EXPECT_THAT(g.status().message(), HasSubstr("\"Gelu\" is not supported"));
  }
  {
    GraphBuilder g;
    ops::FusedMatMul(g.Const(Random({2, 3}, 1)), g.Const(Random({4, 3}, 2)),
                     g.Const(Random({4}, 3)), "None", {.transpose_b = false}, "inner");
    EXPECT_THAT(g.status().message(), HasSubstr("inner"));
    EXPECT_THAT(g.status().message(), HasSubstr("inner dimensions differ"));
  }
  {
    // transpose_b: the bias matches b's rows.
    GraphBuilder g;
    Output y = ops::FusedMatMul(g.Const(Random({2, 3}, 1)), g.Const(Random({4, 3}, 2)),
                                g.Const(Random({4}, 3)), "Relu", {.transpose_b = true}, "ok");
    ASSERT_TRUE(g.status().ok()) << g.status();
    EXPECT_EQ(y.shape().DebugString(), PartialShape({2, 4}).DebugString());
  }
}

}  // namespace
}  // namespace graphrt
