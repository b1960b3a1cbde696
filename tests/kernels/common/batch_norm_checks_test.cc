// The batch-norm input checks the CPU and GPU kernels share
// (kernels/common/batch_norm_checks.h): what passes, and the message naming
// the input and its shape for what does not.
#include "kernels/common/batch_norm_checks.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

TEST(BatchNormChecksTest, XMustBeRank4) {
  EXPECT_TRUE(CheckBatchNormX(Tensor(DataType::kFloat32, TensorShape{2, 3, 4, 5}), "x").ok());
  const absl::Status s = CheckBatchNormX(Tensor(DataType::kFloat32, TensorShape{2, 3, 4}), "x");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("x must have rank 4 (NHWC), got float32[2,3,4]"));
}

TEST(BatchNormChecksTest, ChannelVectorMustMatchTheChannels) {
  EXPECT_TRUE(CheckChannelVector(Tensor(DataType::kFloat32, TensorShape{4}), "scale", 4).ok());
  const absl::Status wrong =
      CheckChannelVector(Tensor(DataType::kFloat32, TensorShape{3}), "scale", 4);
  EXPECT_EQ(wrong.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong.message(),
              HasSubstr("scale must be a vector of the 4 channels of x, got float32[3]"));
  EXPECT_FALSE(CheckChannelVector(Tensor(DataType::kFloat32, TensorShape{4, 1}), "scale", 4).ok());
}

TEST(BatchNormChecksTest, EmptyStatisticsOnlyWhenAllowed) {
  const Tensor empty(DataType::kFloat32, TensorShape{0});
  EXPECT_TRUE(CheckChannelVector(empty, "mean", 4, /*may_be_empty=*/true).ok());
  EXPECT_FALSE(CheckChannelVector(empty, "mean", 4).ok());
  // Allowed empty is "no elements", not "any length".
  EXPECT_FALSE(
      CheckChannelVector(Tensor(DataType::kFloat32, TensorShape{2}), "mean", 4, true).ok());
}

}  // namespace
}  // namespace graphrt
