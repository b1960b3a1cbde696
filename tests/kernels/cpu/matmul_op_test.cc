// Tests for kernels/cpu/matmul_op.h: hand-checked products, every transpose
// combination against a double-precision triple loop, a product large enough
// for ParallelFor to split (1 and 2 threads agree), empty dims, errors, and
// the cost estimate; every GEMM ISA path the CPU supports (kernels/cpu/gemm.h).
#include <memory>
#include <random>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/executor/kernel_registry.h"
#include "core/executor/resource_mgr.h"
#include "core/executor/session.h"
#include "core/graph/builder.h"
#include "core/graph/graph.h"
#include "core/graph/ops/math_ops.h"
#include "core/base/status_macros.h"
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

// op(a) x op(b) by a triple loop in double precision.
Tensor ReferenceMatMul(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  const int64_t m = a.dim(ta ? 1 : 0), k = a.dim(ta ? 0 : 1), n = b.dim(tb ? 0 : 1);
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  Tensor c(DataType::kFloat32, TensorShape{m, n});
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t p = 0; p < k; ++p) {
        sum += double{ta ? pa[p * m + i] : pa[i * k + p]} * (tb ? pb[j * k + p] : pb[p * n + j]);
      }
      c.data<float>()[i * n + j] = static_cast<float>(sum);
    }
  }
  return c;
}

TEST(MatMulOpTest, SmallProductByHand) {
  Tensor a = T_<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = T_<float>({7, 8, 9, 10, 11, 12}, {3, 2});
  auto out = RunKernel("MatMul", {a, b});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorNear((*out)[0], T_<float>({58, 64, 139, 154}, {2, 2}));
}

TEST(MatMulOpTest, TransposedSmallProductByHand) {
  // a^T = [[1, 2, 3], [4, 5, 6]] and b^T = [[7, 8], [9, 10], [11, 12]] as above.
  Tensor a = T_<float>({1, 4, 2, 5, 3, 6}, {3, 2});
  Tensor b = T_<float>({7, 9, 11, 8, 10, 12}, {2, 3});
  auto out = RunKernel("MatMul", {a, b}, {{"transpose_a", true}, {"transpose_b", true}});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorNear((*out)[0], T_<float>({58, 64, 139, 154}, {2, 2}));
}

TEST(MatMulOpTest, AllTransposeCombinationsMatchDoubleReference) {
  const int64_t m = 37, k = 53, n = 29;
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      SCOPED_TRACE(absl::StrCat("transpose_a=", ta, " transpose_b=", tb));
      Tensor a = Random(ta ? TensorShape{k, m} : TensorShape{m, k}, 1);
      Tensor b = Random(tb ? TensorShape{n, k} : TensorShape{k, n}, 2);
      auto out = RunKernel("MatMul", {a, b}, {{"transpose_a", ta}, {"transpose_b", tb}});
      ASSERT_TRUE(out.ok()) << out.status();
      ExpectTensorNear((*out)[0], ReferenceMatMul(a, b, ta, tb), 1e-5, 1e-4);
    }
  }
}

// Shapes around the small-batch AVX2 kernel's edges (kernels/cpu/gemm_avx2.h):
// row tiles of 6, column panels of 16, k blocks of 256; both layouts of A.
TEST(MatMulOpTest, SmallBatchShapesMatchDoubleReference) {
  uint32_t seed = 100;
  for (int64_t m : {1, 5, 6, 7, 13, 32}) {
    for (int64_t n : {16, 17, 31, 100}) {
      for (int64_t k : {1, 255, 256, 257, 784}) {
        for (bool ta : {false, true}) {
          SCOPED_TRACE(absl::StrCat(m, "x", k, "x", n, " transpose_a=", ta));
          Tensor a = Random(ta ? TensorShape{k, m} : TensorShape{m, k}, seed++);
          Tensor b = Random({k, n}, seed++);
          for (int threads : {1, 2}) {
            testing::KernelRunOptions options;
            options.intra_threads = threads;
            auto out = RunKernel("MatMul", {a, b}, {{"transpose_a", ta}}, options);
            ASSERT_TRUE(out.ok()) << out.status();
            ExpectTensorNear((*out)[0], ReferenceMatMul(a, b, ta, false), 1e-4, 1e-4);
          }
        }
      }
    }
  }
}

// The op on every GEMM path this CPU supports (kernels/cpu/gemm.h), each
// transpose combination, split by rows (many rows) and by column panels
// (thin), 1 and 2 threads.
TEST(MatMulOpTest, EveryGemmPathMatchesDoubleReference) {
  const CpuIsa default_isa = GemmIsa();
  uint32_t seed = 500;
  for (CpuIsa isa : {CpuIsa::kAvx512, CpuIsa::kAvx2, CpuIsa::kGeneric}) {
    if (!SetGemmIsa(isa).ok()) continue;
    for (const auto& [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{37, 53, 29},
                                  {32, 784, 100}, {300, 70, 10}, {8, 40, 200}}) {
      for (int flags = 0; flags < 4; ++flags) {
        const bool ta = flags & 1, tb = flags & 2;
        SCOPED_TRACE(absl::StrCat(CpuIsaName(isa), " ", m, "x", k, "x", n, " ta=", ta,
                                  " tb=", tb));
        Tensor a = Random(ta ? TensorShape{k, m} : TensorShape{m, k}, seed++);
        Tensor b = Random(tb ? TensorShape{n, k} : TensorShape{k, n}, seed++);
        for (int threads : {1, 2}) {
          testing::KernelRunOptions options;
          options.intra_threads = threads;
          auto out = RunKernel("MatMul", {a, b}, {{"transpose_a", ta}, {"transpose_b", tb}},
                               options);
          ASSERT_TRUE(out.ok()) << out.status();
          ExpectTensorNear((*out)[0], ReferenceMatMul(a, b, ta, tb), 1e-4, 1e-4);
        }
      }
    }
  }
  ASSERT_TRUE(SetGemmIsa(default_isa).ok());
}

TEST(MatMulOpTest, LargeProductSplitsAndThreadCountsAgree) {
  Tensor a = Random({256, 512}, 3);
  Tensor b = Random({512, 128}, 4);
  const Tensor expected = ReferenceMatMul(a, b, false, false);
  std::vector<Tensor> results;
  for (int threads : {1, 2}) {
    testing::KernelRunOptions options;
    options.intra_threads = threads;
    auto out = RunKernel("MatMul", {a, b}, {}, options);
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectTensorNear((*out)[0], expected, 1e-4, 1e-4);
    results.push_back((*out)[0]);
  }
  ExpectTensorNear(results[0], results[1], 1e-5, 1e-5);
}

TEST(MatMulOpTest, TransposedLargeProductMatchesReference) {
  Tensor a = Random({300, 70}, 5);  // transposed: m = 70
  Tensor b = Random({90, 300}, 6);  // transposed: n = 90
  auto out = RunKernel("MatMul", {a, b}, {{"transpose_a", true}, {"transpose_b", true}});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorNear((*out)[0], ReferenceMatMul(a, b, true, true), 1e-4, 1e-4);
}

TEST(MatMulOpTest, EmptyDims) {
  auto rows = RunKernel("MatMul", {Tensor(DataType::kFloat32, {0, 3}), Random({3, 4}, 7)});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ((*rows)[0].shape(), (TensorShape{0, 4}));
  auto cols = RunKernel("MatMul", {Random({2, 3}, 8), Tensor(DataType::kFloat32, {3, 0})});
  ASSERT_TRUE(cols.ok()) << cols.status();
  EXPECT_EQ((*cols)[0].shape(), (TensorShape{2, 0}));
  // k == 0: a sum of nothing, so zeros.
  auto inner = RunKernel("MatMul", {Tensor(DataType::kFloat32, {2, 0}),
                                    Tensor(DataType::kFloat32, {0, 3})});
  ASSERT_TRUE(inner.ok()) << inner.status();
  ExpectTensorNear((*inner)[0], T_<float>({0, 0, 0, 0, 0, 0}, {2, 3}), 0, 0);
}

TEST(MatMulOpTest, InnerDimensionMismatchNamesBothShapes) {
  auto out = RunKernelUnshaped("MatMul", {Random({2, 3}, 9), Random({4, 5}, 10)}, {});
  ASSERT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  EXPECT_THAT(out.status().message(), HasSubstr("float32[2,3]"));
  EXPECT_THAT(out.status().message(), HasSubstr("float32[4,5]"));
  EXPECT_THAT(out.status().message(), HasSubstr("3 vs 4"));
  // transpose_b makes b's inner dimension 5.
  auto t = RunKernelUnshaped("MatMul", {Random({2, 4}, 9), Random({4, 5}, 10)},
                             {{"transpose_b", true}});
  ASSERT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << t.status();
  EXPECT_THAT(t.status().message(), HasSubstr("(transposed)"));
}

TEST(MatMulOpTest, NonMatrixInputsAreRejected) {
  auto out = RunKernelUnshaped("MatMul", {Random({2, 3, 4}, 11), Random({4, 5}, 12)}, {});
  ASSERT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  EXPECT_THAT(out.status().message(), HasSubstr("float32[2,3,4]"));
  EXPECT_THAT(out.status().message(), HasSubstr("float32[4,5]"));
  auto vec = RunKernelUnshaped("MatMul", {Random({3}, 13), Random({3, 2}, 14)}, {});
  EXPECT_EQ(vec.status().code(), absl::StatusCode::kInvalidArgument) << vec.status();
}

TEST(MatMulOpTest, CostEstimateCountsFlops) {
  Graph graph;
  for (const char* name : {"a", "b"}) {
    ASSERT_TRUE(graph.AddNode({name, "Placeholder", {}, "", {{"dtype", DataType::kFloat32}}})
                    .ok());
  }
  auto node = graph.AddNode({"mm", "MatMul", {"a", "b"}, "", {{"transpose_b", true}}});
  ASSERT_TRUE(node.ok()) << node.status();
  OpKernelConstruction c(**node, kDeviceCpu, nullptr, HostAllocator());
  auto kernel = KernelRegistry::Global().CreateKernel(c);
  ASSERT_TRUE(kernel.ok()) << kernel.status();
  Tensor a(DataType::kFloat32, {32, 784});
  Tensor b(DataType::kFloat32, {100, 784});  // transposed: [784, 100]
  const Tensor* inputs[] = {&a, &b};
  EXPECT_EQ((*kernel)->CostEstimateNs(inputs), 2 * 32 * 784 * 100 / 50);
}

// A Const b (an ONNX initializer, a frozen weight) is packed once when the
// kernel is made (OpKernelConstruction::ConstantInput, PackGemmB): the
// session's products equal the reference and the same product with b fed,
// step after step, for both layouts of b and a batch with a short row tile.
TEST(MatMulConstantWeightTest, PackedConstantGivesTheFedProduct) {
  for (bool tb : {false, true}) {
    SCOPED_TRACE(absl::StrCat("transpose_b=", tb));
    const int64_t k = 70, n = 45;
    const Tensor w = Random(tb ? TensorShape{n, k} : TensorShape{k, n}, 11);
    GraphBuilder g;
    Output x = g.Placeholder(DataType::kFloat32, PartialShape{-1, k}, "x");
    Output fed = g.Placeholder(DataType::kFloat32, w.shape(), "w_fed");
    ops::MatMul(x, g.Const(w, "w"), {.transpose_b = tb}, "y_const");
    ops::MatMul(x, fed, {.transpose_b = tb}, "y_fed");
    ASSERT_TRUE(g.status().ok()) << g.status();
    auto session = Session::Create(*g.Build());
    ASSERT_TRUE(session.ok()) << session.status();
    for (int64_t m : {1, 16, 64}) {
      const Tensor a = Random(TensorShape{m, k}, static_cast<uint32_t>(m));
      auto out = (*session)->Run({{"x", a}, {"w_fed", w}}, {"y_const", "y_fed"});
      ASSERT_TRUE(out.ok()) << out.status();
      ExpectTensorNear((*out)[0], ReferenceMatMul(a, w, false, tb), 1e-4, 1e-4);
      ExpectTensorNear((*out)[0], (*out)[1], 1e-6, 1e-6);
    }
  }
}

}  // namespace
}  // namespace graphrt
