// Placement and device discovery on real GPUs: the book's placement example
// (a float32 variable lands on GPU:0, an int32 one on CPU:0), one physical
// GPU split into two logical GPUs running one branch each, and
// CUDA_VISIBLE_DEVICES, which the CUDA runtime reads once per process, so
// those checks run in a child process (this binary, re-executed with a
// filter). Without a GPU the first two skip; the child-process checks still
// run (a build without CUDA must report zero GPUs too).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/executor/kernel_registry.h"
#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "core/placer/device_name.h"
#include "gtest/gtest.h"
#include "tests/kernels/conformance/conformance.h"

extern char** environ;

namespace graphrt::conformance {
namespace {

// A runtime whose GPUs are each capped at 1 GiB (the shared one stays
// alive beside it), or null when there is no GPU.
std::shared_ptr<Runtime> GpuRuntime() {
  auto runtime = Runtime::Create({.inter_op_threads = 2, .intra_op_threads = 2});
  std::vector<PhysicalDevice> gpus = runtime->ListPhysicalDevices("GPU");
  if (gpus.empty()) return nullptr;
  for (const PhysicalDevice& gpu : gpus) {
    EXPECT_TRUE(runtime->SetLogicalDeviceConfiguration(gpu, {{.memory_limit_mb = 1024}}).ok());
  }
  return runtime;
}

// The first node named `name` in the session's graph.
const NodePlacement& PlacementOf(const Session& s, absl::string_view name) {
  return s.placement()[s.graph().FindNode(name)->id()];
}

TEST(GpuPlacementTest, BookExampleFloatVariableOnGpuIntVariableOnCpu) {
  auto runtime = GpuRuntime();
  if (runtime == nullptr) GTEST_SKIP() << kNoGpuReason;
  ASSERT_FALSE(runtime->ListLogicalDevices("GPU").empty())
      << "a physical GPU but no logical one; startup errors: "
      << (runtime->gpu_startup_errors().empty() ? "" : runtime->gpu_startup_errors()[0]);
  GraphBuilder b;
  Variable f = b.NewVariable("float_var", Tensor::FromVector<float>({1.5f, -2.0f}));
  Variable i = b.NewVariable("int_var", Tensor::FromVector<int32_t>({3, 4}));
  Output fr = f.Read("float_read");
  Output ir = i.Read("int_read");
  SessionOptions o;
  o.runtime = runtime;
  o.allow_soft_placement = false;
  auto session = Session::Create(b.Build().value(), o);
  ASSERT_TRUE(session.ok()) << session.status();
  const std::string gpu0 = FullDeviceName("GPU", 0);
  EXPECT_EQ(PlacementOf(**session, "float_var").device, gpu0);
  EXPECT_EQ(PlacementOf(**session, "float_var").rule, "default");
  EXPECT_EQ(PlacementOf(**session, "float_read").device, gpu0);
  EXPECT_EQ(PlacementOf(**session, "int_var").device, kCpuDeviceName);
  EXPECT_TRUE(absl::StrContains(PlacementOf(**session, "int_var").reason, "int32"))
      << PlacementOf(**session, "int_var").reason;
  EXPECT_EQ(PlacementOf(**session, "int_read").device, kCpuDeviceName);
  auto out = (*session)->Run({}, {fr, ir});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].data<float>()[0], 1.5f);  // fetched to host memory
  EXPECT_EQ((*out)[0].data<float>()[1], -2.0f);
  EXPECT_EQ((*out)[1].data<int32_t>()[1], 4);
}

// Two MatMul/Tanh chains joined by a Softmax; `devices` names where branch
// 0, branch 1 and the join go ("" for no request).
Output TwoBranchGraph(GraphBuilder& b, const std::vector<std::string>& devices) {
  Output x;
  {
    GraphBuilder::DeviceScope cpu(b, "/CPU:0");
    x = b.Const(RandomTensor({16, 32}, 1), "x");
  }
  std::vector<Output> ends;
  for (int branch = 0; branch < 2; ++branch) {
    GraphBuilder::DeviceScope d(b, devices[branch]);
    Output h = x;
    for (int layer = 0; layer < 4; ++layer) {
      h = ops::Tanh(ops::MatMul(h, b.Const(RandomTensor({32, 32}, 10 * branch + layer + 2))));
    }
    ends.push_back(h);
  }
  GraphBuilder::DeviceScope join(b, devices[2]);
  return ops::Softmax(ops::Add(ends[0], ends[1]), "y");
}

TEST(GpuPlacementTest, OneGpuSplitInTwoRunsABranchOnEach) {
  auto runtime = Runtime::Create({.inter_op_threads = 2, .intra_op_threads = 2});
  std::vector<PhysicalDevice> gpus = runtime->ListPhysicalDevices("GPU");
  if (gpus.empty()) GTEST_SKIP() << kNoGpuReason;
  ASSERT_TRUE(runtime
                  ->SetLogicalDeviceConfiguration(
                      gpus[0], {{.memory_limit_mb = 1024}, {.memory_limit_mb = 1024}})
                  .ok());
  std::vector<DeviceAttributes> logical = runtime->ListLogicalDevices("GPU");
  ASSERT_GE(logical.size(), 2u);
  EXPECT_EQ(logical[0].name, FullDeviceName("GPU", 0));
  EXPECT_EQ(logical[1].name, FullDeviceName("GPU", 1));
  EXPECT_EQ(logical[0].physical_id, logical[1].physical_id);
  EXPECT_EQ(logical[1].memory_limit, int64_t{1024} << 20);

  std::vector<Tensor> results;
  for (const std::vector<std::string>& devices :
       {std::vector<std::string>{"/CPU:0", "/CPU:0", "/CPU:0"},
        std::vector<std::string>{"/GPU:0", "/GPU:1", "/GPU:0"}}) {
    GraphBuilder b;
    Output y = TwoBranchGraph(b, devices);
    for (int id = 0; id < b.graph().num_nodes(); ++id) {
      const Node& node = b.graph().node(id);
      std::vector<std::string> types = KernelRegistry::Global().SupportedDeviceTypes(node);
      if (absl::StrContains(node.requested_device(), "GPU") &&
          std::find(types.begin(), types.end(), "GPU") == types.end()) {
        GTEST_SKIP() << "GPU has no kernel for " << node.DebugName();
      }
    }
    SessionOptions o;
    o.runtime = runtime;
    o.allow_soft_placement = false;
    auto session = Session::Create(b.Build().value(), o);
    ASSERT_TRUE(session.ok()) << session.status();
    auto out = (*session)->Run({}, {y});
    ASSERT_TRUE(out.ok()) << out.status();
    results.push_back((*out)[0]);
  }
  for (int64_t i = 0; i < results[0].num_elements(); ++i) {
    const float cpu = results[0].data<float>()[i], gpu = results[1].data<float>()[i];
    EXPECT_NEAR(gpu, cpu, std::max(1e-6, 1e-4 * std::fabs(cpu))) << "element " << i;
  }
}

// ---- CUDA_VISIBLE_DEVICES, in a child process ----------------------------

constexpr char kExpectGpusEnv[] = "GRAPHRT_CONFORMANCE_EXPECT_GPUS";

// Runs only in the child: checks the GPU count the parent expects.
TEST(CudaVisibleDevicesTest, Child) {
  const char* expect = std::getenv(kExpectGpusEnv);
  if (expect == nullptr) GTEST_SKIP() << "runs in the child process the other tests start";
  auto runtime = Runtime::Create();
  const size_t want = std::strtoul(expect, nullptr, 10);
  const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
  EXPECT_EQ(runtime->ListPhysicalDevices("GPU").size(), want)
      << "CUDA_VISIBLE_DEVICES='" << (visible == nullptr ? "(unset)" : visible) << "'";
  EXPECT_EQ(runtime->ListLogicalDevices("GPU").size(), want);
  EXPECT_EQ(runtime->ListLogicalDevices("CPU").size(), 1u);
}

// This binary, re-run with only the Child test, CUDA_VISIBLE_DEVICES=`visible`
// and the expected count; the child's exit status (0: its checks passed).
int RunChild(const std::string& visible, size_t expect_gpus) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    // gtest's own variables would change what the child runs or where it
    // writes its report (over the parent's).
    if (absl::StartsWith(*e, "GTEST_") || absl::StartsWith(*e, "CUDA_VISIBLE_DEVICES=") ||
        absl::StartsWith(*e, kExpectGpusEnv)) {
      continue;
    }
    env.push_back(*e);
  }
  env.push_back("CUDA_VISIBLE_DEVICES=" + visible);
  env.push_back(absl::StrCat(kExpectGpusEnv, "=", expect_gpus));
  // Started through a dynamic loader (gpu-bundle/run does that on machines
  // with an older C library), /proc/self/exe is the loader: pass it the
  // program again (argv[0]); the libraries come from LD_LIBRARY_PATH.
  std::vector<std::string> args = {"/proc/self/exe"};
  char exe[PATH_MAX] = {};
  if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) > 0 &&
      absl::StartsWith(std::strrchr(exe, '/') + 1, "ld-linux")) {
    args.push_back(program_invocation_name);
  }
  args.push_back("--gtest_filter=CudaVisibleDevicesTest.Child");
  auto pointers = [](std::vector<std::string>& v) {
    std::vector<char*> p;
    for (std::string& s : v) p.push_back(s.data());
    p.push_back(nullptr);
    return p;
  };
  std::vector<char*> argv = pointers(args), envp = pointers(env);
  pid_t pid = 0;
  if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), envp.data()) != 0) {
    return -1;
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(CudaVisibleDevicesTest, EmptyValueHidesEveryGpu) {
  EXPECT_EQ(RunChild("", 0), 0) << "see the child's output above";
}

TEST(CudaVisibleDevicesTest, FirstGpuOnly) {
  const size_t gpus = Runtime::Create()->ListPhysicalDevices("GPU").size();
  if (gpus == 0) GTEST_SKIP() << kNoGpuReason;
  EXPECT_EQ(RunChild("0", 1), 0) << "see the child's output above";
}

}  // namespace
}  // namespace graphrt::conformance
