// Tests for kernels/cpu/shape_ops.cc and kernels/common/shape_ops.h
// (ExpandDims, BroadcastLike, Size) and the
// gradient helpers beside other families: ReduceSumLike (reduction_ops),
// BiasAddGrad (bias_add_op), ReluGrad (cwise_binary). Values by hand and
// against loops in the test, with 1 and 2 intra-op threads; shape errors.
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::KernelRunOptions;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

Tensor Random(const TensorShape& shape, uint32_t seed) {
  return testing::RandomFloats(shape, -2.0f, 2.0f, seed);
}

TEST(ExpandDimsOpTest, InsertsADimAndSharesTheBuffer) {
  Tensor x = T_<int32_t>({1, 2, 3, 4, 5, 6}, {2, 3});
  for (auto [axis, shape] : std::vector<std::pair<int64_t, TensorShape>>{
           {0, {1, 2, 3}}, {1, {2, 1, 3}}, {2, {2, 3, 1}}, {-1, {2, 3, 1}}, {-3, {1, 2, 3}}}) {
    SCOPED_TRACE(absl::StrCat("axis ", axis));
    auto out = RunKernel("ExpandDims", {x}, {{"axis", axis}});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].shape(), shape);
    EXPECT_THAT((*out)[0].flat<int32_t>(), ::testing::ElementsAre(1, 2, 3, 4, 5, 6));
  }
  auto bad = RunKernelUnshaped("ExpandDims", {x}, {{"axis", int64_t{3}}});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << bad.status();
  EXPECT_THAT(bad.status().message(), HasSubstr("axis 3"));
}

TEST(BroadcastLikeOpTest, MatchesIndexing) {
  // x [3,1] to [2,3,4]: out[i,j,k] = x[j].
  Tensor x = Random({3, 1}, 1);
  for (int threads : {1, 2}) {
    KernelRunOptions options;
    options.intra_threads = threads;
    auto out = RunKernel("BroadcastLike", {x, Tensor(DataType::kBool, {2, 3, 4})}, {}, options);
    ASSERT_TRUE(out.ok()) << out.status();
    Tensor expected(DataType::kFloat32, {2, 3, 4});
    for (int i = 0; i < 24; ++i) expected.data<float>()[i] = x.data<float>()[(i / 4) % 3];
    ExpectTensorEq((*out)[0], expected);
  }
  auto i64 = RunKernel("BroadcastLike", {T_<int64_t>({7}, {}), Tensor(DataType::kFloat32, {2})});
  ASSERT_TRUE(i64.ok()) << i64.status();
  ExpectTensorEq((*i64)[0], T_<int64_t>({7, 7}, {2}));
  auto bad = RunKernelUnshaped("BroadcastLike", {Random({3}, 2), Tensor(DataType::kFloat32, {4})},
                               {});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << bad.status();
  EXPECT_THAT(bad.status().message(), HasSubstr("[3] does not broadcast to [4]"));
}

TEST(SizeOpTest, CountsElements) {
  auto out = RunKernel("Size", {Tensor(DataType::kUint8, {3, 0, 2})},
                       {{"out_type", DataType::kInt32}});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], Tensor::Scalar<int32_t>(0));
  out = RunKernel("Size", {Random({4, 5}, 3)}, {{"out_type", DataType::kInt64}});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], Tensor::Scalar<int64_t>(20));
}

TEST(ReduceSumLikeOpTest, SumsTheBroadcastDims) {
  // [2,3,4] down to [3,1]: out[j] = sum over i, k of x[i,j,k].
  Tensor x = Random({2, 3, 4}, 4);
  Tensor expected(DataType::kFloat32, {3, 1});
  for (int j = 0; j < 3; ++j) {
    double s = 0;
    for (int i = 0; i < 2; ++i) {
      for (int k = 0; k < 4; ++k) s += x.data<float>()[i * 12 + j * 4 + k];
    }
    expected.data<float>()[j] = static_cast<float>(s);
  }
  auto out = RunKernel("ReduceSumLike", {x, Tensor(DataType::kFloat32, {3, 1})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorNear((*out)[0], expected, 1e-5, 1e-5);
  // Equal shapes pass through; a leading dim of 1 is dropped.
  auto same = RunKernel("ReduceSumLike", {x, Tensor(DataType::kInt32, {2, 3, 4})});
  ASSERT_TRUE(same.ok()) << same.status();
  ExpectTensorEq((*same)[0], x);
  auto ones = RunKernel("ReduceSumLike", {T_<int32_t>({1, 2}, {1, 2}), Tensor(DataType::kInt32, {2})});
  ASSERT_TRUE(ones.ok()) << ones.status();
  ExpectTensorEq((*ones)[0], T_<int32_t>({1, 2}, {2}));
  auto bad = RunKernelUnshaped("ReduceSumLike", {x, Tensor(DataType::kFloat32, {2, 4})}, {});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << bad.status();
  EXPECT_THAT(bad.status().message(), HasSubstr("[2,4] does not broadcast to [2,3,4]"));
}

TEST(BiasAddGradOpTest, SumsAllButTheLastAxis) {
  for (const TensorShape& shape : {TensorShape{5, 3}, TensorShape{2, 3, 7}, TensorShape{700, 130}}) {
    Tensor g = Random(shape, 5);
    const int64_t c = shape.dim(shape.rank() - 1);
    Tensor expected(DataType::kFloat32, {c});
    for (int64_t j = 0; j < c; ++j) {
      double s = 0;
      for (int64_t i = j; i < g.num_elements(); i += c) s += g.data<float>()[i];
      expected.data<float>()[j] = static_cast<float>(s);
    }
    for (int threads : {1, 2}) {
      SCOPED_TRACE(absl::StrCat(shape.DebugString(), " threads=", threads));
      KernelRunOptions options;
      options.intra_threads = threads;
      auto out = RunKernel("BiasAddGrad", {g}, {}, options);
      ASSERT_TRUE(out.ok()) << out.status();
      ExpectTensorNear((*out)[0], expected, 1e-4, 1e-5);
    }
  }
  auto bad = RunKernelUnshaped("BiasAddGrad", {Tensor::Scalar<float>(1)}, {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << bad.status();
}

TEST(ReluGradOpTest, PassesGradientsWherePositive) {
  auto out = RunKernel("ReluGrad", {T_<float>({1, 2, 3, 4}, {4}), T_<float>({-1, 0, 0.5f, 3}, {4})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<float>({0, 0, 3, 4}, {4}));
}

}  // namespace
}  // namespace graphrt
