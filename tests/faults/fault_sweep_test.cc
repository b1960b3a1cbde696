// The fault sweep (tests/faults/fault_sweep.h) over three steps: one
// training step of the book's MLP (examples/fashion_mnist_mlp), one
// inference of the TF-frozen MLP (tests/data/tf_mlp_frozen.pb), and one
// training step split over three logical CPU devices. Every allocation and
// every kernel run of each step is failed in turn; the fault points covered
// are printed and recorded as test properties.
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/initializers.h"
#include "core/graph/io/npy.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/optimizers.h"
#include "core/graph/tf/tf_import.h"
#include "examples/fashion_mnist_mlp/mlp.h"
#include "gtest/gtest.h"
#include "tests/faults/fault_sweep.h"

namespace graphrt {
namespace {

// One thread of each kind: bit-reproducible steps and a fixed fault order.
SessionOptions SerialOptions(FaultInjectingAllocator* memory, FaultInjectingKernels* kernels,
                             int threads = 1) {
  SessionOptions o;
  o.inter_op_threads = threads;
  o.intra_op_threads = threads;
  // Several threads: dispatch every node, so that nodes do run concurrently.
  if (threads > 1) o.inline_cost_ns = 0;
  o.cpu_allocator = memory;
  o.kernels = kernels->registry();
  return o;
}

void Record(const std::string& name, const SweepReport& report) {
  std::printf("[fault sweep] %s: %s\n", name.c_str(), report.DebugString().c_str());
  ::testing::Test::RecordProperty("allocation_fault_points", static_cast<int>(report.allocations));
  ::testing::Test::RecordProperty("kernel_fault_points", static_cast<int>(report.kernel_runs));
  ::testing::Test::RecordProperty("faulted_steps", static_cast<int>(report.faulted_steps));
}

// `threads` inter-op and intra-op threads. More than one: the k-th allocation
// or kernel run varies from step to step, and so may the bits of reductions
// split over the intra-op pool.
void SweepMlpTrainingStep(int threads) {
  FaultInjectingAllocator memory(HostAllocator());
  FaultInjectingKernels kernels;
  auto trainer =
      mnist::Trainer::Create(mnist::MlpOptions{}, SerialOptions(&memory, &kernels, threads));
  ASSERT_TRUE(trainer.ok()) << trainer.status();
  mnist::Dataset data{Tensor(DataType::kUint8, {8, 28, 28}), Tensor(DataType::kInt64, {8})};
  InitRng rng(7);
  for (uint8_t& p : data.images.flat<uint8_t>()) p = static_cast<uint8_t>(rng.Next());
  for (int64_t& y : data.labels.flat<int64_t>()) y = static_cast<int64_t>(rng.Next() % 10);
  const std::vector<int64_t> order = mnist::ShuffledOrder(8, 1);

  SweepTarget target;
  target.name = absl::StrCat("MLP training step, ", threads, " thread(s)");
  target.deterministic = threads == 1;
  target.session = &(*trainer)->session();
  target.memory = &memory;
  target.kernels = &kernels;
  target.step = [&]() -> absl::StatusOr<std::vector<Tensor>> {
    ASSIGN_OR_RETURN(auto loss_and_correct, (*trainer)->Step(data, order));
    return std::vector<Tensor>{Tensor::Scalar(loss_and_correct.first),
                               Tensor::Scalar(loss_and_correct.second)};
  };
  for (const Variable& v : (*trainer)->model().variables) target.variables.push_back(v.name());
  const SweepReport report = SweepFaults(target);
  Record(target.name, report);
  // Cast, MatMul, BiasAdd, ... and their gradients: dozens of each.
  EXPECT_GT(report.allocations, 20);
  EXPECT_GT(report.kernel_runs, 20);
  EXPECT_EQ(report.faulted_steps + report.missed, report.allocations + 2 * report.kernel_runs);
  // Faults after an update ran leave it applied.
  if (target.deterministic) {
    EXPECT_GT(report.steps_leaving_updates, 0);
  }
}

TEST(FaultSweepTest, MlpTrainingStep) { SweepMlpTrainingStep(1); }

// Several threads: a fault stops a step while other nodes are running.
TEST(FaultSweepTest, MlpTrainingStepWithTwoThreads) { SweepMlpTrainingStep(2); }

TEST(FaultSweepTest, FrozenTfMlpInference) {
  absl::StatusOr<Graph> graph = ReadTfGraph(GRAPHRT_TEST_DATA "/tf_mlp_frozen.pb");
  ASSERT_TRUE(graph.ok()) << graph.status();
  absl::StatusOr<Tensor> images = ReadNpy(GRAPHRT_TEST_DATA "/tf_mlp_images.npy");
  ASSERT_TRUE(images.ok()) << images.status();
  FaultInjectingAllocator memory(HostAllocator());
  FaultInjectingKernels kernels;
  auto session = Session::Create(*std::move(graph), SerialOptions(&memory, &kernels));
  ASSERT_TRUE(session.ok()) << session.status();

  SweepTarget target;
  target.name = "frozen TF MLP inference";
  target.session = session->get();
  target.memory = &memory;
  target.kernels = &kernels;
  target.step = [&] { return (*session)->Run({{"images", *images}}, {"probabilities"}); };
  const SweepReport report = SweepFaults(target);
  Record(target.name, report);
  EXPECT_GE(report.allocations, 3);  // most outputs are forwarded inputs
  EXPECT_GT(report.kernel_runs, 5);
  EXPECT_EQ(report.faulted_steps, report.allocations + 2 * report.kernel_runs);
  EXPECT_EQ(report.steps_leaving_updates, 0);  // no variables
}

// x on CPU:0 feeds a tanh layer on each of CPU:1 and CPU:2, whose variables
// live there; the squared error is taken on CPU:0 and SGD updates both.
struct SplitModel {
  Output x, y, loss, train;
  std::vector<Variable> variables;
};

absl::StatusOr<SplitModel> BuildSplitModel(GraphBuilder& b) {
  SplitModel m;
  InitRng rng(3);
  {
    GraphBuilder::DeviceScope d(b, "/cpu:0");
    m.x = b.Placeholder(DataType::kFloat32, {8, 16}, "x");
    m.y = b.Placeholder(DataType::kFloat32, {8, 4}, "y");
  }
  std::vector<Output> ends;
  for (int device : {1, 2}) {
    GraphBuilder::DeviceScope d(b, absl::StrCat("/cpu:", device));
    Variable w = b.NewVariable(absl::StrCat("w", device), GlorotUniform({16, 4}, rng));
    m.variables.push_back(w);
    ends.push_back(ops::Tanh(ops::MatMul(m.x, w.Read())));
  }
  {
    GraphBuilder::DeviceScope d(b, "/cpu:0");
    Output diff = ops::Sub(ops::Add(ends[0], ends[1]), m.y);
    m.loss = ops::Mean(ops::Mul(diff, diff), {}, "loss");
  }
  ASSIGN_OR_RETURN(m.train, MinimizeWithSgd(m.loss, m.variables, 0.1f, "train"));
  return m;
}

void SweepThreeDeviceTrainingStep(int threads) {
  FaultInjectingAllocator memory(HostAllocator());
  FaultInjectingKernels kernels;
  // Logical CPU devices without a memory limit share RuntimeOptions::cpu_allocator.
  auto runtime = Runtime::Create({threads, threads, &memory});
  ASSERT_TRUE(runtime
                  ->SetLogicalDeviceConfiguration(runtime->ListPhysicalDevices("CPU")[0],
                                                  std::vector<LogicalDeviceConfiguration>(3))
                  .ok());
  GraphBuilder b;
  absl::StatusOr<SplitModel> model = BuildSplitModel(b);
  ASSERT_TRUE(model.ok()) << model.status();
  SessionOptions o = SerialOptions(&memory, &kernels, threads);
  o.runtime = runtime;
  auto session = Session::Create(b.Build().value(), o);
  ASSERT_TRUE(session.ok()) << session.status();
  std::set<std::string> used;
  for (const NodePlacement& p : (*session)->placement()) used.insert(p.device);
  EXPECT_EQ(used.size(), 3u);

  Tensor x(DataType::kFloat32, TensorShape{8, 16}), y(DataType::kFloat32, TensorShape{8, 4});
  for (int64_t i = 0; i < x.num_elements(); ++i) x.data<float>()[i] = float(i % 13) / 9.0f - 0.5f;
  for (int64_t i = 0; i < y.num_elements(); ++i) y.data<float>()[i] = float(i % 5) / 4.0f;
  SweepTarget target;
  target.name = absl::StrCat("training step on three logical CPUs, ", threads, " thread(s) each");
  target.deterministic = threads == 1;
  target.session = session->get();
  target.memory = &memory;
  target.kernels = &kernels;
  target.step = [&] {
    return (*session)->Run({{model->x, x}, {model->y, y}}, {model->loss}, {model->train});
  };
  for (const Variable& v : model->variables) target.variables.push_back(v.name());
  const SweepReport report = SweepFaults(target);
  Record(target.name, report);
  EXPECT_GT(report.allocations, 10);
  EXPECT_GT(report.kernel_runs, 10);
  EXPECT_EQ(report.faulted_steps + report.missed, report.allocations + 2 * report.kernel_runs);
  if (target.deterministic) {
    EXPECT_GT(report.steps_leaving_updates, 0);
  }
}

TEST(FaultSweepTest, TrainingStepOnThreeLogicalCpuDevices) { SweepThreeDeviceTrainingStep(1); }

TEST(FaultSweepTest, TrainingStepOnThreeLogicalCpuDevicesWithTwoThreadsEach) {
  SweepThreeDeviceTrainingStep(2);
}

// Making a session allocates too: constants and variables' initial values
// are copied into device memory as their kernels are made. Failing each of
// those allocations must fail Create naming the node, and free everything.
TEST(FaultSweepTest, MlpSessionCreation) {
  FaultInjectingAllocator memory(HostAllocator());
  FaultInjectingKernels kernels;
  memory.faults().Arm(0);
  {
    auto trainer = mnist::Trainer::Create(mnist::MlpOptions{}, SerialOptions(&memory, &kernels));
    ASSERT_TRUE(trainer.ok()) << trainer.status();
  }
  const int64_t allocations = memory.faults().count();
  EXPECT_GE(allocations, 4);  // W1, b1, W2, b2 at least
  ASSERT_EQ(memory.BytesInUse(), 0);
  for (int64_t k = 1; k <= allocations; ++k) {
    memory.faults().Arm(k);
    auto trainer = mnist::Trainer::Create(mnist::MlpOptions{}, SerialOptions(&memory, &kernels));
    memory.faults().Disarm();
    ASSERT_TRUE(memory.faults().fired()) << "allocation " << k;
    ASSERT_FALSE(trainer.ok()) << "allocation " << k;
    EXPECT_EQ(trainer.status().code(), absl::StatusCode::kResourceExhausted) << trainer.status();
    const std::string node = memory.last_fault_owner();
    EXPECT_FALSE(node.empty()) << "allocation " << k;
    EXPECT_NE(trainer.status().message().find(absl::StrCat("node '", node, "' (")),
              std::string::npos)
        << "allocation " << k << " in '" << node << "': " << trainer.status();
    EXPECT_EQ(memory.BytesInUse(), 0) << "allocation " << k << ": a failed Create kept memory";
  }
  EXPECT_EQ(memory.bad_frees(), 0);
  std::printf("[fault sweep] MLP session creation: %lld allocation fault points\n",
              static_cast<long long>(allocations));
  ::testing::Test::RecordProperty("allocation_fault_points", static_cast<int>(allocations));
}

}  // namespace
}  // namespace graphrt
