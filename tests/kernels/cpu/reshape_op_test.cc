// Tests for kernels/common/reshape_op.h: shapes by hand (with -1, scalars,
// empty tensors), every dtype, buffer sharing, and the errors (from the
// kernel itself, fed through Placeholders of unknown shape, and from
// ResolveReshape / ValidateReshapeSpec directly).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/executor/kernel_registry.h"
#include "core/executor/resource_mgr.h"
#include "core/graph/graph.h"
#include "core/base/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/common/reshape_op.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;
using Dims = std::vector<int64_t>;

// Runs Reshape on `input` itself (no copy), fed through a Placeholder of
// unknown shape so that the kernel's own checks run.
absl::StatusOr<Tensor> ReshapeUnshaped(const Tensor& input, const Dims& spec) {
  Graph graph;
  RETURN_IF_ERROR(
      graph.AddNode(NodeDef{"in", "Placeholder", {}, "", {{"dtype", input.dtype()}}}).status());
  ASSIGN_OR_RETURN(Node * node, graph.AddNode(NodeDef{"op", "Reshape", {"in"}, "", {{"shape", spec}}}));
  ResourceMgr resources;
  OpKernelConstruction c(*node, kDeviceCpu, &resources, HostAllocator());
  ASSIGN_OR_RETURN(std::unique_ptr<OpKernel> kernel, KernelRegistry::Global().CreateKernel(c));
  Tensor in = input;
  Tensor* ptrs[] = {&in};
  std::vector<Tensor> outputs(1);
  OpKernelContext::Params params;
  params.kernel = kernel.get();
  params.inputs = ptrs;
  params.outputs = outputs;
  params.allocator = HostAllocator();
  params.resources = &resources;
  OpKernelContext ctx(params);
  RETURN_IF_ERROR(kernel->Compute(ctx));
  return outputs[0];
}

absl::StatusOr<Tensor> Reshape(const Tensor& x, const Dims& spec) {
  auto out = RunKernel("Reshape", {x}, {{"shape", spec}});
  if (!out.ok()) return out.status();
  return (*out)[0];
}

TEST(ReshapeTest, ShapesByHand) {
  const Tensor x = T_<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  struct Case { Dims spec, want; };
  for (const Case& c : std::vector<Case>{{{3, 2}, {3, 2}}, {{6}, {6}}, {{-1}, {6}},
                                         {{3, -1}, {3, 2}}, {{-1, 1, 2}, {3, 1, 2}},
                                         {{1, 6, 1}, {1, 6, 1}}, {{2, 3}, {2, 3}}}) {
    SCOPED_TRACE(TensorShape(c.spec).DebugString());
    auto y = Reshape(x, c.spec);
    ASSERT_TRUE(y.ok()) << y.status();
    ExpectTensorEq(*y, T_<float>({1, 2, 3, 4, 5, 6}, TensorShape(c.want)));
  }
}

TEST(ReshapeTest, ScalarsAndEmptyTensors) {
  auto y = Reshape(T_<int32_t>({7}, {1, 1}), {});
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, Tensor::Scalar<int32_t>(7));
  y = Reshape(Tensor::Scalar<int32_t>(7), {1, -1});
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensorEq(*y, T_<int32_t>({7}, {1, 1}));
  y = Reshape(Tensor(DataType::kFloat32, {0, 3}), {-1, 3});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({0, 3}));
  y = Reshape(Tensor(DataType::kFloat32, {0, 3}), {3, 0, 5});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape(), TensorShape({3, 0, 5}));
}

TEST(ReshapeTest, EveryDtype) {
  for (const Tensor& x : {T_<float>({1, 2, 3, 4}, {4}), T_<int32_t>({1, 2, 3, 4}, {4}),
                          T_<int64_t>({1, 2, 3, 4}, {4}), T_<uint8_t>({1, 2, 3, 4}, {4}),
                          T_<bool>({true, false, false, true}, {4})}) {
    SCOPED_TRACE(DataTypeName(x.dtype()));
    auto y = Reshape(x, {2, -1});
    ASSERT_TRUE(y.ok()) << y.status();
    ASSERT_EQ(y->shape(), TensorShape({2, 2}));
    ASSERT_EQ(y->dtype(), x.dtype());
    auto back = Reshape(*y, {4});
    ASSERT_TRUE(back.ok()) << back.status();
    ExpectTensorEq(*back, x);
  }
}

TEST(ReshapeTest, SharesTheInputBuffer) {
  const Tensor x = T_<int64_t>({1, 2, 3, 4, 5, 6}, {6});
  auto y = ReshapeUnshaped(x, {2, 3});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(y->SharesBufferWith(x));
  EXPECT_EQ(y->shape(), TensorShape({2, 3}));
}

TEST(ReshapeTest, ElementCountMismatchNamesBothShapes) {
  const Tensor x = T_<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  auto y = ReshapeUnshaped(x, {4});
  EXPECT_EQ(y.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(y.status().message(), HasSubstr("[2,3]"));
  EXPECT_THAT(y.status().message(), HasSubstr("[4]"));
  EXPECT_EQ(Reshape(x, {4}).status().code(), absl::StatusCode::kInvalidArgument);  // shape fn
}

TEST(ReshapeTest, UninferableMinusOneNamesBothShapes) {
  const Tensor x = T_<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  auto y = ReshapeUnshaped(x, {4, -1});
  EXPECT_EQ(y.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(y.status().message(), HasSubstr("[2,3]"));
  EXPECT_THAT(y.status().message(), HasSubstr("[4,-1]"));
  y = ReshapeUnshaped(Tensor(DataType::kFloat32, {0, 3}), {0, -1});
  EXPECT_EQ(y.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(y.status().message(), HasSubstr("[0,-1]"));
}

TEST(ReshapeTest, BadSpecsAreRejected) {
  EXPECT_EQ(ValidateReshapeSpec(Dims{-1, 2, -1}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateReshapeSpec(Dims{2, -3}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateReshapeSpec(Dims{}).ok());
  EXPECT_EQ(Reshape(T_<float>({1, 2}, {2}), {-1, -1}).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto overflow = ResolveReshape(TensorShape({2}), Dims{int64_t{1} << 40, int64_t{1} << 40});
  EXPECT_EQ(overflow.status().code(), absl::StatusCode::kInvalidArgument);
  auto ok = ResolveReshape(TensorShape({4, 6}), Dims{2, -1, 3});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, TensorShape({2, 4, 3}));
}

}  // namespace
}  // namespace graphrt
