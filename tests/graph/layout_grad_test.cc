// Tests for core/graph/ops/layout_grad.cc and the Sqrt/Rsqrt/Square
// gradients of core/graph/ops/math_grad.cc: every gradient against central
// finite differences (tests/graph/gradient_checker.h; norm-wise relative
// error <= 1e-3 in float32), with unknown batch dims where the op allows,
// and a small CNN-style chain (ZeroPadding, Transpose, Concatenate, Squeeze).
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/graph/gradients.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/layout_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/graph/gradient_checker.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectGradientsMatch;
using ::graphrt::testing::GradientErrors;
using ::graphrt::testing::GradientFn;
using ::graphrt::testing::GradientInput;
using ::graphrt::testing::RandomFloats;
using ::testing::HasSubstr;

GradientInput In(const TensorShape& shape, uint32_t seed, PartialShape placeholder = {},
                 float lo = -1.0f, float hi = 1.0f) {
  return {RandomFloats(shape, lo, hi, seed), placeholder};
}

TEST(LayoutGradTest, Pad) {
  ExpectGradientsMatch(
      [](GraphBuilder&, std::vector<Output>& x) { return ops::Pad(x[0], {1, 0, 0, 2, 1, 1}); },
      {In({2, 3, 4}, 1)});
  // Unknown batch: the gradient's box takes its shape from x at run time.
  ExpectGradientsMatch(
      [](GraphBuilder&, std::vector<Output>& x) { return ops::Pad(x[0], {0, 0, 2, 1}); },
      {In({3, 4}, 2, PartialShape{-1, 4})});
}

TEST(LayoutGradTest, PadV2ReachesTheConstant) {
  ExpectGradientsMatch(
      [](GraphBuilder&, std::vector<Output>& x) {
        return ops::PadV2(x[0], {1, 1, 0, 3}, x[1]);
      },
      {In({2, 3}, 3), In({}, 4)});
}

TEST(LayoutGradTest, ConcatV2OnEveryAxis) {
  for (int64_t axis : {0, 1, -1, -2}) {
    SCOPED_TRACE(absl::StrCat("axis ", axis));
    ExpectGradientsMatch(
        [axis](GraphBuilder&, std::vector<Output>& x) {
          return ops::ConcatV2(std::vector<Output>{x[0], x[1], x[2]}, axis);
        },
        {In({2, 3}, 5), In({2, 3}, 6), In({2, 3}, 7)});
  }
  // Pieces of different widths along an unknown-batch axis 1, one used twice.
  ExpectGradientsMatch(
      [](GraphBuilder&, std::vector<Output>& x) {
        return ops::ConcatV2(std::vector<Output>{x[0], x[1], x[0]}, 1);
      },
      {In({3, 2}, 8, PartialShape{-1, 2}), In({3, 5}, 9, PartialShape{-1, 5})});
}

TEST(LayoutGradTest, SplitLikeWithUnusedPieces) {
  ExpectGradientsMatch(
      [](GraphBuilder& b, std::vector<Output>& x) {
        Output likes[] = {b.Const(Tensor(DataType::kFloat32, {4, 1})),
                          b.Const(Tensor(DataType::kFloat32, {4, 3})),
                          b.Const(Tensor(DataType::kFloat32, {4, 2}))};
        std::vector<Output> pieces = ops::SplitLike(x[0], likes, -1);
        return pieces[1] * 3.0f;  // pieces 0 and 2 get zeros
      },
      {In({4, 6}, 10)});
}

TEST(LayoutGradTest, SliceLike) {
  ExpectGradientsMatch(
      [](GraphBuilder& b, std::vector<Output>& x) {
        return ops::SliceLike(x[0], b.Const(Tensor(DataType::kFloat32, {2, 3})), {1, 2});
      },
      {In({5, 6}, 11)});
}

TEST(LayoutGradTest, TransposeRanksTwoToFour) {
  const std::vector<std::pair<TensorShape, std::vector<int64_t>>> cases = {
      {{3, 4}, {1, 0}}, {{2, 3, 4}, {2, 0, 1}}, {{2, 3, 1, 4}, {0, 3, 1, 2}}};
  uint32_t seed = 20;
  for (const auto& [shape, perm] : cases) {
    SCOPED_TRACE(shape.DebugString());
    ExpectGradientsMatch(
        [perm](GraphBuilder&, std::vector<Output>& x) { return ops::Transpose(x[0], perm); },
        {In(shape, seed++)});
  }
}

TEST(LayoutGradTest, Squeeze) {
  for (const std::vector<int64_t>& dims : std::vector<std::vector<int64_t>>{{}, {1}, {-1, 1}}) {
    ExpectGradientsMatch(
        [dims](GraphBuilder&, std::vector<Output>& x) { return ops::Squeeze(x[0], dims); },
        {In({3, 1, 4, 1}, 30)});
  }
  // Unknown batch: listed dims only (the output rank is then known).
  ExpectGradientsMatch(
      [](GraphBuilder&, std::vector<Output>& x) { return ops::Squeeze(x[0], {2}); },
      {In({3, 4, 1}, 31, PartialShape{-1, 4, 1})});
}

TEST(LayoutGradTest, SqrtRsqrtSquare) {
  ExpectGradientsMatch([](GraphBuilder&, std::vector<Output>& x) { return ops::Sqrt(x[0]); },
                       {In({3, 4}, 40, {}, 0.5f, 2.0f)});
  ExpectGradientsMatch([](GraphBuilder&, std::vector<Output>& x) { return ops::Rsqrt(x[0]); },
                       {In({3, 4}, 41, {}, 0.5f, 2.0f)});
  ExpectGradientsMatch([](GraphBuilder&, std::vector<Output>& x) { return ops::Square(x[0]); },
                       {In({3, 4}, 42)});
}

TEST(LayoutGradTest, SmallConvNetStyleChain) {
  // NHWC [2, 3, 3, 2]: ZeroPadding2D, to NCHW, concatenated with itself
  // scaled along C, back to NHWC, a size-1 dim added and squeezed away,
  // normalised by rsqrt(mean(square) + 1).
  ExpectGradientsMatch(
      [](GraphBuilder&, std::vector<Output>& x) {
        Output padded = ops::Pad(x[0], {0, 0, 1, 1, 1, 1, 0, 0});
        Output nchw = ops::Transpose(padded, {0, 3, 1, 2});
        Output both = ops::ConcatV2(std::vector<Output>{nchw, nchw * x[1]}, 1);
        Output nhwc = ops::Squeeze(ops::ExpandDims(ops::Transpose(both, {0, 2, 3, 1}), 3), {3});
        Output scale = ops::Rsqrt(ops::Mean(ops::Square(nhwc)) + 1.0f);
        return nhwc * scale;
      },
      {In({2, 3, 3, 2}, 50), In({}, 51)});
}

TEST(LayoutGradTest, SliceLikeOfAnUnknownShapeIsNamed) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, PartialShape{-1, 4}, "x");
  Output like = b.Placeholder(DataType::kFloat32, PartialShape{-1, 2}, "like");
  Output y = ops::SliceLike(x, like, {0, 1}, "cut");
  Output xs[] = {x};
  auto g = AddGradients(ops::Sum(y), xs);
  ASSERT_EQ(g.status().code(), absl::StatusCode::kUnimplemented) << g.status();
  EXPECT_THAT(g.status().message(), HasSubstr("cut"));
  EXPECT_THAT(g.status().message(), HasSubstr("known when the graph is built"));
}

}  // namespace
}  // namespace graphrt
