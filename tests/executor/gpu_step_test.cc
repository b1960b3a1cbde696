// The executor's side of asynchronous (GPU) devices, checked without a GPU: a
// fake Device over host memory that calls itself GPU memory stands in for
// CUDA. Copies into the "GPU" go through its CopyFromHost, copies out of it
// through its CopyToHost, fetched device tensors come back through
// StageToHost, and every step that ran on the device synchronises it exactly
// once, also when it fails.
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/executor/cpu_device.h"
#include "core/executor/executor.h"
#include "core/executor/kernel_registry.h"
#include "core/graph/builder.h"
#include "core/graph/ops/math_ops.h"
#include "core/placer/device_name.h"
#include "core/placer/partition.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/executor/fake_device_memory.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

// An asynchronous device over that memory, standing in for a CUDA device;
// counts every call.
class FakeGpuDevice final : public Device {
 public:
  explicit FakeGpuDevice(DeviceAttributes attributes)
      : Device(std::move(attributes), Memory(), nullptr,
               DeviceQueueOptions{/*inter_op_threads=*/1, /*intra_op_threads=*/0,
                                  /*asynchronous=*/true}) {}
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
  absl::StatusOr<Tensor> StageToHost(const Tensor& value) override {
    ++to_host_async;
    absl::StatusOr<Tensor> copy = Tensor::Allocate(HostAllocator(), value.dtype(), value.shape());
    if (copy.ok()) std::memcpy(copy->raw_data(), value.raw_data(), value.TotalBytes());
    return copy;
  }
  absl::Status Synchronize() override {
    ++syncs;
    absl::Status s = next_sync_error;
    next_sync_error = absl::OkStatus();
    return s;
  }
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
  int from_host = 0, to_host = 0, to_host_async = 0, syncs = 0;
  absl::Status next_sync_error;

 private:
  static Allocator* Memory() {
    // Made before any device: the base constructor reads it.
    static testing::FakeDeviceMemory memory;
    return &memory;
  }
};

// _Copy onto the fake GPU through Device::CopyFrom, as kernels/gpu does it.
class FakeGpuCopy final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    absl::StatusOr<Tensor*> out = ctx.allocate_output(0, in.shape());
    if (!out.ok()) return out.status();
    return ctx.device()->CopyFrom(*ctx.source_device(), in.raw_data(), (*out)->raw_data(),
                                  in.TotalBytes());
  }
};

// Neg on the fake GPU: reads and writes "device" memory through device_data.
class FakeGpuNeg final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    absl::StatusOr<Tensor*> out = ctx.allocate_output(0, in.shape());
    if (!out.ok()) return out.status();
    const float* x = in.device_data<float>();
    float* y = (*out)->device_data<float>();
    for (int64_t i = 0; i < in.num_elements(); ++i) y[i] = -x[i];
    return absl::OkStatus();
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
    cpu_ = CreateCpuDevice(devices_[0], 1, 0, HostAllocator());
    gpu_ = std::make_unique<FakeGpuDevice>(devices_[1]);
    device_ptrs_ = {cpu_.get(), gpu_.get()};
    for (int i = 0; i < graph_.num_nodes(); ++i) {
      const int device = partitioned->placement[i].device_index;
      node_device_.push_back(device);
      const Node& node = graph_.node(i);
      OpKernelConstruction c(node, device_ptrs_[device], &resources_);
      if (device == 1 && node.op() == "_Copy") {
        kernels_.push_back(std::make_unique<FakeGpuCopy>(c));
      } else if (device == 1 && node.op() == "Neg") {
        kernels_.push_back(std::make_unique<FakeGpuNeg>(c));
      } else {
        kernels_.push_back(KernelRegistry::Global().CreateKernel(c).value());
      }
      kernel_ptrs_.push_back(kernels_.back().get());
    }
  }

  std::unique_ptr<ExecutorPlan> Plan(std::vector<std::string> fetches) {
    ExecutorEnv env;
    env.graph = &graph_;
    env.kernels = kernel_ptrs_;
    env.node_device = node_device_;
    env.devices = device_ptrs_;
    env.resources = &resources_;
    std::vector<std::string> feeds = {"x"};
    return ExecutorPlan::Build(env, feeds, fetches, {}).value();
  }

  Output x_, y_, z_;
  std::vector<DeviceAttributes> devices_;
  Graph graph_;
  std::unique_ptr<Device> cpu_;
  std::unique_ptr<FakeGpuDevice> gpu_;
  std::vector<Device*> device_ptrs_;
  ResourceMgr resources_;
  std::vector<int32_t> node_device_;
  std::vector<std::unique_ptr<OpKernel>> kernels_;
  std::vector<OpKernel*> kernel_ptrs_;
  const std::vector<Tensor> feed_ = {Tensor::FromVector<float>({1, 2, 3})};
};

TEST_F(GpuStepTest, FetchFromTheGpuIsCopiedToTheHostAndSynchronisedOnce) {
  std::unique_ptr<ExecutorPlan> plan = Plan({"y"});
  for (int step = 1; step <= 3; ++step) {
    auto out = plan->Run(feed_, step);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_THAT((*out)[0].flat<float>(), ::testing::ElementsAre(-1, -2, -3));
    EXPECT_EQ(gpu_->from_host, step);      // x onto the device
    EXPECT_EQ(gpu_->to_host_async, step);  // the fetch
    EXPECT_EQ(gpu_->syncs, step);          // one wait per step
  }
}

TEST_F(GpuStepTest, CopyOutOfTheGpuUsesItsQueue) {
  std::unique_ptr<ExecutorPlan> plan = Plan({"z"});
  auto out = plan->Run(feed_, 1);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FLOAT_EQ((*out)[0].flat<float>()[2], std::exp(-3.0f));
  EXPECT_EQ(gpu_->to_host, 1);        // the CPU _Copy read through the GPU's queue
  EXPECT_EQ(gpu_->to_host_async, 0);  // z is a CPU tensor: no fetch copy
  EXPECT_EQ(gpu_->syncs, 1);
}

TEST_F(GpuStepTest, AnAsynchronousErrorBecomesTheStepStatusAndTheNextStepWorks) {
  std::unique_ptr<ExecutorPlan> plan = Plan({"y"});
  gpu_->next_sync_error = absl::InternalError("CUDA error cudaErrorIllegalAddress on GPU:0");
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
  EXPECT_EQ(gpu_->recorded, 1 + 2 * gpu_events);
  EXPECT_EQ(gpu_->released, gpu_->recorded);  // no event leaks
  EXPECT_THAT(trace.ToChromeJson(), HasSubstr("\"compute stream\""));
  // Untraced steps record no events.
  ASSERT_TRUE(plan->Run(feed_, 2).ok());
  EXPECT_EQ(gpu_->recorded, 1 + 2 * gpu_events);
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
  EXPECT_EQ(gpu_->syncs, 0);
  // z fails on the CPU after the GPU's work was launched: the step's error
  // wins, and the GPU is still drained before Run returns.
  const Node* z = graph_.FindNode("z");
  ASSERT_NE(z, nullptr);
  OpKernelConstruction c(*z, cpu_.get(), &resources_);
  FailingKernel failing(c);
  kernel_ptrs_[z->id()] = &failing;
  gpu_->next_sync_error = absl::InternalError("also broken");
  auto out = Plan({"z"})->Run(feed_, 2);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("boom"));
  EXPECT_EQ(gpu_->syncs, 1);
}

}  // namespace
}  // namespace graphrt
