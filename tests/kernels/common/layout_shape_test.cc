// Tests for kernels/common/layout_shape.h: the collapsed plans (what Pad,
// SliceLike and Transpose merge or drop, checked against the shapes worked
// out by hand), the ConcatV2 / SplitLike row view, Squeeze's shape rule and
// its device-neutral kernel (the input's buffer under the new shape), and
// the messages.
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/common/layout_shape.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(LayoutShapeTest, PadOfNhwcImagesMergesChannelsIntoWidth) {
  auto p = PlanPad({2, 5, 5, 3}, std::vector<int64_t>{0, 0, 1, 1, 2, 2, 0, 0});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->output, TensorShape({2, 7, 9, 3}));
  EXPECT_THAT(p->in_dims, ElementsAre(2, 5, 15));
  EXPECT_THAT(p->out_dims, ElementsAre(2, 7, 27));
  EXPECT_THAT(p->offset, ElementsAre(0, 1, 6));
  // Zero pads everywhere: one flat row.
  p = PlanPad({3, 4}, std::vector<int64_t>{0, 0, 0, 0});
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(p->in_dims, ElementsAre(12));
  p = PlanPad({}, std::vector<int64_t>{});
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(p->out_dims, ElementsAre(1));
}

TEST(LayoutShapeTest, SliceLikeOffsetsAreNegativeBegins) {
  auto p = PlanSliceLike({6, 7, 8}, {3, 4, 8}, std::vector<int64_t>{2, 1, 0});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(p->in_dims, ElementsAre(6, 56));
  EXPECT_THAT(p->out_dims, ElementsAre(3, 32));
  EXPECT_THAT(p->offset, ElementsAre(-2, -8));
  EXPECT_THAT(PlanSliceLike({6}, {3}, std::vector<int64_t>{4}).status().message(),
              HasSubstr("does not fit"));
}

TEST(LayoutShapeTest, TransposeDropsSizeOneDimsAndMergesNeighbours) {
  auto p = PlanTranspose({4, 5, 6, 3}, std::vector<int64_t>{0, 3, 1, 2});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->output, TensorShape({4, 3, 5, 6}));
  EXPECT_THAT(p->in_dims, ElementsAre(4, 30, 3));
  EXPECT_THAT(p->perm, ElementsAre(0, 2, 1));
  p = PlanTranspose({2, 1, 3}, std::vector<int64_t>{1, 0, 2});  // only a 1 moves
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(p->in_dims, ElementsAre(6));
  p = PlanTranspose({2, 1, 3}, std::vector<int64_t>{2, 1, 0});
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(p->in_dims, ElementsAre(2, 3));
  EXPECT_THAT(p->perm, ElementsAre(1, 0));
}

TEST(LayoutShapeTest, ConcatRowsAndSplitSums) {
  std::vector<TensorShape> shapes = {{2, 3, 4}, {2, 1, 4}};
  auto p = PlanConcat(shapes, -2);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->joined, TensorShape({2, 4, 4}));
  EXPECT_EQ(p->outer, 2);
  EXPECT_EQ(p->total_width, 16);
  EXPECT_THAT(p->widths, ElementsAre(12, 4));
  EXPECT_THAT(p->starts, ElementsAre(0, 12));
  auto s = PlanSplitLike({2, 4, 4}, shapes, 1);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->pieces[1], TensorShape({2, 1, 4}));
  EXPECT_THAT(PlanConcat({}, 0).status().message(), HasSubstr("no inputs"));
}

TEST(LayoutShapeTest, SqueezeAllOrListedDims) {
  EXPECT_EQ(*SqueezedShape({1, 3, 1, 2}, {}), TensorShape({3, 2}));
  EXPECT_EQ(*SqueezedShape({1, 3, 1, 2}, std::vector<int64_t>{-2}), TensorShape({1, 3, 2}));
  EXPECT_EQ(*SqueezedShape({1, 1}, {}), TensorShape({}));
  EXPECT_THAT(SqueezedShape({1, 3}, std::vector<int64_t>{1}).status().message(),
              HasSubstr("cannot squeeze dim 1 of [1,3]: its size is 3, not 1"));
  EXPECT_THAT(SqueezedShape({1, 3}, std::vector<int64_t>{2}).status().message(),
              HasSubstr("out of range"));
}

TEST(SqueezeKernelTest, RunsAndNamesBadDims) {
  auto out = RunKernel("Squeeze", {T_<int32_t>({1, 2, 3}, {1, 3, 1})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), TensorShape({3}));
  EXPECT_THAT((*out)[0].flat<int32_t>(), ElementsAre(1, 2, 3));
  auto bad = RunKernelUnshaped("Squeeze", {T_<float>({1, 2}, {2, 1})},
                               {{"squeeze_dims", std::vector<int64_t>{0}}});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("its size is 2, not 1"));
}

}  // namespace
}  // namespace graphrt
