// Tests for kernels/cpu/bias_add_op.h: values by hand, higher ranks and a
// large input against a loop in the test (with and without forwarding the
// value's buffer, with 1 and 2 threads), empty inputs, and shape errors.
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

}  // namespace
}  // namespace graphrt
