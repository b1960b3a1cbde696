// Several logical CPU devices: runtime configuration, copies between
// devices, and results identical to a single-device run.
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/executor/device.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<Runtime> CpuRuntime(int logical, int threads = 1) {
  auto runtime = Runtime::Create({threads, 1, nullptr});
  std::vector<LogicalDeviceConfiguration> config(logical);
  EXPECT_TRUE(
      runtime->SetLogicalDeviceConfiguration(runtime->ListPhysicalDevices("CPU")[0], config).ok());
  return runtime;
}

TEST(RuntimeTest, LogicalCpuDevicesAreConfiguredBeforeCreationOnly) {
  auto runtime = Runtime::Create();
  std::vector<PhysicalDevice> cpus = runtime->ListPhysicalDevices("CPU");
  ASSERT_EQ(cpus.size(), 1u);
  EXPECT_EQ(cpus[0].name, "/physical_device:CPU:0");
  EXPECT_FALSE(runtime->initialized());
  ASSERT_TRUE(runtime->SetLogicalDeviceConfiguration(cpus[0], {{2, 1}, {1, 1}, {}}).ok());
  std::vector<DeviceAttributes> logical = runtime->ListLogicalDevices("CPU");
  ASSERT_EQ(logical.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(logical[i].name, FullDeviceName("CPU", i));
    EXPECT_EQ(logical[i].physical_id, 0);
  }
  EXPECT_EQ(runtime->devices()[0]->inter_op_threads(), 2);
  absl::Status late = runtime->SetLogicalDeviceConfiguration(cpus[0], {{}});
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(late.message(), HasSubstr("created already"));
  EXPECT_EQ(runtime->ListLogicalDevices("CPU").size(), 3u);  // unchanged
}

TEST(RuntimeTest, BadConfigurationsAreRejected) {
  auto runtime = Runtime::Create();
  PhysicalDevice ghost{"/physical_device:TPU:0", "TPU", 0, ""};
  EXPECT_EQ(runtime->SetLogicalDeviceConfiguration(ghost, {{}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(runtime->SetLogicalDeviceConfiguration(runtime->ListPhysicalDevices("CPU")[0], {})
                .code(),
            absl::StatusCode::kInvalidArgument);
  // One logical GPU per physical GPU by default (none on a machine without).
  EXPECT_EQ(runtime->ListLogicalDevices("GPU").size() + runtime->gpu_startup_errors().size(),
            runtime->ListPhysicalDevices("GPU").size());
}

TEST(RuntimeTest, ReleaseUnusedMemoryEmptiesIdlePools) {
  RuntimeOptions options;
  options.cpu_memory_limit_mb = 64;  // CPU:0 gets a BFC pool of its own
  auto runtime = Runtime::Create(options);
  Allocator* pool = runtime->devices()[0]->allocator();
  void* live = pool->AllocateRaw(64, 1 << 20);
  ASSERT_NE(live, nullptr);
  EXPECT_EQ(runtime->ReleaseUnusedMemory(), 0);  // its region holds a live tensor
  pool->DeallocateRaw(live);
  EXPECT_GE(runtime->ReleaseUnusedMemory(), 1 << 20);
  EXPECT_EQ(pool->GetStats().bytes_reserved, 0);
  live = pool->AllocateRaw(64, 1 << 20);  // and it grows again
  EXPECT_NE(live, nullptr);
  pool->DeallocateRaw(live);
}

int CountOp(const Graph& g, absl::string_view op) {
  int n = 0;
  for (int i = 0; i < g.num_nodes(); ++i) n += g.node(i).op() == op;
  return n;
}

TEST(MultiDeviceTest, OneCopyPerTensorAndDestinationDevice) {
  GraphBuilder b;
  Output x;
  {
    GraphBuilder::DeviceScope d0(b, "/cpu:0");
    x = b.Placeholder(DataType::kFloat32, {4}, "x");
  }
  std::vector<Output> outs;
  for (int dev : {1, 2}) {
    GraphBuilder::DeviceScope d(b, "/cpu:" + std::to_string(dev));
    for (int i = 0; i < 10; ++i) outs.push_back(ops::Mul(x, b.Scalar<float>(float(i))));
  }
  SessionOptions o;
  o.runtime = CpuRuntime(3);
  auto session = Session::Create(b.Build().value(), o);
  ASSERT_TRUE(session.ok()) << session.status();
  const Graph& g = (*session)->graph();
  EXPECT_EQ(CountOp(g, "_Copy"), 2);  // x to CPU:1 and x to CPU:2, not 20
  for (int i = 0; i < g.num_nodes(); ++i) {
    if (g.node(i).op() != "_Copy") continue;
    EXPECT_EQ((*session)->placement()[i].rule, "copy");
    EXPECT_THAT((*session)->placement()[i].reason, HasSubstr("from CPU:0"));
  }
  std::vector<TensorName> fetches(outs.begin(), outs.end());
  fetches.push_back("x/_copy_to_CPU_1");
  fetches.push_back("x");
  auto out = (*session)->Run({{x, Tensor::FromVector<float>({1, 2, 3, 4})}}, fetches);
  ASSERT_TRUE(out.ok()) << out.status();
  for (int k = 0; k < 20; ++k) {
    EXPECT_EQ((*out)[k].data<float>()[3], 4.0f * float(k % 10)) << k;
  }
  // A copy is a separate buffer with the same bytes.
  const Tensor& copy = (*out)[20];
  const Tensor& source = (*out)[21];
  EXPECT_FALSE(copy.SharesBufferWith(source));
  EXPECT_EQ(std::memcmp(copy.raw_data(), source.raw_data(), source.TotalBytes()), 0);
}

// Two MatMul chains joined at the end; `split` puts them on CPU:1 and CPU:2
// and the join on CPU:0.
void TwoBranchGraph(GraphBuilder& b, bool split, Output* x, Output* y) {
  *x = b.Placeholder(DataType::kFloat32, {16, 32}, "x");
  std::vector<Output> ends;
  for (int branch = 0; branch < 2; ++branch) {
    std::unique_ptr<GraphBuilder::DeviceScope> scope;
    if (split) scope = std::make_unique<GraphBuilder::DeviceScope>(b, "/cpu:" + std::to_string(branch + 1));
    Output h = *x;
    for (int layer = 0; layer < 4; ++layer) {
      Tensor w(DataType::kFloat32, TensorShape{32, 32});
      for (int64_t i = 0; i < w.num_elements(); ++i) {
        w.data<float>()[i] = float((i * 7 + layer * 13 + branch * 5) % 17 - 8) / 16.0f;
      }
      h = ops::Tanh(ops::MatMul(h, b.Const(w)));
    }
    ends.push_back(h);
  }
  std::unique_ptr<GraphBuilder::DeviceScope> join;
  if (split) join = std::make_unique<GraphBuilder::DeviceScope>(b, "/cpu:0");
  *y = ops::Softmax(ops::Add(ends[0], ends[1]), "y");

}

TEST(MultiDeviceTest, SplitAcrossThreeCpuDevicesIsBitIdentical) {
  Tensor feed(DataType::kFloat32, TensorShape{16, 32});
  for (int64_t i = 0; i < feed.num_elements(); ++i) feed.data<float>()[i] = float(i % 11) / 7.0f;
  std::vector<Tensor> results;
  for (bool split : {false, true}) {
    GraphBuilder b;
    Output x, y;
    TwoBranchGraph(b, split, &x, &y);
    SessionOptions o;
    o.runtime = CpuRuntime(split ? 3 : 1, 2);
    auto session = Session::Create(b.Build().value(), o);
    ASSERT_TRUE(session.ok()) << session.status();
    if (split) {
      std::set<std::string> used;
      for (const NodePlacement& p : (*session)->placement()) used.insert(p.device);
      EXPECT_EQ(used.size(), 3u);
    }
    for (int run = 0; run < 20; ++run) {
      auto out = (*session)->Run({{x, feed}}, {y});
      ASSERT_TRUE(out.ok()) << out.status();
      if (run == 0) results.push_back((*out)[0]);
      ASSERT_EQ(std::memcmp((*out)[0].raw_data(), results.back().raw_data(),
                            results.back().TotalBytes()),
                0);
    }
  }
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(std::memcmp(results[0].raw_data(), results[1].raw_data(), results[0].TotalBytes()), 0);
}

TEST(MultiDeviceTest, PlacementIsLoggedOncePerGraph) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {2}, "x");
  ops::Neg(x, "negated");
  SessionOptions o;
  o.log_device_placement = true;
  ::testing::internal::CaptureStderr();
  auto session = Session::Create(b.Build().value(), o);
  ASSERT_TRUE(session.ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE((*session)->Run({{x, Tensor::FromVector<float>({1, 2})}}, {"negated"}).ok());
  }
  std::string log = ::testing::internal::GetCapturedStderr();
  const std::string line = std::string("negated (Neg): ") + kCpuDeviceName;
  size_t first = log.find(line);
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find(line, first + 1), std::string::npos) << log;
}

TEST(MultiDeviceTest, KernelErrorNamesTheDevice) {
  GraphBuilder b;
  Output x;
  {
    GraphBuilder::DeviceScope d(b, "/cpu:2");
    x = b.Placeholder(DataType::kInt32, {2}, "x");
    ops::Div(x, x, "divide");
  }
  SessionOptions o;
  o.runtime = CpuRuntime(3);
  auto session = Session::Create(b.Build().value(), o);
  ASSERT_TRUE(session.ok());
  auto out = (*session)->Run({{x, Tensor::FromVector<int32_t>({1, 0})}}, {"divide"});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("'divide' (Div) on " + FullDeviceName("CPU", 2)));
  auto good = (*session)->Run({{x, Tensor::FromVector<int32_t>({1, 2})}}, {"divide"});
  ASSERT_TRUE(good.ok()) << good.status();
}

}  // namespace
}  // namespace graphrt
