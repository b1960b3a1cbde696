// MultiWorkerMirroredStrategy's graphs, inspected without running them (the
// runs across processes: tests/examples/multi_worker): every gradient
// all-reduce spans the cluster (group_size = workers, hint "cluster"), the
// chief sends and the others receive and assign every initial value, with
// keys that do not collide with the buckets'; with several replicas per worker,
// in-process averages first and one cross-worker all-reduce per bucket;
// shards of a global batch; and
// the build-time errors.
#include <set>

#include "absl/strings/match.h"
#include "core/graph/distribute/multi_worker_strategy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/graph/distribute/test_models.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;
using namespace distribute;  // NOLINT: the module under test
using testing_distribute::MlpFeeds;
using testing_distribute::MlpModelFn;

absl::StatusOr<MultiWorkerModel> BuildWorker(GraphBuilder& b, int workers, int index,
                                             int64_t bucket_bytes = 0) {
  MultiWorkerOptions o;
  o.num_workers = workers;
  o.worker_index = index;
  o.mirrored.bucket_bytes = bucket_bytes;
  o.mirrored.collectives.group_key = 3;
  o.mirrored.collectives.first_instance_key = 50;
  return MultiWorkerMirroredStrategy(o).Build(b, MlpFeeds({}), MlpModelFn({}), SgdOptions{0.1f});
}

// The value of a collective's int32 key input `i` (a Const).
int32_t KeyInput(const Graph& g, const Node& n, int i) {
  const Node& c = g.node(n.input(i).node);
  EXPECT_EQ(c.op(), "Const") << n.name();
  absl::StatusOr<Tensor> t = c.attr<Tensor>("value");
  return t.ok() ? t->scalar<int32_t>() : -1;
}

std::vector<const Node*> NodesOf(const Graph& g, absl::string_view op) {
  std::vector<const Node*> out;
  for (int id = 0; id < g.num_nodes(); ++id) {
    if (g.node(id).op() == op) out.push_back(&g.node(id));
  }
  return out;
}

TEST(MultiWorkerGraphTest, GradientAllReducesSpanTheCluster) {
  GraphBuilder b;
  auto m = BuildWorker(b, 3, 1);  // bucket_bytes 0: one all-reduce per variable
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->model.num_replicas(), 1);
  ASSERT_EQ(m->model.buckets.size(), 4u);
  const Graph& g = b.graph();
  std::vector<const Node*> ars = NodesOf(g, "CollectiveReduceV2");
  ASSERT_EQ(ars.size(), 4u);
  std::set<int32_t> keys;
  for (const Node* ar : ars) {
    EXPECT_EQ(*ar->attr<std::string>("communication_hint"), kClusterCommunicationHint);
    EXPECT_EQ(KeyInput(g, *ar, 1), 3);  // group_size: the workers, not the local replicas
    EXPECT_EQ(KeyInput(g, *ar, 2), 3);  // group_key
    keys.insert(KeyInput(g, *ar, 3));
  }
  EXPECT_EQ(keys, (std::set<int32_t>{50, 51, 52, 53}));
}

TEST(MultiWorkerGraphTest, TheChiefSendsAndTheOthersReceiveEveryInitialValue) {
  GraphBuilder chief_b, other_b;
  auto chief = BuildWorker(chief_b, 2, 0);
  auto other = BuildWorker(other_b, 2, 1);
  ASSERT_TRUE(chief.ok()) << chief.status();
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_TRUE(chief->is_chief());
  EXPECT_FALSE(other->is_chief());
  ASSERT_TRUE(chief->sync_initial.valid());
  ASSERT_TRUE(other->sync_initial.valid());
  const Graph& cg = chief_b.graph();
  const Graph& og = other_b.graph();
  std::vector<const Node*> sends = NodesOf(cg, "CollectiveBcastSendV2");
  std::vector<const Node*> recvs = NodesOf(og, "CollectiveBcastRecvV2");
  EXPECT_TRUE(NodesOf(cg, "CollectiveBcastRecvV2").empty());
  EXPECT_TRUE(NodesOf(og, "CollectiveBcastSendV2").empty());
  ASSERT_EQ(sends.size(), 4u);
  ASSERT_EQ(recvs.size(), 4u);
  // Same keys, in the same order, after the 4 buckets' 50..53; each one
  // after the previous one.
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(KeyInput(cg, *sends[k], 3), 54 + static_cast<int>(k));
    EXPECT_EQ(KeyInput(og, *recvs[k], 2), 54 + static_cast<int>(k));
    EXPECT_EQ(KeyInput(cg, *sends[k], 1), 2);
    EXPECT_EQ(KeyInput(og, *recvs[k], 0), 2);
    EXPECT_EQ(sends[k]->name(), recvs[k]->name());
    if (k > 0) {
      EXPECT_FALSE(sends[k]->control_inputs().empty()) << sends[k]->name();
      EXPECT_FALSE(recvs[k]->control_inputs().empty()) << recvs[k]->name();
    }
  }
  // Each received value is assigned to a variable.
  std::vector<const Node*> assigns = NodesOf(og, "AssignVariable");
  for (const Node* recv : recvs) {
    int consumers = 0;
    for (const Node* a : assigns) {
      for (const Endpoint& in : a->inputs()) consumers += in.node == recv->id();
    }
    EXPECT_EQ(consumers, 1) << recv->name();
  }
}

// Every Input of `n` that comes from node `from`.
int Uses(const Node& n, const Node& from) {
  int uses = 0;
  for (const Endpoint& in : n.inputs()) uses += in.node == from.id();
  return uses;
}

TEST(MultiWorkerGraphTest, SeveralReplicasAverageInProcessThenAcrossTheWorkers) {
  for (int index : {0, 1}) {
    SCOPED_TRACE(index);
    GraphBuilder b;
    MultiWorkerOptions o;
    o.num_workers = 3;
    o.worker_index = index;
    o.devices = {"/cpu:0", "/cpu:1"};
    o.mirrored.bucket_bytes = 0;  // one bucket per variable
    o.mirrored.collectives.group_key = 3;
    o.mirrored.collectives.first_instance_key = 50;
    auto m = MultiWorkerMirroredStrategy(o).Build(b, MlpFeeds({}), MlpModelFn({}),
                                                  SgdOptions{0.1f});
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->model.num_replicas(), 2);
    EXPECT_EQ(m->local_replicas, 2);
    ASSERT_EQ(m->model.buckets.size(), 4u);
    const Graph& g = b.graph();
    int local = 0;
    std::set<int32_t> cluster_keys;
    for (const Node* ar : NodesOf(g, "CollectiveReduceV2")) {
      const std::string hint = *ar->attr<std::string>("communication_hint");
      if (hint == kClusterCommunicationHint) {
        // Once per bucket, on the first replica's device, over the workers,
        // reducing that replica's in-process mean.
        EXPECT_EQ(ar->requested_device(), "/cpu:0") << ar->name();
        EXPECT_EQ(KeyInput(g, *ar, 1), 3) << ar->name();
        cluster_keys.insert(KeyInput(g, *ar, 3));
        const Node& input = g.node(ar->input(0).node);
        EXPECT_EQ(input.op(), "CollectiveReduceV2") << ar->name();
        EXPECT_EQ(*input.attr<std::string>("communication_hint"), "auto");
        // The other replica reads it through one Identity on its device.
        int copies = 0;
        for (const Node* id : NodesOf(g, "Identity")) {
          if (Uses(*id, *ar) == 0) continue;
          ++copies;
          EXPECT_EQ(id->requested_device(), "/cpu:1") << id->name();
          EXPECT_FALSE(id->control_inputs().empty()) << id->name();
        }
        EXPECT_EQ(copies, 1) << ar->name();
      } else {
        EXPECT_EQ(hint, "auto");
        EXPECT_EQ(KeyInput(g, *ar, 1), 2) << ar->name();  // this worker's replicas
        ++local;
      }
    }
    EXPECT_EQ(local, 8);  // 4 buckets x 2 replicas
    EXPECT_EQ(cluster_keys, (std::set<int32_t>{50, 51, 52, 53}));
    // Initial values: one cross-worker broadcast per variable (keys after
    // the buckets'), assigned to both replicas' copies (on the chief too).
    const char* op = index == 0 ? "CollectiveBcastSendV2" : "CollectiveBcastRecvV2";
    std::vector<const Node*> broadcasts = NodesOf(g, op);
    ASSERT_EQ(broadcasts.size(), 4u);
    EXPECT_EQ(KeyInput(g, *broadcasts[0], index == 0 ? 3 : 2), 54);
    int assigns = 0;
    for (const Node* a : NodesOf(g, "AssignVariable")) {
      assigns += absl::StartsWith(a->name(), "sync_initial/");
    }
    EXPECT_EQ(assigns, index == 0 ? 4 : 8);
  }
}

TEST(MultiWorkerGraphTest, ShardsSplitOverEveryWorkersReplicas) {
  MultiWorkerModel m;
  m.num_workers = 2;
  m.worker_index = 1;
  m.local_replicas = 2;
  auto s = m.Shard(64);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->first, 32);
  EXPECT_EQ(s->second, 64);
  auto bad = m.Shard(66);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("2 workers x 2 replicas"));
  EXPECT_THAT(bad.status().message(), HasSubstr("64 or 68"));
}

TEST(MultiWorkerGraphTest, NoBroadcastWhenTurnedOff) {
  GraphBuilder b;
  MultiWorkerOptions o;
  o.num_workers = 2;
  o.broadcast_initial_values = false;
  auto m = MultiWorkerMirroredStrategy(o).Build(b, MlpFeeds({}), MlpModelFn({}),
                                                SgdOptions{0.1f});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_FALSE(m->sync_initial.valid());
  EXPECT_TRUE(NodesOf(b.graph(), "CollectiveBcastSendV2").empty());
}

TEST(MultiWorkerGraphTest, ShardsOfAGlobalBatch) {
  MultiWorkerModel m;
  m.num_workers = 4;
  m.worker_index = 2;
  auto s = m.Shard(64);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->first, 32);
  EXPECT_EQ(s->second, 48);
  auto bad = m.Shard(66);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("global batch of 66"));
  EXPECT_THAT(bad.status().message(), HasSubstr("4 workers"));
  EXPECT_THAT(bad.status().message(), HasSubstr("64 or 68"));
  EXPECT_FALSE(m.Shard(3).ok());
}

TEST(MultiWorkerGraphTest, AWorkerIndexOutsideTheClusterIsRefused) {
  for (auto [workers, index] : {std::pair{2, 2}, {2, -1}, {0, 0}}) {
    GraphBuilder b;
    auto m = BuildWorker(b, workers, index);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(m.status().message(), HasSubstr("MultiWorkerMirroredStrategy"));
    EXPECT_THAT(m.status().message(), HasSubstr(workers < 1 ? "num_workers" : "worker_index"));
  }
}

}  // namespace
}  // namespace graphrt
