// Tests for kernels/cpu/batch_norm_ops.h against per-channel loops in double:
// FusedBatchNormV3 in training (exponential_avg_factor 1 and 0.3, empty
// running statistics) and inference, FusedBatchNormGradV3 in both modes
// (the training formula checked against its definition), 1 and 2 threads;
// shape errors.
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::RandomFloats;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::testing::HasSubstr;

Tensor Vec(const std::vector<double>& v) {
  Tensor t(DataType::kFloat32, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.data<float>()[i] = static_cast<float>(v[i]);
  return t;
}

struct Stats {
  std::vector<double> mean, var;  // biased
};
Stats BatchStats(const Tensor& x) {
  const int64_t c = x.dim(3), rows = x.num_elements() / c;
  Stats s{std::vector<double>(c, 0), std::vector<double>(c, 0)};
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < c; ++k) s.mean[k] += x.data<float>()[r * c + k] / double(rows);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < c; ++k) {
      const double d = x.data<float>()[r * c + k] - s.mean[k];
      s.var[k] += d * d / double(rows);
    }
  return s;
}

TEST(BatchNormOpTest, TrainingMatchesLoops) {
  const TensorShape shape{4, 5, 3, 6};
  const int64_t c = 6, rows = 60;
  const Tensor x = RandomFloats(shape, -2, 3, 1);
  const Tensor scale = RandomFloats({c}, 0.5, 2, 2);
  const Tensor offset = RandomFloats({c}, -1, 1, 3);
  const Tensor run_mean = RandomFloats({c}, -1, 1, 4);
  const Tensor run_var = RandomFloats({c}, 0.5, 2, 5);
  const float eps = 1e-3f;
  const Stats s = BatchStats(x);
  for (float factor : {1.0f, 0.3f}) {
    for (int threads : {1, 2}) {
      SCOPED_TRACE(absl::StrCat("factor=", factor, " threads=", threads));
      testing::KernelRunOptions options;
      options.intra_threads = threads;
      auto out = RunKernel("FusedBatchNormV3", {x, scale, offset, run_mean, run_var},
                           {{"epsilon", eps}, {"exponential_avg_factor", factor},
                            {"is_training", true}},
                           options);
      ASSERT_TRUE(out.ok()) << out.status();
      ASSERT_EQ(out->size(), 6u);
      Tensor y(DataType::kFloat32, shape);
      for (int64_t i = 0; i < x.num_elements(); ++i) {
        const int64_t k = i % c;
        y.data<float>()[i] = static_cast<float>(
            (x.data<float>()[i] - s.mean[k]) / std::sqrt(s.var[k] + eps) *
                scale.data<float>()[k] + offset.data<float>()[k]);
      }
      ExpectTensorNear((*out)[0], y, 1e-5, 1e-5);
      std::vector<double> new_mean(c), new_var(c);
      for (int64_t k = 0; k < c; ++k) {
        new_mean[k] = (1 - factor) * run_mean.data<float>()[k] + factor * s.mean[k];
        new_var[k] = (1 - factor) * run_var.data<float>()[k] +
                     factor * s.var[k] * rows / (rows - 1);
      }
      ExpectTensorNear((*out)[1], Vec(new_mean), 1e-6, 1e-5);
      ExpectTensorNear((*out)[2], Vec(new_var), 1e-6, 1e-5);
      ExpectTensorNear((*out)[3], Vec(s.mean), 1e-6, 1e-5);
      ExpectTensorNear((*out)[4], Vec(s.var), 1e-6, 1e-5);
      EXPECT_EQ((*out)[5].shape(), TensorShape{});
    }
  }
  // Empty running statistics are allowed with factor 1.
  auto empty = RunKernel("FusedBatchNormV3",
                         {x, scale, offset, Tensor(DataType::kFloat32, {0}),
                          Tensor(DataType::kFloat32, {0})},
                         {{"epsilon", eps}, {"is_training", true}});
  ASSERT_TRUE(empty.ok()) << empty.status();
  ExpectTensorNear((*empty)[3], Vec(s.mean), 1e-6, 1e-5);
}

TEST(BatchNormOpTest, InferenceUsesTheGivenStatistics) {
  const TensorShape shape{2, 3, 3, 4};
  const Tensor x = RandomFloats(shape, -2, 2, 6);
  const Tensor scale = RandomFloats({4}, 0.5, 2, 7), offset = RandomFloats({4}, -1, 1, 8);
  const Tensor mean = RandomFloats({4}, -1, 1, 9), var = RandomFloats({4}, 0.5, 2, 10);
  auto out = RunKernel("FusedBatchNormV3", {x, scale, offset, mean, var},
                       {{"epsilon", 1e-3f}, {"is_training", false}});
  ASSERT_TRUE(out.ok()) << out.status();
  Tensor y(DataType::kFloat32, shape);
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    const int64_t k = i % 4;
    y.data<float>()[i] = static_cast<float>(
        (x.data<float>()[i] - mean.data<float>()[k]) /
            std::sqrt(double(var.data<float>()[k]) + 1e-3) * scale.data<float>()[k] +
        offset.data<float>()[k]);
  }
  ExpectTensorNear((*out)[0], y, 1e-5, 1e-5);
  ExpectTensorNear((*out)[1], mean, 0, 0);
  ExpectTensorNear((*out)[2], var, 0, 0);
}

// The gradient of sum(dy * y) with y = (x - m(x)) / sqrt(v(x) + eps) * s + o,
// from its definition: dx = s / sd * (dy - mean(dy) - xhat * mean(dy * xhat)).
TEST(BatchNormOpTest, GradMatchesDefinition) {
  const TensorShape shape{3, 4, 2, 5};
  const int64_t c = 5, rows = 24;
  const Tensor x = RandomFloats(shape, -2, 2, 11);
  const Tensor dy = RandomFloats(shape, -1, 1, 12);
  const Tensor scale = RandomFloats({c}, 0.5, 2, 13);
  const float eps = 1e-3f;
  const Stats s = BatchStats(x);
  for (bool training : {true, false}) {
    for (int threads : {1, 2}) {
      SCOPED_TRACE(absl::StrCat("training=", training, " threads=", threads));
      testing::KernelRunOptions options;
      options.intra_threads = threads;
      auto out = RunKernel("FusedBatchNormGradV3",
                           {dy, x, scale, Vec(s.mean), Vec(s.var), Tensor::Scalar<float>(0)},
                           {{"epsilon", eps}, {"is_training", training}}, options);
      ASSERT_TRUE(out.ok()) << out.status();
      std::vector<double> sum_dy(c, 0), sum_dy_xhat(c, 0);
      const float* px = x.data<float>();
      const float* pd = dy.data<float>();
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t k = 0; k < c; ++k) {
          const double sd = std::sqrt(double(float(s.var[k])) + eps);
          sum_dy[k] += pd[r * c + k];
          sum_dy_xhat[k] += pd[r * c + k] * (px[r * c + k] - float(s.mean[k])) / sd;
        }
      Tensor dx(DataType::kFloat32, shape);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t k = 0; k < c; ++k) {
          const double sd = std::sqrt(double(float(s.var[k])) + eps);
          const double xhat = (px[r * c + k] - float(s.mean[k])) / sd;
          const double g = training ? pd[r * c + k] - sum_dy[k] / rows -
                                          xhat * sum_dy_xhat[k] / rows
                                    : pd[r * c + k];
          dx.data<float>()[r * c + k] = static_cast<float>(scale.data<float>()[k] / sd * g);
        }
      ExpectTensorNear((*out)[0], dx, 1e-5, 1e-4);
      ExpectTensorNear((*out)[1], Vec(sum_dy_xhat), 1e-5, 1e-5);
      ExpectTensorNear((*out)[2], Vec(sum_dy), 1e-5, 1e-5);
      EXPECT_EQ((*out)[3].shape(), TensorShape{0});
    }
  }
}

TEST(BatchNormOpErrorTest, BadShapes) {
  const Tensor v = RandomFloats({3}, 0.5, 1, 1);
  auto rank = RunKernelUnshaped("FusedBatchNormV3", {RandomFloats({4, 3}, -1, 1, 2), v, v, v, v},
                                {{"is_training", true}});
  EXPECT_THAT(rank.status().message(), HasSubstr("rank 4"));
  auto channels = RunKernelUnshaped(
      "FusedBatchNormV3", {RandomFloats({1, 2, 2, 4}, -1, 1, 2), v, v, v, v},
      {{"is_training", false}});
  EXPECT_THAT(channels.status().message(), HasSubstr("scale must be a vector of the 4 channels"));
  auto empty = RunKernelUnshaped(
      "FusedBatchNormV3",
      {RandomFloats({1, 2, 2, 3}, -1, 1, 2), v, v, Tensor(DataType::kFloat32, {0}),
       Tensor(DataType::kFloat32, {0})},
      {{"is_training", false}});
  EXPECT_THAT(empty.status().message(), HasSubstr("mean must be a vector"));
}

}  // namespace
}  // namespace graphrt
