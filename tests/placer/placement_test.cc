// The placer over hand-made device descriptors and GPU kernel descriptors
// (nothing runs: placement is a pure function).
#include "core/placer/placement.h"

#include "core/graph/builder.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/math_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/placer/kernel_descriptors.h"

namespace graphrt {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

DeviceAttributes Gpu(int id) {
  DeviceAttributes d;
  d.name = FullDeviceName("GPU", id);
  d.type = "GPU";
  d.id = id;
  d.physical_id = id;
  return d;
}

// CPU kernels, plus GPU kernels for float32 variables, MatMul, Add and Const
// only (as in the book: no int32 variable kernels on the GPU).
SupportedTypesFn Supported() {
  std::vector<testing::GpuKernel> gpu;
  for (const char* op : {"VarHandleOp", "ReadVariable", "AssignVariable", "AssignAddVariable"}) {
    gpu.push_back({op, "dtype", {DataType::kFloat32}});
  }
  for (const char* op : {"MatMul", "Add", "Const"}) gpu.push_back({op, "", {}});
  return testing::CpuKernelsAnd(std::move(gpu));
}

class PlacementTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::vector<NodePlacement>> Place(bool soft = true) {
    auto g = b_.Build();
    EXPECT_TRUE(g.ok()) << g.status();
    graph_ = std::make_unique<Graph>(*std::move(g));
    return PlaceGraph(*graph_, devices_, Supported(), PlacerOptions{soft});
  }
  const NodePlacement& Of(const std::vector<NodePlacement>& p, absl::string_view name) {
    return p[graph_->FindNode(name)->id()];
  }
  GraphBuilder b_;
  std::unique_ptr<Graph> graph_;
  std::vector<DeviceAttributes> devices_ = {CpuDeviceAttributes(0), Gpu(0)};
};

TEST_F(PlacementTest, BookExamplesFloatVariableOnGpuIntVariableOnCpu) {
  Variable f = b_.NewVariable("float_var", Tensor::Scalar<float>(1.0f));
  Variable i = b_.NewVariable("int_var", Tensor::Scalar<int32_t>(1));
  Output fr = f.Read("float_read");
  Output ir = i.Read("int_read");
  Output on_cpu;
  {
    GraphBuilder::DeviceScope cpu(b_, "/cpu:0");
    on_cpu = ops::Add(fr, fr, "explicit_cpu");
  }
  (void)ir;
  auto p = Place();
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(Of(*p, "float_var").device, FullDeviceName("GPU", 0));
  EXPECT_EQ(Of(*p, "float_var").rule, "default");
  EXPECT_EQ(Of(*p, "float_read").device, FullDeviceName("GPU", 0));
  EXPECT_EQ(Of(*p, "int_var").device, kCpuDeviceName);
  EXPECT_THAT(Of(*p, "int_var").reason, HasSubstr("no GPU kernel"));
  EXPECT_THAT(Of(*p, "int_var").reason, HasSubstr("int32"));
  EXPECT_EQ(Of(*p, "int_read").device, kCpuDeviceName);
  EXPECT_EQ(Of(*p, "explicit_cpu").device, kCpuDeviceName);
  EXPECT_EQ(Of(*p, "explicit_cpu").rule, "requested");
  EXPECT_EQ(Of(*p, "explicit_cpu").requested, "/cpu:0");
}

TEST_F(PlacementTest, MissingDeviceFallsBackUnderSoftPlacementWithAReason) {
  Output a = b_.Scalar<float>(1.0f, "a");
  {
    GraphBuilder::DeviceScope gpu7(b_, "/gpu:7");
    ops::Add(a, a, "wants_gpu7");
  }
  auto p = Place(/*soft=*/true);
  ASSERT_TRUE(p.ok()) << p.status();
  const NodePlacement& n = Of(*p, "wants_gpu7");
  EXPECT_EQ(n.rule, "soft fallback");
  EXPECT_EQ(n.device, FullDeviceName("GPU", 0));  // the default: first GPU with a kernel
  EXPECT_THAT(n.reason, AllOf(HasSubstr("/gpu:7"), HasSubstr("no such device"),
                              HasSubstr("CPU:0, GPU:0")));
}

TEST_F(PlacementTest, MissingDeviceFailsUnderStrictPlacementWithTheFullMessage) {
  Output a = b_.Scalar<float>(1.0f, "a");
  {
    GraphBuilder::DeviceScope gpu7(b_, "/gpu:7");
    ops::Add(a, a, "wants_gpu7");
  }
  auto p = Place(/*soft=*/false);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(),
              AllOf(HasSubstr("'wants_gpu7' (Add)"), HasSubstr("/gpu:7"),
                    HasSubstr("devices: CPU:0, GPU:0"), HasSubstr("allow_soft_placement")));
}

TEST_F(PlacementTest, NoKernelOnRequestedTypeNamesTheTypesThatHaveOne) {
  Output a = b_.Scalar<float>(1.0f, "a");
  {
    GraphBuilder::DeviceScope gpu(b_, "/gpu:0");
    ops::Exp(a, "exp_on_gpu");  // no GPU Exp descriptor
  }
  auto strict = Place(false);
  ASSERT_FALSE(strict.ok());
  EXPECT_THAT(strict.status().message(),
              AllOf(HasSubstr("'exp_on_gpu' (Exp)"), HasSubstr("no kernel there"),
                    HasSubstr("kernels exist for [CPU]")));
  auto soft = Place(true);
  ASSERT_TRUE(soft.ok());
  EXPECT_EQ(Of(*soft, "exp_on_gpu").device, kCpuDeviceName);
  EXPECT_EQ(Of(*soft, "exp_on_gpu").rule, "soft fallback");
}

TEST_F(PlacementTest, AssignIsColocatedWithItsVariable) {
  Variable v = b_.NewVariable("v", Tensor::Scalar<float>(1.0f));
  Output one;
  {
    GraphBuilder::DeviceScope cpu(b_, "/cpu:0");
    one = b_.Scalar<float>(1.0f, "one");
  }
  Output assign;
  {
    GraphBuilder::DeviceScope cpu(b_, "/cpu:0");
    assign = v.AssignAdd(one, "bump");
  }
  auto p = Place();
  ASSERT_TRUE(p.ok()) << p.status();
  // The request on the assign pulls the whole group (variable, reads) there.
  EXPECT_EQ(Of(*p, "bump").device, kCpuDeviceName);
  EXPECT_EQ(Of(*p, "v").device, kCpuDeviceName);
  EXPECT_EQ(Of(*p, "v").group, "v");
  EXPECT_EQ(Of(*p, "bump").group, "v");
}

TEST_F(PlacementTest, ColocationConflictIsReported) {
  Variable v;
  {
    GraphBuilder::DeviceScope gpu(b_, "/gpu:0");
    v = b_.NewVariable("v", Tensor::Scalar<float>(1.0f));
  }
  {
    GraphBuilder::DeviceScope cpu(b_, "/cpu:0");
    v.Read("cpu_read");
  }
  auto p = Place();
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(),
              AllOf(HasSubstr("colocation conflict"), HasSubstr("'cpu_read'"), HasSubstr("'v'"),
                    HasSubstr("/gpu:0"), HasSubstr("/cpu:0")));
}

TEST_F(PlacementTest, ExplicitColocateWithFollowsTheTarget) {
  Output a;
  {
    GraphBuilder::DeviceScope cpu(b_, "/cpu:0");
    a = b_.Scalar<float>(1.0f, "anchor");
  }
  Output x = ops::Reshape(a, {1, 1});
  {
    GraphBuilder::ColocateWith with(b_, a);
    ops::MatMul(x, x, {}, "mm");
  }
  ops::MatMul(x, x, {}, "alone");
  auto p = Place();
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(Of(*p, "mm").device, kCpuDeviceName);
  EXPECT_EQ(Of(*p, "mm").group, "anchor");
  EXPECT_EQ(Of(*p, "alone").device, FullDeviceName("GPU", 0));
}

TEST_F(PlacementTest, CpuOnlyDevicesPlaceEverythingOnCpuAndExportsNameEveryNode) {
  devices_ = {CpuDeviceAttributes(0)};
  Output a = b_.Scalar<float>(1.0f, "a");
  ops::MatMul(ops::Reshape(a, {1, 1}), ops::Reshape(a, {1, 1}), {}, "mm");
  auto p = Place();
  ASSERT_TRUE(p.ok()) << p.status();
  for (const NodePlacement& n : *p) {
    EXPECT_EQ(n.device, kCpuDeviceName);
    EXPECT_EQ(n.reason, "no request and no GPU: the first CPU");
  }
  std::string json = PlacementToJson(*graph_, *p);
  EXPECT_THAT(json, AllOf(HasSubstr("\"node\": \"mm\""), HasSubstr("\"op\": \"MatMul\""),
                          HasSubstr("\"rule\": \"default\"")));
  EXPECT_EQ(json.front(), '[');
  std::string dot = PlacementToDot(*graph_, *p);
  EXPECT_THAT(dot, AllOf(HasSubstr("digraph placement"), HasSubstr("mm\\nMatMul"),
                         HasSubstr("fillcolor")));
  EXPECT_EQ(PlacementLog(*graph_, *p).find("mm (MatMul): " + std::string(kCpuDeviceName)) !=
                std::string::npos,
            true);
}

TEST_F(PlacementTest, MalformedRequestNamesTheNode) {
  {
    GraphBuilder::DeviceScope bad(b_, "/gpu:zero");
    b_.Scalar<float>(1.0f, "c");
  }
  auto p = Place();
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), AllOf(HasSubstr("'c'"), HasSubstr("accepted forms")));
}

}  // namespace
}  // namespace graphrt
