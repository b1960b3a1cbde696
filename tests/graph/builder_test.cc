// GraphBuilder: op functions, name and device scopes, automatic control
// dependencies between stateful ops on one resource, error keeping.
#include <algorithm>
#include <string>

#include "core/graph/builder.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

bool HasControlInput(const Output& node, const Output& from) {
  const auto& c = node.node().control_inputs();
  return std::find(c.begin(), c.end(), from.node_id()) != c.end();
}

TEST(BuilderTest, OpFunctionsInferTypesAndShapes) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {-1, 784}, "x");
  Output w = b.Const(Tensor(DataType::kFloat32, TensorShape{784, 10}), "w");
  Output logits = ops::MatMul(x, w);
  Output y = ops::Relu(logits + b.Const(Tensor(DataType::kFloat32, TensorShape{10})));
  ASSERT_TRUE(b.status().ok()) << b.status();
  EXPECT_EQ(y.dtype(), DataType::kFloat32);
  EXPECT_EQ(y.shape(), PartialShape({-1, 10}));
  EXPECT_EQ(logits.node().op(), "MatMul");
  EXPECT_EQ(ops::ArgMax(y, 1).dtype(), DataType::kInt64);
  EXPECT_EQ(ops::Equal(y, y).dtype(), DataType::kBool);
  absl::StatusOr<Graph> g = b.Build();
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->num_nodes(), b.graph().num_nodes());
}

TEST(BuilderTest, NamesAreUniqueAndScoped) {
  GraphBuilder b;
  Output a = b.Scalar<float>(1.0f);
  Output c = b.Scalar<float>(2.0f);
  EXPECT_EQ(a.name(), "Const");
  EXPECT_EQ(c.name(), "Const_1");
  {
    GraphBuilder::NameScope outer(b, "layer1");
    Output s = ops::Add(a, c);
    EXPECT_EQ(s.name(), "layer1/Add");
    {
      GraphBuilder::NameScope inner(b, "dense");
      EXPECT_EQ(ops::Neg(s, "neg").name(), "layer1/dense/neg");
    }
    EXPECT_EQ(ops::Add(a, c).name(), "layer1/Add_1");
  }
  EXPECT_EQ(ops::Add(a, c).name(), "Add");
}

TEST(BuilderTest, DeviceScopeRecordsTheRequestOnEveryNodeInside) {
  GraphBuilder b;
  Output a = b.Scalar<float>(1.0f, "a");
  Output on_gpu, on_cpu, inner;
  {
    GraphBuilder::DeviceScope gpu(b, "/gpu:0");
    on_gpu = ops::Neg(a, "on_gpu");
    {
      GraphBuilder::DeviceScope cpu(b, "/cpu:0");
      inner = ops::Exp(a, "inner");
    }
    on_cpu = ops::Log(a, "after_inner");
  }
  Output outside = ops::Tanh(a, "outside");
  EXPECT_EQ(a.node().requested_device(), "");
  EXPECT_EQ(on_gpu.node().requested_device(), "/gpu:0");
  EXPECT_EQ(inner.node().requested_device(), "/cpu:0");
  EXPECT_EQ(on_cpu.node().requested_device(), "/gpu:0");
  EXPECT_EQ(outside.node().requested_device(), "");
  // The request survives Build and NodeDef round trips.
  auto g = b.Build();
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->FindNode("on_gpu")->requested_device(), "/gpu:0");
}

TEST(BuilderTest, StatefulOpsOnOneVariableAreOrderedInProgramOrder) {
  GraphBuilder b;
  Variable v = b.NewVariable("v", Tensor::Scalar<float>(1.0f));
  Variable other = b.NewVariable("other", Tensor::Scalar<float>(0.0f));
  Output inc = v.AssignAdd(b.Scalar<float>(1.0f), "inc");
  Output read = v.Read("read");
  Output dbl = v.Assign(read * 2.0f, "double");
  Output unrelated = other.AssignAdd(b.Scalar<float>(5.0f), "unrelated");
  ASSERT_TRUE(b.status().ok()) << b.status();
  EXPECT_TRUE(HasControlInput(read, inc));    // read after the write before it
  EXPECT_TRUE(HasControlInput(dbl, inc));     // write after write
  EXPECT_TRUE(HasControlInput(dbl, read));    // and after the reads since
  EXPECT_TRUE(unrelated.node().control_inputs().empty());  // other resource: no ordering
}

TEST(BuilderTest, AnUnorderedResourceScopeStaysOutOfTheProgramOrder) {
  GraphBuilder b;
  Variable v = b.NewVariable("v", Tensor::Scalar<float>(1.0f));
  Output inc = v.AssignAdd(b.Scalar<float>(1.0f), "inc");
  Output set, peek;
  {
    GraphBuilder::UnorderedResourceScope unordered(b);
    peek = v.Read("peek");
    set = v.Assign(b.Scalar<float>(7.0f), "set");
  }
  Output read = v.Read("read");
  Output dbl = v.Assign(read * 2.0f, "double");
  ASSERT_TRUE(b.status().ok()) << b.status();
  EXPECT_TRUE(peek.node().control_inputs().empty());  // not after `inc`
  EXPECT_TRUE(set.node().control_inputs().empty());   // not after `inc` nor `peek`
  EXPECT_TRUE(HasControlInput(read, inc));  // the order resumes, skipping `set`
  EXPECT_FALSE(HasControlInput(read, set));
  EXPECT_TRUE(HasControlInput(dbl, read));
  EXPECT_FALSE(HasControlInput(dbl, peek));
}

TEST(BuilderTest, ErrorsAreKeptAndNameTheNode) {
  GraphBuilder b;
  Output f = b.Placeholder(DataType::kFloat32, {2}, "f");
  Output i = b.Placeholder(DataType::kInt32, {2}, "i");
  Output bad = ops::Add(f, i, "bad");
  EXPECT_FALSE(bad.valid());
  EXPECT_FALSE(b.status().ok());
  EXPECT_THAT(b.status().message(), HasSubstr("bad"));
  // Later calls do nothing and Build returns the first error.
  Output later = ops::Neg(f, "later");
  EXPECT_FALSE(later.valid());
  auto g = b.Build();
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.status().message(), HasSubstr("bad"));
}

TEST(BuilderTest, ControlDependencyCycleIsAnError) {
  GraphBuilder b;
  Output a = b.Scalar<float>(1.0f, "a");
  Output n = ops::Neg(a, "n");
  b.AddControlDependency(n, a);
  EXPECT_FALSE(b.status().ok());
  EXPECT_THAT(b.status().message(), HasSubstr("cycle"));
}

TEST(BuilderTest, GroupRunsAfterAllDeps) {
  GraphBuilder b;
  Output a = b.Scalar<float>(1.0f, "a");
  Output c = b.Scalar<float>(2.0f, "c");
  Output g = b.Group(std::vector<Output>{a, c}, "all");
  EXPECT_TRUE(HasControlInput(g, a));
  EXPECT_TRUE(HasControlInput(g, c));
  EXPECT_EQ(g.node().op(), "NoOp");
}

}  // namespace
}  // namespace graphrt
