// The executor's side of GPU devices, checked without a GPU: a fake GpuQueue
// over host memory stands in for CUDA. Copies into the "GPU" go through its
// queue, copies out of it name their source queue, fetched device tensors
// come back through CopyToHostAsync into the pinned pool, and every step
// that ran on the device synchronises it exactly once, also when it fails.
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <tbb/task_arena.h>

#include "core/executor/executor.h"
#include "core/executor/kernel_registry.h"
#include "core/graph/builder.h"
#include "core/graph/ops/math_ops.h"
#include "core/placer/device_name.h"
#include "core/placer/partition.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

// Host memory standing in for device memory; counts every call.
class FakeGpuQueue final : public GpuQueue {
 public:
  const std::string& name() const override { return name_; }
  int physical_id() const override { return 0; }
  absl::Status CopyFromHost(const void* src, void* dst, size_t bytes) override {
    ++from_host;
    std::memcpy(dst, src, bytes);
    return absl::OkStatus();
  }
  absl::Status CopyToHost(const void* src, void* dst, size_t bytes) override {
    ++to_host;
    std::memcpy(dst, src, bytes);
    return absl::OkStatus();
  }
  absl::Status CopyToHostAsync(const void* src, void* dst, size_t bytes) override {
    ++to_host_async;
    std::memcpy(dst, src, bytes);
    return absl::OkStatus();
  }
  absl::Status CopyFromDevice(GpuQueue&, const void* src, void* dst, size_t bytes) override {
    ++from_device;
    std::memcpy(dst, src, bytes);
    return absl::OkStatus();
  }
  absl::Status Synchronize() override {
    ++syncs;
    absl::Status s = next_sync_error;
    next_sync_error = absl::OkStatus();
    return s;
  }
  Allocator* pinned_allocator() const override { return HostAllocator(); }
  // Timing events: handle k is the k-th recorded, "completed" at 1 us steps.
  void* RecordTimingEvent() override {
    ++recorded;
    return reinterpret_cast<void*>(static_cast<intptr_t>(recorded));
  }
  int64_t ElapsedNs(void* from, void* to) override {
    return 1000 * (reinterpret_cast<intptr_t>(to) - reinterpret_cast<intptr_t>(from));
  }
  void ReleaseTimingEvent(void* event) override { released += event != nullptr; }

  int recorded = 0, released = 0;
  int from_host = 0, to_host = 0, to_host_async = 0, from_device = 0, syncs = 0;
  absl::Status next_sync_error;

 private:
  std::string name_ = FullDeviceName("GPU", 0);
};

// _Copy onto the fake GPU, as kernels/gpu does it on a real one.
class FakeGpuCopy final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    absl::StatusOr<Tensor*> out = ctx.allocate_output(0, in.shape());
    if (!out.ok()) return out.status();
    if (ctx.source_gpu() != nullptr) {
      return ctx.gpu()->CopyFromDevice(*ctx.source_gpu(), in.raw_data(), (*out)->raw_data(),
                                       in.TotalBytes());
    }
    return ctx.gpu()->CopyFromHost(in.raw_data(), (*out)->raw_data(), in.TotalBytes());
  }
};

// x (CPU) -> copy -> Neg on the GPU -> y; y -> copy -> Exp on the CPU -> z.
class GpuStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GraphBuilder b;
    {
      GraphBuilder::DeviceScope cpu(b, "/cpu:0");
      x_ = b.Placeholder(DataType::kFloat32, {3}, "x");
    }
    {
      GraphBuilder::DeviceScope gpu(b, "/gpu:0");
      y_ = ops::Neg(x_, "y");
    }
    GraphBuilder::DeviceScope cpu(b, "/cpu:0");
    z_ = ops::Exp(y_, "z");
    devices_ = {CpuDeviceAttributes(0), CpuDeviceAttributes(0)};
    devices_[1].name = FullDeviceName("GPU", 0);
    devices_[1].type = "GPU";
    Graph graph = b.Build().value();
    auto placement = PlaceGraph(graph, devices_, [](const Node&) {
      return std::vector<std::string>{"CPU", "GPU"};
    });
    ASSERT_TRUE(placement.ok()) << placement.status();
    auto partitioned = PartitionGraph(graph, *placement, devices_);
    ASSERT_TRUE(partitioned.ok()) << partitioned.status();
    graph_ = std::move(partitioned->graph);
    for (int i = 0; i < graph_.num_nodes(); ++i) {
      const int device = partitioned->placement[i].device_index;
      node_device_.push_back(device);
      OpKernelConstruction c(graph_.node(i), "CPU", &resources_, HostAllocator(),
                             device == 1 ? &gpu_ : nullptr);
      if (device == 1 && graph_.node(i).op() == "_Copy") {
        kernels_.push_back(std::make_unique<FakeGpuCopy>(c));
      } else {
        kernels_.push_back(DefaultKernelRegistry().CreateKernel(c).value());
      }
      kernel_ptrs_.push_back(kernels_.back().get());
    }
    for (int d = 0; d < 2; ++d) {
      arenas_.push_back(std::make_unique<tbb::task_arena>(1, 0));
      contexts_.push_back({devices_[d].name, arenas_.back().get(), 1, nullptr, HostAllocator(),
                           d == 1 ? &gpu_ : nullptr});
    }
  }

  std::unique_ptr<ExecutorPlan> Plan(std::vector<std::string> fetches) {
    ExecutorEnv env;
    env.graph = &graph_;
    env.kernels = kernel_ptrs_;
    env.node_device = node_device_;
    env.devices = contexts_;
    env.resources = &resources_;
    std::vector<std::string> feeds = {"x"};
    return ExecutorPlan::Build(env, feeds, fetches, {}).value();
  }

  Output x_, y_, z_;
  std::vector<DeviceAttributes> devices_;
  Graph graph_;
  FakeGpuQueue gpu_;
  ResourceMgr resources_;
  std::vector<int32_t> node_device_;
  std::vector<std::unique_ptr<OpKernel>> kernels_;
  std::vector<OpKernel*> kernel_ptrs_;
  std::vector<std::unique_ptr<tbb::task_arena>> arenas_;
  std::vector<DeviceContext> contexts_;
  const std::vector<Tensor> feed_ = {Tensor::FromVector<float>({1, 2, 3})};
};

TEST_F(GpuStepTest, FetchFromTheGpuIsCopiedToTheHostAndSynchronisedOnce) {
  std::unique_ptr<ExecutorPlan> plan = Plan({"y"});
  for (int step = 1; step <= 3; ++step) {
    auto out = plan->Run(feed_, step);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_THAT((*out)[0].flat<float>(), ::testing::ElementsAre(-1, -2, -3));
    EXPECT_EQ(gpu_.from_host, step);      // x onto the device
    EXPECT_EQ(gpu_.to_host_async, step);  // the fetch
    EXPECT_EQ(gpu_.syncs, step);          // one wait per step
  }
}

TEST_F(GpuStepTest, CopyOutOfTheGpuUsesItsQueue) {
  std::unique_ptr<ExecutorPlan> plan = Plan({"z"});
  auto out = plan->Run(feed_, 1);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FLOAT_EQ((*out)[0].flat<float>()[2], std::exp(-3.0f));
  EXPECT_EQ(gpu_.to_host, 1);        // the CPU _Copy read through the GPU's queue
  EXPECT_EQ(gpu_.to_host_async, 0);  // z is a CPU tensor: no fetch copy
  EXPECT_EQ(gpu_.syncs, 1);
}

TEST_F(GpuStepTest, AnAsynchronousErrorBecomesTheStepStatusAndTheNextStepWorks) {
  std::unique_ptr<ExecutorPlan> plan = Plan({"y"});
  gpu_.next_sync_error = absl::InternalError("CUDA error cudaErrorIllegalAddress on GPU:0");
  auto failed = plan->Run(feed_, 1);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(failed.status().message(), HasSubstr("cudaErrorIllegalAddress"));
  auto out = plan->Run(feed_, 2);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ::testing::ElementsAre(-1, -2, -3));
}

TEST_F(GpuStepTest, TracedStepsPlaceGpuWorkOnTheComputeStreamTrack) {
  std::unique_ptr<ExecutorPlan> plan = Plan({"z"});
  StepTrace trace;
  ASSERT_TRUE(plan->Run(feed_, 1, &trace).ok());
  int gpu_events = 0;
  for (const NodeTraceEvent& e : trace.events) {
    if (e.device == 1) {
      ++gpu_events;
      EXPECT_GE(e.device_start_ns, 1000) << e.node;  // after the step's origin event
      EXPECT_EQ(e.device_end_ns - e.device_start_ns, 1000) << e.node;
    } else {
      EXPECT_EQ(e.device_start_ns, -1) << e.node;
    }
  }
  EXPECT_EQ(gpu_events, 2);  // the copy onto the GPU and y
  EXPECT_EQ(gpu_.recorded, 1 + 2 * gpu_events);
  EXPECT_EQ(gpu_.released, gpu_.recorded);  // no event leaks
  EXPECT_THAT(trace.ToChromeJson(), HasSubstr("\"compute stream\""));
  // Untraced steps record no events.
  ASSERT_TRUE(plan->Run(feed_, 2).ok());
  EXPECT_EQ(gpu_.recorded, 1 + 2 * gpu_events);
}

class FailingKernel final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext&) override { return absl::InvalidArgumentError("boom"); }
};

TEST_F(GpuStepTest, AFailedStepStillDrainsTheGpu) {
  // A feed of the wrong shape is refused before anything runs: nothing to wait for.
  const std::vector<Tensor> wrong = {Tensor::FromVector<float>({1, 2})};
  EXPECT_FALSE(Plan({"y"})->Run(wrong, 1).ok());
  EXPECT_EQ(gpu_.syncs, 0);
  // z fails on the CPU after the GPU's work was launched: the step's error
  // wins, and the GPU is still drained before Run returns.
  const Node* z = graph_.FindNode("z");
  ASSERT_NE(z, nullptr);
  OpKernelConstruction c(*z, "CPU", &resources_, HostAllocator());
  FailingKernel failing(c);
  kernel_ptrs_[z->id()] = &failing;
  gpu_.next_sync_error = absl::InternalError("also broken");
  auto out = Plan({"z"})->Run(feed_, 2);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("boom"));
  EXPECT_EQ(gpu_.syncs, 1);
}

}  // namespace
}  // namespace graphrt
