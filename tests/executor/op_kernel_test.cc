// Tests for OpKernelConstruction::ConstantInput (core/executor/op_kernel.h):
// the value of an input a Const node produces, and nothing for inputs from
// other nodes, out-of-range inputs, or a construction made without the graph;
// through the partitioner's _Copy nodes, a Const's value all the same.
#include "core/executor/op_kernel.h"

#include <memory>
#include <optional>
#include <vector>

#include "core/executor/cpu_device.h"
#include "core/graph/builder.h"
#include "core/graph/ops/math_ops.h"
#include "core/memory/allocator.h"
#include "core/placer/device_attributes.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

TEST(OpKernelConstructionTest, ConstantInputIsTheConstsValue) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, PartialShape{2, 2}, "x");
  Output w = b.Const(Tensor::FromVector<float>({1, 2, 3, 4}, TensorShape{2, 2}), "w");
  ops::MatMul(x, w, {}, "xw");
  ops::MatMul(w, ops::Neg(x, "negx"), {}, "w_negx");
  ASSERT_TRUE(b.status().ok()) << b.status();
  const Graph graph = b.Build().value();
  std::unique_ptr<Device> cpu = CreateCpuDevice(CpuDeviceAttributes(0), 1, 0, HostAllocator());

  const Node* xw = graph.FindNode("xw");
  ASSERT_NE(xw, nullptr);
  OpKernelConstruction c(*xw, cpu.get(), nullptr, &graph);
  EXPECT_FALSE(c.ConstantInput(0).has_value());  // a placeholder
  std::optional<Tensor> value = c.ConstantInput(1);
  ASSERT_TRUE(value.has_value());
  ASSERT_EQ(value->shape(), (TensorShape{2, 2}));
  EXPECT_EQ(value->data<float>()[3], 4.0f);
  EXPECT_FALSE(c.ConstantInput(2).has_value());
  EXPECT_FALSE(c.ConstantInput(-1).has_value());

  const Node* w_negx = graph.FindNode("w_negx");
  ASSERT_NE(w_negx, nullptr);
  OpKernelConstruction c2(*w_negx, cpu.get(), nullptr, &graph);
  EXPECT_TRUE(c2.ConstantInput(0).has_value());
  EXPECT_FALSE(c2.ConstantInput(1).has_value());  // Neg's output

  OpKernelConstruction without_graph(*xw, cpu.get(), nullptr);
  EXPECT_FALSE(without_graph.ConstantInput(1).has_value());
}

// A kernel on another device than its Const reads the value through the
// _Copy the partitioner put between them (the GPU collectives read their
// int32 keys so, without a device-to-host copy).
TEST(OpKernelConstructionTest, ConstantInputLooksThroughCopies) {
  GraphBuilder b;
  auto copy = [&](Output in, absl::string_view name) {
    return b.Op("_Copy", std::vector<Output>{in}, {}, name);
  };
  Output copied = copy(copy(b.Scalar<int32_t>(7), "copy1"), "copy2");
  Output x = b.Placeholder(DataType::kInt32, PartialShape{}, "x");
  ops::Add(copied, copy(x, "copy_x"), "sum");
  ASSERT_TRUE(b.status().ok()) << b.status();
  const Graph graph = b.Build().value();
  std::unique_ptr<Device> cpu = CreateCpuDevice(CpuDeviceAttributes(0), 1, 0, HostAllocator());
  OpKernelConstruction c(*graph.FindNode("sum"), cpu.get(), nullptr, &graph);
  std::optional<Tensor> value = c.ConstantInput(0);
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(value->data<int32_t>()[0], 7);
  EXPECT_FALSE(c.ConstantInput(1).has_value());  // a copied placeholder
}

}  // namespace
}  // namespace graphrt
