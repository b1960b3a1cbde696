// The strategies' graphs, inspected without running them: bucket planning,
// how many all-reduces a bucket size gives, that a bucket's all-reduce does
// not depend on the gradients of later buckets (so it can start while the
// backward pass still runs), the per-device chain and keys of the
// collectives, and the build-time errors. Running them: the *_run_test files.
#include <set>

#include "absl/strings/str_cat.h"
#include "core/graph/distribute/buckets.h"
#include "core/graph/distribute/strategy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/graph/distribute/test_models.h"

namespace graphrt {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace distribute;  // NOLINT: the module under test
using testing_distribute::MlpFeeds;
using testing_distribute::MlpModelFn;
using testing_distribute::MlpShape;

// The MLP's gradient sizes in bytes: w1 784x100, b1 100, w2 100x10, b2 10.
const std::vector<int64_t> kMlpBytes = {313600, 400, 4000, 40};

std::vector<std::vector<int>> Members(const std::vector<GradientBucket>& buckets) {
  std::vector<std::vector<int>> out;
  for (const GradientBucket& b : buckets) out.push_back(b.variables);
  return out;
}

TEST(PlanBucketsTest, LastVariableFirstUpToTheLimit) {
  EXPECT_THAT(Members(PlanBuckets(kMlpBytes, int64_t{4} << 20)),
              ElementsAre(ElementsAre(3, 2, 1, 0)));
  EXPECT_THAT(Members(PlanBuckets(kMlpBytes, 0)),
              ElementsAre(ElementsAre(3), ElementsAre(2), ElementsAre(1), ElementsAre(0)));
  // 40 + 4000 + 400 fit in 40000; w1 is larger than the limit: alone.
  EXPECT_THAT(Members(PlanBuckets(kMlpBytes, 40000)),
              ElementsAre(ElementsAre(3, 2, 1), ElementsAre(0)));
  // 40 + 4000 fill 4040 exactly; 400 starts the next bucket.
  EXPECT_THAT(Members(PlanBuckets(kMlpBytes, 4040)),
              ElementsAre(ElementsAre(3, 2), ElementsAre(1), ElementsAre(0)));
  // Gradients of 4000 bytes and more alone (unfused_bytes): w1 and w2 make
  // buckets of their own, b2 stays alone between them, b1 too.
  EXPECT_THAT(Members(PlanBuckets(kMlpBytes, int64_t{4} << 20, 4000)),
              ElementsAre(ElementsAre(3), ElementsAre(2), ElementsAre(1), ElementsAre(0)));
  // The small gradients around a large one still fuse with their neighbours.
  const std::vector<int64_t> cnn_like = {8, 1 << 20, 8, 16, 1 << 20, 4, 4};
  EXPECT_THAT(Members(PlanBuckets(cnn_like, int64_t{4} << 20, int64_t{64} << 10)),
              ElementsAre(ElementsAre(6, 5), ElementsAre(4), ElementsAre(3, 2), ElementsAre(1),
                          ElementsAre(0)));
  EXPECT_THAT(Members(PlanBuckets(cnn_like, int64_t{4} << 20, 0)),
              ElementsAre(ElementsAre(6, 5, 4, 3, 2, 1, 0)));
  std::vector<GradientBucket> one = PlanBuckets(kMlpBytes, 40000);
  EXPECT_EQ(one[0].bytes, 4440);
  EXPECT_EQ(one[1].bytes, 313600);
}

absl::StatusOr<DistributedModel> BuildMirrored(GraphBuilder& b, int replicas, int64_t bucket_bytes,
                                               std::string hint = "auto",
                                               int64_t unfused_bytes = 0) {
  std::vector<std::string> devices;
  for (int i = 0; i < replicas; ++i) devices.push_back(absl::StrCat("/cpu:", i));
  MirroredOptions options;
  options.bucket_bytes = bucket_bytes;
  options.unfused_bytes = unfused_bytes;
  options.collectives.group_key = 7;
  options.collectives.first_instance_key = 100;
  options.collectives.communication_hint = hint;
  return MirroredStrategy(devices, options)
      .Build(b, MlpFeeds({}), MlpModelFn({}), SgdOptions{0.1f});
}

int CountOps(const Graph& g, absl::string_view op) {
  int n = 0;
  for (int id = 0; id < g.num_nodes(); ++id) n += g.node(id).op() == op;
  return n;
}

TEST(MirroredGraphTest, OneAllReducePerBucketPerReplica) {
  for (auto [bytes, buckets] : {std::pair<int64_t, int>{int64_t{4} << 20, 1}, {0, 4},
                                {40000, 2}, {4040, 3}}) {
    for (int replicas : {2, 3}) {
      GraphBuilder b;
      auto m = BuildMirrored(b, replicas, bytes);
      ASSERT_TRUE(m.ok()) << m.status();
      EXPECT_EQ(m->buckets.size(), buckets) << bytes;
      EXPECT_EQ(CountOps(b.graph(), "CollectiveReduceV2"), buckets * replicas) << bytes;
    }
  }
  // MirroredOptions' default unfused_bytes (64 KiB): w1's 313,600 bytes are
  // all-reduced alone, the other three gradients fused.
  GraphBuilder b;
  auto m = BuildMirrored(b, 2, int64_t{4} << 20, "auto", MirroredOptions{}.unfused_bytes);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->buckets.size(), 2);
  EXPECT_THAT(m->buckets[1].variables, ElementsAre(0));
  EXPECT_EQ(CountOps(b.graph(), "ConcatV2"), 2);  // one fused bucket per replica
}

// Every node `to` depends on, through data and control edges.
std::set<int> Ancestors(const Graph& g, int to) {
  std::set<int> seen;
  std::vector<int> stack = {to};
  while (!stack.empty()) {
    const Node& n = g.node(stack.back());
    stack.pop_back();
    std::vector<int> from = n.control_inputs();
    for (const auto& in : n.inputs()) from.push_back(in.node);
    for (int f : from) {
      if (seen.insert(f).second) stack.push_back(f);
    }
  }
  return seen;
}

TEST(MirroredGraphTest, ABucketWaitsOnlyForItsOwnAndEarlierBucketsGradients) {
  GraphBuilder b;
  auto m = BuildMirrored(b, 2, 0);  // one bucket per variable: b2, w2, b1, w1
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->buckets.size(), 4);
  const Graph& g = b.graph();
  for (int r = 0; r < 2; ++r) {
    for (size_t k = 0; k < m->buckets.size(); ++k) {
      const std::set<int> before = Ancestors(g, m->buckets[k].all_reduces[r].node_id());
      for (size_t other = 0; other < m->buckets.size(); ++other) {
        for (int v : m->buckets[other].variables) {
          const int grad = m->gradients[r][v].node_id();
          // Its own gradient and those of the buckets that run before it
          // (the device's chain); never one the backward pass makes later.
          EXPECT_EQ(before.count(grad), other <= k ? 1 : 0)
              << "replica " << r << " bucket " << k << " variable " << v;
        }
      }
      // Nor another replica's gradients: a replica's all-reduce waits for
      // its peers in the rendezvous, not in the graph.
      for (int v = 0; v < 4; ++v) EXPECT_EQ(before.count(m->gradients[1 - r][v].node_id()), 0);
    }
  }
}

TEST(MirroredGraphTest, CollectivesAreChainedPerDeviceWithDistinctKeys) {
  GraphBuilder b;
  auto m = BuildMirrored(b, 2, 4040, "ring");
  ASSERT_TRUE(m.ok()) << m.status();
  const Graph& g = b.graph();
  std::set<int32_t> keys;
  for (size_t k = 0; k < m->buckets.size(); ++k) {
    keys.insert(m->buckets[k].instance_key);
    for (int r = 0; r < 2; ++r) {
      const Node& ar = g.node(m->buckets[k].all_reduces[r].node_id());
      EXPECT_EQ(ar.requested_device(), absl::StrCat("/cpu:", r));
      EXPECT_EQ(*ar.attr<std::string>("communication_hint"), "ring");
      EXPECT_EQ(*ar.attr<std::string>("final_op"), "Div");
      if (k > 0) {
        EXPECT_THAT(ar.control_inputs(),
                    ::testing::Contains(m->buckets[k - 1].all_reduces[r].node_id()));
      }
    }
  }
  EXPECT_EQ(keys.size(), m->buckets.size());
  EXPECT_EQ(*keys.begin(), 100);
}

TEST(MirroredGraphTest, VariableGroupsAndNames) {
  GraphBuilder b;
  auto m = BuildMirrored(b, 3, int64_t{4} << 20);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->variables.size(), 4);
  EXPECT_EQ(m->variables[0].name, "w1");  // replica 0 keeps single-device names
  ASSERT_EQ(m->variables[0].replicas.size(), 3);
  EXPECT_EQ(m->variables[0].replicas[1].name(), "replica_1/w1");
  EXPECT_EQ(m->variables[0].replicas[2].handle().node().requested_device(), "/cpu:2");
  EXPECT_EQ(m->feeds.size(), 2);
  EXPECT_EQ(m->num_replicas(), 3);
}

TEST(CentralStorageGraphTest, VariablesOnTheParameterDeviceOneUpdateEach) {
  GraphBuilder b;
  CentralStorageOptions options;
  options.parameter_device = "/cpu:2";
  auto m = CentralStorageStrategy({"/cpu:0", "/cpu:1"}, options)
               .Build(b, MlpFeeds({}), MlpModelFn({}), SgdOptions{0.1f});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(CountOps(b.graph(), "VarHandleOp"), 4);
  EXPECT_EQ(CountOps(b.graph(), "ApplyGradientDescent"), 4);
  EXPECT_EQ(CountOps(b.graph(), "CollectiveReduceV2"), 0);
  for (const MirroredVariable& v : m->variables) {
    ASSERT_EQ(v.replicas.size(), 1);
    EXPECT_EQ(v.replicas[0].handle().node().requested_device(), "/cpu:2") << v.name;
  }
  EXPECT_TRUE(m->buckets.empty());
}

// Variables are matched by creation order, so one name under two scopes
// ("a/kernel", "b/kernel") maps each to its own shared variable.
TEST(CentralStorageGraphTest, ReplicasShareVariablesInCreationOrder) {
  ModelFn two_kernels = [](GraphBuilder& b, const ReplicaContext& ctx,
                           std::span<const Output> in) -> absl::StatusOr<ReplicaModel> {
    ReplicaModel m;
    Output h = in[0];
    for (const char* scope : {"a", "b"}) {
      GraphBuilder::NameScope s(b, scope);
      Variable k = ctx.NewVariable("kernel", Zeros({4, 4}));
      m.variables.push_back(k);
      h = ops::MatMul(h, ctx.Read(k));
    }
    m.loss = ops::Mean(h);
    return m;
  };
  GraphBuilder b;
  std::vector<GlobalFeed> feeds = {{"x", DataType::kFloat32, PartialShape{-1, 4}}};
  auto m = CentralStorageStrategy({"/cpu:0", "/cpu:1"}).Build(b, feeds, two_kernels, SgdOptions{});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->variables[0].name, "a/kernel");
  EXPECT_EQ(m->variables[1].name, "b/kernel");
  EXPECT_EQ(m->replicas[1].variables[1].name(), "b/kernel");
  EXPECT_EQ(CountOps(b.graph(), "VarHandleOp"), 2);

  ModelFn renamed = [](GraphBuilder& b, const ReplicaContext& ctx,
                       std::span<const Output> in) -> absl::StatusOr<ReplicaModel> {
    Variable k = ctx.NewVariable(ctx.replica_id == 0 ? "k" : "other", Zeros({4, 1}));
    return ReplicaModel{ops::Mean(ops::MatMul(in[0], ctx.Read(k))), {k}, {}};
  };
  GraphBuilder b2;
  auto bad = CentralStorageStrategy({"/cpu:0", "/cpu:1"}).Build(b2, feeds, renamed, SgdOptions{});
  EXPECT_THAT(bad.status().message(), HasSubstr("replica 1"));
  EXPECT_THAT(bad.status().message(), HasSubstr("its variable 0 is 'other', replica 0's is 'k'"));
}

// --- Build-time errors. ---

TEST(StrategyErrorsTest, EmptyDeviceList) {
  GraphBuilder b;
  auto m = MirroredStrategy({}).Build(b, MlpFeeds({}), MlpModelFn({}), SgdOptions{});
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), HasSubstr("device list is empty"));
  auto c = CentralStorageStrategy({}).Build(b, MlpFeeds({}), MlpModelFn({}), SgdOptions{});
  EXPECT_THAT(c.status().message(), HasSubstr("CentralStorageStrategy: the device list is empty"));
  auto twice = MirroredStrategy({"/cpu:0", "/cpu:0"})
                   .Build(b, MlpFeeds({}), MlpModelFn({}), SgdOptions{});
  EXPECT_THAT(twice.status().message(), HasSubstr("'/cpu:0' is named twice"));
}

TEST(StrategyErrorsTest, AModelFunctionsErrorNamesTheReplica) {
  ModelFn fails_on_1 = [](GraphBuilder& b, const ReplicaContext& ctx,
                          std::span<const Output> in) -> absl::StatusOr<ReplicaModel> {
    if (ctx.replica_id == 1) return absl::FailedPreconditionError("no data for this shard");
    return MlpModelFn({})(b, ctx, in);
  };
  GraphBuilder b;
  auto m = MirroredStrategy({"/cpu:0", "/cpu:1"}).Build(b, MlpFeeds({}), fails_on_1, SgdOptions{});
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(m.status().message(),
              HasSubstr("MirroredStrategy: replica 1 (device /cpu:1): no data for this shard"));
}

TEST(StrategyErrorsTest, MirroredCopiesMustStartEqual) {
  ModelFn seeded_by_replica = [](GraphBuilder& b, const ReplicaContext& ctx,
                                 std::span<const Output> in) -> absl::StatusOr<ReplicaModel> {
    MlpShape s;
    s.seed = 100 + ctx.replica_id;
    return MlpModelFn(s)(b, ctx, in);
  };
  GraphBuilder b;
  auto m = MirroredStrategy({"/cpu:0", "/cpu:1"})
               .Build(b, MlpFeeds({}), seeded_by_replica, SgdOptions{});
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), HasSubstr("replica 1"));
  EXPECT_THAT(m.status().message(), HasSubstr("'replica_1/w1' starts from another value"));
}

TEST(StrategyErrorsTest, FeedsNeedABatchDimAndKnownRest) {
  GraphBuilder b;
  std::vector<GlobalFeed> bad = {{"x", DataType::kFloat32, PartialShape{-1, -1}}};
  auto m = MirroredStrategy({"/cpu:0"}).Build(b, bad, MlpModelFn({}), SgdOptions{});
  EXPECT_THAT(m.status().message(), HasSubstr("global feed 'x' has shape"));
  EXPECT_THAT(m.status().message(), HasSubstr("every dim after the batch dim must be known"));
}

TEST(StrategyErrorsTest, IndivisibleBatchMessage) {
  GraphBuilder b;
  auto m = BuildMirrored(b, 2, 0);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->CheckGlobalBatch(8).ok());
  absl::Status s = m->CheckGlobalBatch(7);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("global batch of 7 examples does not split evenly over 2 "
                                     "replicas (devices /cpu:0, /cpu:1)"));
  EXPECT_THAT(s.message(), HasSubstr("(6 or 8)"));
  EXPECT_THAT(m->CheckGlobalBatch(1).message(), HasSubstr("at least 2 examples"));
  EXPECT_THAT(m->CheckFeed(1, Tensor::FromVector<int64_t>({1, 2, 3})).message(),
              HasSubstr("feed labels: a global batch of 3"));
}

TEST(StrategyDevicesTest, DefaultsAndExistence) {
  std::vector<std::string> cpus = {"/job:localhost/replica:0/task:0/device:CPU:0",
                                   "/job:localhost/replica:0/task:0/device:CPU:1"};
  EXPECT_EQ(DefaultStrategyDevices(cpus), cpus);
  std::vector<std::string> mixed = cpus;
  mixed.push_back("/job:localhost/replica:0/task:0/device:GPU:0");
  EXPECT_THAT(DefaultStrategyDevices(mixed), ElementsAre(mixed[2]));
  std::vector<std::string> ok = {"/cpu:1", "/device:CPU:0"};
  EXPECT_TRUE(CheckDevicesExist(ok, cpus).ok());
  std::vector<std::string> missing = {"/cpu:0", "/cpu:7"};
  absl::Status s = CheckDevicesExist(missing, cpus);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("device '/cpu:7' is not one of the runtime's devices"));
}

}  // namespace
}  // namespace graphrt
