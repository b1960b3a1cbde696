// Tests for kernels/cpu/xent_op.h (SparseSoftmaxCrossEntropyWithLogits): a
// row by hand, random inputs with int32 and int64 labels against a double
// loop, backprop against central differences of the loss (of a float64
// reference and of the kernel's own loss), huge logits, threads, empty
// batches, and each error.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

constexpr char kOp[] = "SparseSoftmaxCrossEntropyWithLogits";

Tensor Random(const TensorShape& shape, uint32_t seed, float scale = 3.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  Tensor t(DataType::kFloat32, shape);
  for (float& v : t.flat<float>()) v = dist(gen);
  return t;
}

template <typename Label>
Tensor RandomLabels(int64_t batch, int64_t classes, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int64_t> dist(0, classes - 1);
  Tensor t(DataTypeOf<Label>(), {batch});
  for (Label& v : t.flat<Label>()) v = static_cast<Label>(dist(gen));
  return t;
}

// loss of one row, in double.
double RowLoss(const double* x, int64_t classes, int64_t label) {
  double max = x[0], sum = 0;
  for (int64_t c = 0; c < classes; ++c) max = std::max(max, x[c]);
  for (int64_t c = 0; c < classes; ++c) sum += std::exp(x[c] - max);
  return std::log(sum) + max - x[label];
}

int64_t LabelAt(const Tensor& labels, int64_t b) {
  return labels.dtype() == DataType::kInt32 ? labels.data<int32_t>()[b]
                                            : labels.data<int64_t>()[b];
}

// {loss, backprop} in double, the backprop by its closed form.
std::vector<Tensor> Reference(const Tensor& features, const Tensor& labels) {
  const int64_t batch = features.dim(0), classes = features.dim(1);
  Tensor loss(DataType::kFloat32, {batch});
  Tensor grad(DataType::kFloat32, features.shape());
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<double> x(features.data<float>() + b * classes,
                          features.data<float>() + (b + 1) * classes);
    const int64_t y = LabelAt(labels, b);
    const double l = RowLoss(x.data(), classes, y);
    loss.data<float>()[b] = static_cast<float>(l);
    for (int64_t c = 0; c < classes; ++c) {
      grad.data<float>()[b * classes + c] =
          static_cast<float>(std::exp(x[c] - l - x[y]) - (c == y ? 1.0 : 0.0));
    }
  }
  return {loss, grad};
}

TEST(XentOpTest, RowByHand) {
  auto out = RunKernel(kOp, {T_<float>({1, 2, 3}, {1, 3}), T_<int32_t>({2}, {1})});
  ASSERT_TRUE(out.ok()) << out.status();
  const double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  ExpectTensorNear((*out)[0], T_<float>({float(std::log(s) - 3)}, {1}));
  ExpectTensorNear((*out)[1], T_<float>({float(std::exp(1.0) / s), float(std::exp(2.0) / s),
                                         float(std::exp(3.0) / s - 1)}, {1, 3}));
}

TEST(XentOpTest, RandomInputsMatchDoubleReference) {
  Tensor features = Random({37, 11}, 1);
  for (Tensor labels : {RandomLabels<int32_t>(37, 11, 2), RandomLabels<int64_t>(37, 11, 3)}) {
    SCOPED_TRACE(labels.ShapeString());
    auto out = RunKernel(kOp, {features, labels});
    ASSERT_TRUE(out.ok()) << out.status();
    const std::vector<Tensor> expected = Reference(features, labels);
    ExpectTensorNear((*out)[0], expected[0], 1e-6, 1e-5);
    ExpectTensorNear((*out)[1], expected[1], 1e-6, 1e-5);
  }
}

TEST(XentOpTest, BackpropIsTheGradientOfTheLoss) {
  const int64_t batch = 3, classes = 5;
  Tensor features = Random({batch, classes}, 4);
  Tensor labels = RandomLabels<int64_t>(batch, classes, 5);
  auto out = RunKernel(kOp, {features, labels});
  ASSERT_TRUE(out.ok()) << out.status();
  const float* grad = (*out)[1].data<float>();
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t c = 0; c < classes; ++c) {
      SCOPED_TRACE(absl::StrCat("batch ", b, " class ", c));
      // Central differences of a float64 loss: accurate to ~1e-10.
      std::vector<double> x(features.data<float>() + b * classes,
                            features.data<float>() + (b + 1) * classes);
      const double h = 1e-5;
      x[c] += h;
      const double up = RowLoss(x.data(), classes, LabelAt(labels, b));
      x[c] -= 2 * h;
      const double down = RowLoss(x.data(), classes, LabelAt(labels, b));
      EXPECT_NEAR(grad[b * classes + c], (up - down) / (2 * h), 1e-5);
      // Central differences of the kernel's own float32 loss: coarser.
      const float hf = 1e-2f;
      float losses[2];
      for (int side = 0; side < 2; ++side) {
        auto moved = features.Clone();
        ASSERT_TRUE(moved.ok());
        moved->data<float>()[b * classes + c] += side == 0 ? hf : -hf;
        auto run = RunKernel(kOp, {*moved, labels});
        ASSERT_TRUE(run.ok()) << run.status();
        losses[side] = (*run)[0].data<float>()[b];
      }
      EXPECT_NEAR(grad[b * classes + c], (losses[0] - losses[1]) / (2 * hf), 2e-3);
    }
  }
}

TEST(XentOpTest, HugeLogitsStayFinite) {
  Tensor features = T_<float>({1000, 1001, 1002, -1000, 0, 1000}, {2, 3});
  Tensor labels = T_<int32_t>({0, 1}, {2});
  auto out = RunKernel(kOp, {features, labels});
  ASSERT_TRUE(out.ok()) << out.status();
  const std::vector<Tensor> expected = Reference(features, labels);
  ExpectTensorNear((*out)[0], expected[0], 1e-5, 1e-6);
  ExpectTensorNear((*out)[1], expected[1], 1e-6, 1e-5);
}

TEST(XentOpTest, ThreadCountsAgree) {
  Tensor features = Random({512, 1000}, 6);
  Tensor labels = RandomLabels<int32_t>(512, 1000, 7);
  const std::vector<Tensor> expected = Reference(features, labels);
  std::vector<std::vector<Tensor>> results;
  for (int threads : {1, 2}) {
    testing::KernelRunOptions options;
    options.intra_threads = threads;
    auto out = RunKernel(kOp, {features, labels}, {}, options);
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectTensorNear((*out)[0], expected[0], 1e-6, 1e-5);
    ExpectTensorNear((*out)[1], expected[1], 1e-6, 1e-5);
    results.push_back(*out);
  }
  ExpectTensorNear(results[0][0], results[1][0], 0, 0);
  ExpectTensorNear(results[0][1], results[1][1], 0, 0);
}

TEST(XentOpTest, EmptyBatch) {
  auto out = RunKernel(kOp, {Tensor(DataType::kFloat32, {0, 4}), Tensor(DataType::kInt32, {0})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (TensorShape{0}));
  EXPECT_EQ((*out)[1].shape(), (TensorShape{0, 4}));
}

TEST(XentOpTest, LabelOutOfRangeNamesBatchIndexLabelAndClasses) {
  for (Tensor labels : {T_<int32_t>({0, 5, 1}, {3}), T_<int64_t>({0, -1, 1}, {3})}) {
    auto out = RunKernel(kOp, {Random({3, 5}, 8), labels});
    ASSERT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
    const int64_t bad = LabelAt(labels, 1);
    EXPECT_THAT(out.status().message(), HasSubstr(absl::StrCat("label ", bad)));
    EXPECT_THAT(out.status().message(), HasSubstr("batch index 1"));
    EXPECT_THAT(out.status().message(), HasSubstr("[0, 5)"));
  }
  // No classes at all: every label is out of range.
  auto none = RunKernel(kOp, {Tensor(DataType::kFloat32, {1, 0}), T_<int32_t>({0}, {1})});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument) << none.status();
}

TEST(XentOpTest, ShapeErrorsNameBothShapes) {
  auto rank = RunKernelUnshaped(kOp, {Random({2, 3, 4}, 9), T_<int32_t>({0, 1}, {2})}, {});
  ASSERT_EQ(rank.status().code(), absl::StatusCode::kInvalidArgument) << rank.status();
  EXPECT_THAT(rank.status().message(), HasSubstr("float32[2,3,4]"));
  auto batch = RunKernelUnshaped(kOp, {Random({2, 3}, 9), T_<int32_t>({0, 1, 2}, {3})}, {});
  ASSERT_EQ(batch.status().code(), absl::StatusCode::kInvalidArgument) << batch.status();
  EXPECT_THAT(batch.status().message(), HasSubstr("float32[2,3]"));
  EXPECT_THAT(batch.status().message(), HasSubstr("int32[3]"));
  auto labels = RunKernelUnshaped(kOp, {Random({2, 3}, 9), T_<int32_t>({0, 1}, {1, 2})}, {});
  EXPECT_EQ(labels.status().code(), absl::StatusCode::kInvalidArgument) << labels.status();
}

}  // namespace
}  // namespace graphrt
