// Tests for OpKernelConstruction::ConstantInput (core/executor/op_kernel.h):
// the value of an input a Const node produces, and nothing for inputs from
// other nodes, out-of-range inputs, or a construction made without the graph.
#include "core/executor/op_kernel.h"

#include <memory>
#include <optional>

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

}  // namespace
}  // namespace graphrt
