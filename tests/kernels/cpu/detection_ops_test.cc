// Tests for kernels/cpu/detection_ops.cc (NonMaxSuppression, ONNX
// semantics): the ONNX docs' six-box example worked by hand (IoU of the
// shifted unit boxes is 0.9 / 1.1 = 0.82 > 0.5, of the far ones 0), the same
// boxes flipped and in center format, a score threshold, the per-class
// limit, two batches and classes, and errors for bad shapes.
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

const std::vector<float> kBoxes = {0, 0,    1, 1,    0, 0.1f,  1, 1.1f,  0, -0.1f, 1, 0.9f,
                                   0, 10,   1, 11,   0, 10.1f, 1, 11.1f, 0, 100,   1, 101};
const std::vector<float> kScores = {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f};

Tensor Nms(const Tensor& boxes, const Tensor& scores, int64_t max_out, float iou, float score,
           int64_t center = 0) {
  auto out = RunKernel("NonMaxSuppression",
                       {boxes, scores, Tensor::Scalar<int64_t>(max_out), Tensor::Scalar<float>(iou),
                        Tensor::Scalar<float>(score)},
                       {{"center_point_box", center}});
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? (*out)[0] : Tensor();
}

TEST(NmsOpTest, OnnxDocExampleByHand) {
  // By score: 3 (0.95) kept, 0 (0.9) kept, 1 and 2 overlap 0 by > 0.5,
  // 4 overlaps 3, 5 kept: [3, 0, 5].
  const Tensor boxes = T_<float>(kBoxes, {1, 6, 4}), scores = T_<float>(kScores, {1, 1, 6});
  ExpectTensorEq(Nms(boxes, scores, 3, 0.5f, 0.0f),
                 T_<int64_t>({0, 0, 3, 0, 0, 0, 0, 0, 5}, {3, 3}));
  // A limit of 2 per class; a score threshold of 0.4 drops box 5 (0.3).
  ExpectTensorEq(Nms(boxes, scores, 2, 0.5f, 0.0f), T_<int64_t>({0, 0, 3, 0, 0, 0}, {2, 3}));
  ExpectTensorEq(Nms(boxes, scores, 10, 0.5f, 0.4f), T_<int64_t>({0, 0, 3, 0, 0, 0}, {2, 3}));
  // An IoU threshold of 0.9 keeps the shifted boxes too (0.82 <= 0.9).
  EXPECT_EQ(Nms(boxes, scores, 10, 0.9f, 0.0f).shape(), (TensorShape{6, 3}));
  // No output boxes asked for.
  EXPECT_EQ(Nms(boxes, scores, 0, 0.5f, 0.0f).shape(), (TensorShape{0, 3}));
}

TEST(NmsOpTest, FlippedCornersAndCenterFormatAgree) {
  std::vector<float> flipped = kBoxes, center = kBoxes;
  for (size_t i = 0; i < kBoxes.size(); i += 4) {
    std::swap(flipped[i], flipped[i + 2]);  // y2, x1, y1, x2
    const float y1 = kBoxes[i], x1 = kBoxes[i + 1], y2 = kBoxes[i + 2], x2 = kBoxes[i + 3];
    center[i] = (x1 + x2) / 2, center[i + 1] = (y1 + y2) / 2;
    center[i + 2] = x2 - x1, center[i + 3] = y2 - y1;
  }
  const Tensor scores = T_<float>(kScores, {1, 1, 6});
  const Tensor want = T_<int64_t>({0, 0, 3, 0, 0, 0, 0, 0, 5}, {3, 3});
  ExpectTensorEq(Nms(T_<float>(flipped, {1, 6, 4}), scores, 3, 0.5f, 0.0f), want);
  ExpectTensorEq(Nms(T_<float>(center, {1, 6, 4}), scores, 3, 0.5f, 0.0f, 1), want);
}

TEST(NmsOpTest, BatchesThenClassesInOrder) {
  std::vector<float> boxes2 = kBoxes;
  boxes2.insert(boxes2.end(), kBoxes.begin(), kBoxes.end());
  std::vector<float> scores2;  // batch 0: classes A, B; batch 1: the same
  for (int k = 0; k < 2; ++k) {
    scores2.insert(scores2.end(), kScores.begin(), kScores.end());
    scores2.insert(scores2.end(), {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f});
  }
  // Class B by score: 5, 4, 3 (overlaps 4), 2, 1 (overlaps 2), 0: limit 2 -> [5, 4].
  ExpectTensorEq(Nms(T_<float>(boxes2, {2, 6, 4}), T_<float>(scores2, {2, 2, 6}), 2, 0.5f, 0.0f),
                 T_<int64_t>({0, 0, 3, 0, 0, 0, 0, 1, 5, 0, 1, 4,
                              1, 0, 3, 1, 0, 0, 1, 1, 5, 1, 1, 4}, {8, 3}));
}

TEST(NmsOpTest, RejectsBadShapes) {
  auto out = RunKernelUnshaped(
      "NonMaxSuppression",
      {T_<float>({0, 0, 1, 1}, {1, 1, 4}), T_<float>({1, 1}, {1, 1, 2}),
       Tensor::Scalar<int64_t>(1), Tensor::Scalar<float>(0.5f), Tensor::Scalar<float>(0.0f)},
      {{"center_point_box", int64_t{0}}});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("needs boxes [B, N, 4] and scores [B, C, N]"));
}

}  // namespace
}  // namespace graphrt
