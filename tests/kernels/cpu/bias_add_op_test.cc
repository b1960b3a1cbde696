// Tests for kernels/cpu/bias_add_op.h: values by hand, higher ranks and a
// large input against a loop in the test (with and without forwarding the
// value's buffer, with 1 and 2 threads), empty inputs, and shape errors;
// BiasAddGrad's row chunks (Note [BiasAddGrad by row chunks]) against a
// double-precision column sum, identical for 1 and 2 threads.
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

Tensor Random(const TensorShape& shape, uint32_t seed) {
  return testing::RandomFloats(shape, -10.0f, 10.0f, seed);
}

Tensor Reference(const Tensor& value, const Tensor& bias) {
  Tensor out(DataType::kFloat32, value.shape());
  const int64_t c = bias.num_elements();
  for (int64_t i = 0; i < value.num_elements(); ++i) {
    out.data<float>()[i] = value.data<float>()[i] + bias.data<float>()[i % c];
  }
  return out;
}

TEST(BiasAddOpTest, MatrixByHand) {
  auto out = RunKernel("BiasAdd", {T_<float>({1, 2, 3, 4, 5, 6}, {2, 3}),
                                   T_<float>({10, 20, 30}, {3})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorNear((*out)[0], T_<float>({11, 22, 33, 14, 25, 36}, {2, 3}), 0, 0);
}

TEST(BiasAddOpTest, VectorValue) {
  auto out = RunKernel("BiasAdd", {T_<float>({1, 2}, {2}), T_<float>({-1, 0.5f}, {2})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorNear((*out)[0], T_<float>({0, 2.5f}, {2}), 0, 0);
}

TEST(BiasAddOpTest, HigherRankAndLargeMatchLoop) {
  for (const TensorShape& shape : {TensorShape{2, 3, 4, 5}, TensorShape{4096, 96}}) {
    Tensor value = Random(shape, 1);
    Tensor bias = Random({shape.dim(shape.rank() - 1)}, 2);
    const Tensor expected = Reference(value, bias);
    for (bool forward : {false, true}) {
      for (int threads : {1, 2}) {
        SCOPED_TRACE(absl::StrCat(shape.DebugString(), " forward=", forward, " threads=",
                                  threads));
        testing::KernelRunOptions options;
        options.forward_inputs = forward;
        options.intra_threads = threads;
        auto out = RunKernel("BiasAdd", {value, bias}, {}, options);
        ASSERT_TRUE(out.ok()) << out.status();
        ExpectTensorNear((*out)[0], expected, 0, 0);
      }
    }
  }
}

TEST(BiasAddOpTest, EmptyValues) {
  auto rows = RunKernel("BiasAdd", {Tensor(DataType::kFloat32, {0, 3}), Random({3}, 3)});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ((*rows)[0].shape(), (TensorShape{0, 3}));
  auto channels = RunKernel("BiasAdd", {Tensor(DataType::kFloat32, {2, 0}),
                                        Tensor(DataType::kFloat32, {0})});
  ASSERT_TRUE(channels.ok()) << channels.status();
  EXPECT_EQ((*channels)[0].shape(), (TensorShape{2, 0}));
}

TEST(BiasAddOpTest, ShapeErrorsNameBothShapes) {
  auto mismatch = RunKernelUnshaped("BiasAdd", {Random({2, 3}, 4), Random({4}, 5)}, {});
  ASSERT_EQ(mismatch.status().code(), absl::StatusCode::kInvalidArgument) << mismatch.status();
  EXPECT_THAT(mismatch.status().message(), HasSubstr("float32[2,3]"));
  EXPECT_THAT(mismatch.status().message(), HasSubstr("float32[4]"));
  auto matrix_bias = RunKernelUnshaped("BiasAdd", {Random({2, 3}, 4), Random({1, 3}, 5)}, {});
  ASSERT_EQ(matrix_bias.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(matrix_bias.status().message(), HasSubstr("float32[1,3]"));
  auto scalar = RunKernelUnshaped("BiasAdd", {Tensor::Scalar<float>(1), Random({1}, 5)}, {});
  ASSERT_EQ(scalar.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(scalar.status().message(), HasSubstr("float32[]"));
}

TEST(BiasAddGradOpTest, RowChunksMatchADoubleSumForAnyThreadCount) {
  // One chunk, several, the most (16, with a short last one), few rows.
  for (const TensorShape& shape : {TensorShape{40, 7}, TensorShape{3000, 32},
                                   TensorShape{4, 1001, 2, 32}, TensorShape{3, 40000}}) {
    SCOPED_TRACE(shape.DebugString());
    const Tensor g = Random(shape, 9);
    const int64_t c = shape.dim(shape.rank() - 1);
    Tensor expected(DataType::kFloat32, {c});
    for (int64_t j = 0; j < c; ++j) {
      double s = 0;
      for (int64_t i = j; i < g.num_elements(); i += c) s += g.data<float>()[i];
      expected.data<float>()[j] = static_cast<float>(s);
    }
    std::vector<Tensor> results;
    for (int threads : {1, 2}) {
      testing::KernelRunOptions options;
      options.intra_threads = threads;
      auto out = RunKernel("BiasAddGrad", {g}, {}, options);
      ASSERT_TRUE(out.ok()) << out.status();
      // Terms of magnitude <= 10: a float sum of n of them is within ~n * 1e-6.
      const double rows = static_cast<double>(g.num_elements() / c);
      ExpectTensorNear((*out)[0], expected, 1e-5 * rows, 1e-5);
      results.push_back((*out)[0]);
    }
    testing::ExpectTensorEq(results[1], results[0]);
  }
}

}  // namespace
}  // namespace graphrt
