// Tests for kernels/cpu/softmax_ops.h: Softmax and LogSoftmax by hand, on
// random inputs of several ranks against a double-precision loop, with huge
// and -inf logits, with 1 and 2 threads and with a forwarded buffer, empty
// inputs, and a scalar input's error.
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

Tensor Random(const TensorShape& shape, uint32_t seed, float scale) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  Tensor t(DataType::kFloat32, shape);
  for (float& v : t.flat<float>()) v = dist(gen);
  return t;
}

// Softmax (or its log) along the last axis, in double.
Tensor Reference(const Tensor& x, bool log) {
  Tensor out(DataType::kFloat32, x.shape());
  const int64_t n = x.dim(x.rank() - 1);
  for (int64_t r = 0; r < x.num_elements() / n; ++r) {
    const float* row = x.data<float>() + r * n;
    double max = row[0], sum = 0;
    for (int64_t i = 0; i < n; ++i) max = std::max<double>(max, row[i]);
    for (int64_t i = 0; i < n; ++i) sum += std::exp(row[i] - max);
    for (int64_t i = 0; i < n; ++i) {
      const double v = log ? row[i] - max - std::log(sum) : std::exp(row[i] - max) / sum;
      out.data<float>()[r * n + i] = static_cast<float>(v);
    }
  }
  return out;
}

TEST(SoftmaxOpTest, RowByHand) {
  auto out = RunKernel("Softmax", {T_<float>({1, 2, 3}, {1, 3})});
  ASSERT_TRUE(out.ok()) << out.status();
  const double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  ExpectTensorNear((*out)[0], T_<float>({float(std::exp(1.0) / s), float(std::exp(2.0) / s),
                                         float(std::exp(3.0) / s)}, {1, 3}));
}

TEST(LogSoftmaxOpTest, RowByHand) {
  auto out = RunKernel("LogSoftmax", {T_<float>({1, 2, 3}, {3})});
  ASSERT_TRUE(out.ok()) << out.status();
  const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  ExpectTensorNear((*out)[0], T_<float>({float(1 - lse), float(2 - lse), float(3 - lse)}, {3}));
}

TEST(SoftmaxOpTest, RandomInputsMatchDoubleReference) {
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    for (const TensorShape& shape : {TensorShape{7}, TensorShape{17, 33}, TensorShape{2, 3, 5},
                                     TensorShape{4, 1}}) {
      SCOPED_TRACE(absl::StrCat(op, " ", shape.DebugString()));
      Tensor x = Random(shape, 1, 5.0f);
      auto out = RunKernel(op, {x});
      ASSERT_TRUE(out.ok()) << out.status();
      ExpectTensorNear((*out)[0], Reference(x, std::string(op) == "LogSoftmax"), 1e-6, 1e-5);
    }
  }
}

TEST(SoftmaxOpTest, HugeLogitsStayFinite) {
  Tensor x = T_<float>({1000, 1001, 1002, -1000, 0, 1000}, {2, 3});
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    SCOPED_TRACE(op);
    auto out = RunKernel(op, {x});
    ASSERT_TRUE(out.ok()) << out.status();
    for (float v : (*out)[0].flat<float>()) EXPECT_FALSE(std::isnan(v));
    ExpectTensorNear((*out)[0], Reference(x, std::string(op) == "LogSoftmax"), 1e-6, 1e-5);
  }
  auto soft = RunKernel("Softmax", {T_<float>({1000, 1001, 1002}, {3})});
  ASSERT_TRUE(soft.ok());
  // Same as the softmax of (0, 1, 2).
  ExpectTensorNear((*soft)[0], Reference(T_<float>({0, 1, 2}, {3}), false), 1e-6, 1e-5);
}

TEST(SoftmaxOpTest, NegativeInfinityGetsZeroProbability) {
  auto soft = RunKernel("Softmax", {T_<float>({0, -INFINITY}, {2})});
  ASSERT_TRUE(soft.ok());
  ExpectTensorNear((*soft)[0], T_<float>({1, 0}, {2}), 0, 0);
  auto log = RunKernel("LogSoftmax", {T_<float>({0, -INFINITY}, {2})});
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)[0].flat<float>()[0], 0.0f);
  EXPECT_EQ((*log)[0].flat<float>()[1], -INFINITY);
}

TEST(SoftmaxOpTest, ThreadsAndForwardingGiveTheSameAnswer) {
  Tensor x = Random({2000, 100}, 2, 20.0f);
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    const Tensor expected = Reference(x, std::string(op) == "LogSoftmax");
    std::vector<Tensor> results;
    for (int threads : {1, 2}) {
      for (bool forward : {false, true}) {
        SCOPED_TRACE(absl::StrCat(op, " threads=", threads, " forward=", forward));
        testing::KernelRunOptions options;
        options.intra_threads = threads;
        options.forward_inputs = forward;
        auto out = RunKernel(op, {x}, {}, options);
        ASSERT_TRUE(out.ok()) << out.status();
        ExpectTensorNear((*out)[0], expected, 1e-6, 1e-5);
        results.push_back((*out)[0]);
      }
    }
    for (const Tensor& r : results) ExpectTensorNear(r, results[0], 0, 0);
  }
}

TEST(SoftmaxOpTest, EmptyInputs) {
  for (const TensorShape& shape : {TensorShape{0, 5}, TensorShape{3, 0}}) {
    auto out = RunKernel("Softmax", {Tensor(DataType::kFloat32, shape)});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].shape(), shape);
  }
}

TEST(SoftmaxOpTest, ScalarIsRejected) {
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    auto out = RunKernelUnshaped(op, {Tensor::Scalar<float>(1)}, {});
    ASSERT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
    EXPECT_THAT(out.status().message(), HasSubstr("float32[]"));
    EXPECT_THAT(out.status().message(), HasSubstr(op));
  }
}

}  // namespace
}  // namespace graphrt
