// The NCCL collectives (kernels/gpu/nccl_collective_ops.cc) in a Session on
// real GPUs, against a plain reference computed here with the CPU kernels'
// rules (docs/collectives.md): a group of one GPU, groups of two physical
// GPUs (sum, mean, max for float32, int32 and int64 from 1 element to
// several MiB, broadcast, even and uneven all-gather, disagreement, a
// missing peer), logical GPUs of one card (through the host, Note [GPU
// collectives through the host]: the same reference, bit for bit, and no
// communicator made), keys fed at run time, and the communicators dropped
// with their devices. Each case skips, saying why, without the GPUs it needs (no GPU
// here: built without CUDA, or fewer physical GPUs than the case needs), and
// every case skips in builds without NCCL's header.
#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/ops/collective_ops.h"
#include "core/placer/device_name.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#ifdef GRAPHRT_HAVE_NCCL
#include "kernels/gpu/nccl_clique.h"
#endif

namespace graphrt {
namespace {

using ::testing::HasSubstr;
using R = ops::CollectiveReduction;

#ifdef GRAPHRT_HAVE_NCCL

// A runtime with one logical GPU (1 GiB) per physical GPU, or with the
// first card split in two when `split`; null when there are fewer than
// `cards` physical GPUs (the reason goes to `why`).
std::shared_ptr<Runtime> GpuRuntime(int cards, bool split, std::string* why) {
  auto runtime = Runtime::Create({.inter_op_threads = 2, .intra_op_threads = 2});
  std::vector<PhysicalDevice> gpus = runtime->ListPhysicalDevices("GPU");
  if (static_cast<int>(gpus.size()) < cards) {
    *why = absl::StrCat("needs ", cards, " physical GPU(s), found ", gpus.size(),
                        " (built without CUDA, or not enough visible)");
    return nullptr;
  }
  const LogicalDeviceConfiguration gib{.memory_limit_mb = 1024};
  for (size_t i = 0; i < gpus.size(); ++i) {
    std::vector<LogicalDeviceConfiguration> logical = {gib};
    if (split && i == 0) logical.push_back(gib);
    EXPECT_TRUE(runtime->SetLogicalDeviceConfiguration(gpus[i], logical).ok());
  }
  return runtime;
}

#define GPU_RUNTIME_OR_SKIP(var, cards, split)         \
  std::string var##_why;                                \
  auto var = GpuRuntime(cards, split, &var##_why);      \
  if (var == nullptr) GTEST_SKIP() << var##_why

// A session over `runtime` (soft placement: the int32 keys stay on the
// CPU); every node named in `on_gpu` must have been placed on GPU:<i>.
std::unique_ptr<Session> GpuSession(GraphBuilder& b, std::shared_ptr<Runtime> runtime,
                                    const std::vector<std::string>& on_gpu) {
  SessionOptions options;
  options.runtime = std::move(runtime);
  auto graph = b.Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  if (!graph.ok()) return nullptr;
  auto session = Session::Create(std::move(*graph), options);
  EXPECT_TRUE(session.ok()) << session.status();
  if (!session.ok()) return nullptr;
  for (size_t i = 0; i < on_gpu.size(); ++i) {
    const Node* n = (*session)->graph().FindNode(on_gpu[i]);
    EXPECT_NE(n, nullptr) << on_gpu[i];
    if (n == nullptr) return nullptr;
    EXPECT_EQ((*session)->placement()[n->id()].device,
              FullDeviceName("GPU", static_cast<int>(i)))
        << on_gpu[i] << " must run on the GPU, not fall back";
  }
  return std::move(*session);
}

template <typename T>
Tensor Random(TensorShape shape, int seed) {
  Tensor t(DataTypeOf<T>(), shape);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-1000, 1000);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<T>()[i] = static_cast<T>(d(rng)) / T(4);
  return t;
}

std::vector<TensorName> Names(const std::vector<Output>& outputs) {
  return std::vector<TensorName>(outputs.begin(), outputs.end());
}

// `parts` participants on GPU:0..parts-1 all-reduce fed tensors of n
// elements, for two steps; every output must equal the reference (the CPU
// rules: sum, max, mean = sum / parts truncated for integers) bit for bit.
// Two ranks: a + b and (a + b) / 2 are exact in float32 whatever the order.
template <typename T>
void CheckAllReduce(const std::shared_ptr<Runtime>& runtime, int parts, int64_t n, R reduction) {
  GraphBuilder b;
  std::vector<Output> xs, results;
  std::vector<std::string> names;
  for (int d = 0; d < parts; ++d) {
    GraphBuilder::DeviceScope on(b, absl::StrCat("/gpu:", d));
    xs.push_back(b.Placeholder(DataTypeOf<T>(), {n}, absl::StrCat("x", d)));
    names.push_back(absl::StrCat("ar", d));
    results.push_back(ops::CollectiveAllReduce(xs.back(), reduction, {parts, 1, 2, 30.0f},
                                               names.back()));
  }
  auto session = GpuSession(b, runtime, names);
  ASSERT_NE(session, nullptr);
  for (int step = 0; step < 2; ++step) {
    FeedList feeds;
    std::vector<Tensor> in;
    for (int d = 0; d < parts; ++d) {
      in.push_back(Random<T>(TensorShape{n}, 31 * d + 7 + step));
      feeds.push_back({xs[d], in.back()});
    }
    auto out = session->Run(feeds, Names(results));
    ASSERT_TRUE(out.ok()) << out.status();
    for (int64_t i = 0; i < n; ++i) {
      T want = in[0].data<T>()[i];
      for (int d = 1; d < parts; ++d) {
        const T v = in[d].data<T>()[i];
        want = reduction == R::kMax ? std::max(want, v) : want + v;
      }
      if (reduction == R::kMean) want /= static_cast<T>(parts);
      for (int d = 0; d < parts; ++d) {
        ASSERT_EQ(out->at(d).data<T>()[i], want)
            << DataTypeName(DataTypeOf<T>()) << " reduction " << static_cast<int>(reduction)
            << ", n " << n << ", i " << i << ", rank " << d;
      }
    }
  }
}

TEST(NcclCollectiveOpsTest, GroupOfOneGpuIsTheInput) {
  GPU_RUNTIME_OR_SKIP(runtime, 1, false);
  for (R r : {R::kSum, R::kMean, R::kMax}) {
    CheckAllReduce<float>(runtime, 1, 1000, r);
    CheckAllReduce<int32_t>(runtime, 1, 7, r);
    CheckAllReduce<int64_t>(runtime, 1, 1, r);
  }
}

TEST(NcclCollectiveOpsTest, BroadcastAndGatherInAGroupOfOneGpu) {
  GPU_RUNTIME_OR_SKIP(runtime, 1, false);
  GraphBuilder b;
  Output x;
  std::vector<Output> results;
  {
    GraphBuilder::DeviceScope on(b, "/gpu:0");
    x = b.Placeholder(DataType::kFloat32, {3, 2}, "x");
    results.push_back(ops::CollectiveBroadcastSend(x, {1, 1, 1}, "send"));
    results.push_back(ops::CollectiveAllGather(x, {1, 1, 2}, "gather"));
  }
  auto session = GpuSession(b, runtime, {"send"});
  ASSERT_NE(session, nullptr);
  const Tensor in = Random<float>(TensorShape{3, 2}, 3);
  auto out = session->Run({{x, in}}, Names(results));
  ASSERT_TRUE(out.ok()) << out.status();
  for (const Tensor& t : *out) {
    ASSERT_EQ(t.shape(), (TensorShape{3, 2}));
    for (int i = 0; i < 6; ++i) EXPECT_EQ(t.data<float>()[i], in.data<float>()[i]) << i;
  }
}

TEST(NcclCollectiveOpsTest, TwoGpusAllReduceEveryDtypeAndSize) {
  GPU_RUNTIME_OR_SKIP(runtime, 2, false);
  // 1 element to 4 MiB of float32 / 8 MiB of int64; odd sizes included.
  for (int64_t n : {int64_t{1}, int64_t{1001}, int64_t{1} << 20}) {
    for (R r : {R::kSum, R::kMean, R::kMax}) {
      CheckAllReduce<float>(runtime, 2, n, r);
      CheckAllReduce<int32_t>(runtime, 2, n, r);
      CheckAllReduce<int64_t>(runtime, 2, n, r);
    }
  }
}

// GPU:1 broadcasts n float32 to GPU:0; both outputs must equal its input.
void CheckBroadcast(const std::shared_ptr<Runtime>& runtime, int64_t n) {
  GraphBuilder b;
  Output x;
  std::vector<Output> results(2);
  {
    GraphBuilder::DeviceScope on(b, "/gpu:0");
    results[0] = ops::CollectiveBroadcastRecv(b, DataType::kFloat32, TensorShape{n},
                                              {2, 3, 8, 30.0f}, "recv");
  }
  {
    GraphBuilder::DeviceScope on(b, "/gpu:1");
    x = b.Placeholder(DataType::kFloat32, {n}, "x");
    results[1] = ops::CollectiveBroadcastSend(x, {2, 3, 8, 30.0f}, "send");
  }
  auto session = GpuSession(b, runtime, {"recv", "send"});
  ASSERT_NE(session, nullptr);
  const Tensor in = Random<float>(TensorShape{n}, 5);
  auto out = session->Run({{x, in}}, Names(results));
  ASSERT_TRUE(out.ok()) << out.status();
  for (const Tensor& t : *out) {
    ASSERT_EQ(t.num_elements(), n);
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(t.data<float>()[i], in.data<float>()[i]) << i;
  }
}

TEST(NcclCollectiveOpsTest, TwoGpusBroadcastFromTheSecond) {
  GPU_RUNTIME_OR_SKIP(runtime, 2, false);
  CheckBroadcast(runtime, 1);        // 4 B
  CheckBroadcast(runtime, 1 << 19);  // 2 MiB
}

// rows[d] rows of [3] int64 on GPU:d: row r = {1000 d + r, -r, d}; every
// output must be the rows of GPU:0, then of GPU:1 (ranks follow the names).
void CheckGather(const std::shared_ptr<Runtime>& runtime, std::vector<int64_t> rows) {
  GraphBuilder b;
  std::vector<Output> results;
  for (int d = 0; d < 2; ++d) {
    GraphBuilder::DeviceScope on(b, absl::StrCat("/gpu:", d));
    Output mine = b.Placeholder(DataType::kInt64, {rows[d], 3}, absl::StrCat("x", d));
    results.push_back(ops::CollectiveAllGather(mine, {2, 2, 7, 30.0f}, absl::StrCat("g", d)));
  }
  auto session = GpuSession(b, runtime, {"g0", "g1"});
  ASSERT_NE(session, nullptr);
  FeedList feeds;
  std::vector<int64_t> want;
  for (int d = 0; d < 2; ++d) {
    std::vector<int64_t> v;
    for (int64_t r = 0; r < rows[d]; ++r) v.insert(v.end(), {1000 * d + r, -r, d});
    want.insert(want.end(), v.begin(), v.end());
    feeds.push_back({TensorName(absl::StrCat("x", d)),
                     Tensor::FromVector<int64_t>(v, TensorShape{rows[d], 3})});
  }
  auto out = session->Run(feeds, Names(results));
  ASSERT_TRUE(out.ok()) << out.status();
  for (const Tensor& g : *out) {
    ASSERT_EQ(g.shape(), (TensorShape{rows[0] + rows[1], 3}));
    for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(g.data<int64_t>()[i], want[i]) << i;
  }
}

TEST(NcclCollectiveOpsTest, TwoGpusGatherEvenUnevenAndEmpty) {
  GPU_RUNTIME_OR_SKIP(runtime, 2, false);
  CheckGather(runtime, {4, 4});             // ncclAllGather
  CheckGather(runtime, {1, 3});             // grouped send/receive
  CheckGather(runtime, {0, 2});             // one rank sends nothing
  CheckGather(runtime, {100000, 70000});    // MiBs, uneven
}

TEST(NcclCollectiveOpsTest, TwoGpusThatDisagreeBothFailNamingBoth) {
  GPU_RUNTIME_OR_SKIP(runtime, 2, false);
  GraphBuilder b;
  std::vector<Output> results;
  for (int d = 0; d < 2; ++d) {
    GraphBuilder::DeviceScope on(b, absl::StrCat("/gpu:", d));
    Output x = b.Placeholder(DataType::kFloat32, {d + 2}, absl::StrCat("x", d));
    results.push_back(ops::CollectiveAllReduce(x, R::kSum, {2, 5, 5, 30.0f},
                                               absl::StrCat("ar", d)));
  }
  auto session = GpuSession(b, runtime, {"ar0", "ar1"});
  ASSERT_NE(session, nullptr);
  auto out = session->Run({{TensorName("x0"), Random<float>(TensorShape{2}, 1)},
                           {TensorName("x1"), Random<float>(TensorShape{3}, 2)}},
                          Names(results));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  EXPECT_THAT(out.status().message(), HasSubstr("float32[2]"));
  EXPECT_THAT(out.status().message(), HasSubstr("float32[3]"));
}

TEST(NcclCollectiveOpsTest, MissingPeerOnAGpuFailsWithinItsTimeout) {
  GPU_RUNTIME_OR_SKIP(runtime, 1, false);
  GraphBuilder b;
  Output r;
  {
    GraphBuilder::DeviceScope on(b, "/gpu:0");  // group_size 2, one participant
    r = ops::CollectiveAllReduce(b.Placeholder(DataType::kFloat32, {2}, "x"), R::kSum,
                                 {2, 6, 6, 0.3f}, "ar0");
  }
  auto session = GpuSession(b, runtime, {"ar0"});
  ASSERT_NE(session, nullptr);
  const auto start = std::chrono::steady_clock::now();
  auto out = session->Run({{TensorName("x"), Random<float>(TensorShape{2}, 1)}}, {r});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kDeadlineExceeded) << out.status();
  EXPECT_THAT(out.status().message(), HasSubstr("never arrived"));
}

// Two logical GPUs split from one card cannot be two NCCL ranks: they go
// through the host and give the reference's bits (the CPU kernels' rules),
// for every collective; no communicator is made for them.
TEST(NcclCollectiveOpsTest, LogicalGpusOfOneCardGoThroughTheHost) {
  GPU_RUNTIME_OR_SKIP(runtime, 1, true);
  std::vector<DeviceAttributes> gpus = runtime->ListLogicalDevices("GPU");
  ASSERT_GE(gpus.size(), 2u);
  ASSERT_EQ(gpus[0].physical_id, gpus[1].physical_id);  // GPU:0 and GPU:1 share a card
  const int cliques = NcclCliques::Default().size();
  for (int64_t n : {int64_t{1}, int64_t{1001}, int64_t{1} << 18}) {
    for (R r : {R::kSum, R::kMean, R::kMax}) {
      CheckAllReduce<float>(runtime, 2, n, r);
      CheckAllReduce<int32_t>(runtime, 2, n, r);
      CheckAllReduce<int64_t>(runtime, 2, n, r);
    }
  }
  CheckBroadcast(runtime, 1);
  CheckBroadcast(runtime, 1 << 19);
  CheckGather(runtime, {4, 4});
  CheckGather(runtime, {1, 3});
  CheckGather(runtime, {0, 2});
  EXPECT_EQ(NcclCliques::Default().size(), cliques);
}

// One card split in two plus a second card: a group with any two devices on
// one card goes through the host, all three ranks (float sums in rank order).
TEST(NcclCollectiveOpsTest, AGroupSharingOneCardOfTwoGoesThroughTheHost) {
  GPU_RUNTIME_OR_SKIP(runtime, 2, true);
  const int cliques = NcclCliques::Default().size();
  for (R r : {R::kSum, R::kMean, R::kMax}) {
    CheckAllReduce<float>(runtime, 3, 1001, r);
    CheckAllReduce<int32_t>(runtime, 3, 1001, r);
  }
  EXPECT_EQ(NcclCliques::Default().size(), cliques);
}

// Keys that are not constants are read from device memory at each step.
TEST(NcclCollectiveOpsTest, KeysFedAtRunTimeWork) {
  GPU_RUNTIME_OR_SKIP(runtime, 1, false);
  GraphBuilder b;
  Output x, size, key, result;
  {
    GraphBuilder::DeviceScope on(b, "/gpu:0");
    x = b.Placeholder(DataType::kInt32, {3}, "x");
    size = b.Placeholder(DataType::kInt32, PartialShape{}, "size");
    key = b.Placeholder(DataType::kInt32, PartialShape{}, "key");
    result = b.Op("CollectiveReduceV2", std::vector<Output>{x, size, key, key},
                  {{"merge_op", std::string("Add")}, {"final_op", std::string("Div")}}, "ar");
  }
  auto session = GpuSession(b, runtime, {"ar"});
  ASSERT_NE(session, nullptr);
  auto out = session->Run({{x, Tensor::FromVector<int32_t>({-7, 8, 9})},
                           {size, Tensor::FromVector<int32_t>({1}, TensorShape{})},
                           {key, Tensor::FromVector<int32_t>({3}, TensorShape{})}},
                          {result});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->at(0).data<int32_t>()[2], 9);
  EXPECT_EQ(out->at(0).data<int32_t>()[0], -7);
}

// A clique is made on first use and dropped with its devices.
TEST(NcclCollectiveOpsTest, CommunicatorsGoWithTheirDevices) {
  {
    GPU_RUNTIME_OR_SKIP(runtime, 2, false);
    CheckAllReduce<float>(runtime, 2, 16, R::kSum);
    EXPECT_GE(NcclCliques::Default().size(), 1);
  }
  EXPECT_EQ(NcclCliques::Default().size(), 0);
}

#else

TEST(NcclCollectiveOpsTest, SkippedWithoutNccl) {
  GTEST_SKIP() << "built without NCCL: kernels/gpu/nccl_* are not compiled";
}

#endif

}  // namespace
}  // namespace graphrt
