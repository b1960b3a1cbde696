// The strategies running on logical CPU devices: mirrored copies stay
// bitwise identical for 1,000 steps; an indivisible batch is a clear error
// and the next good batch trains; a device the runtime lacks is named; the
// central-storage variables live on the parameter device.
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "core/graph/distribute/strategy.h"
#include "core/graph/optimizers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/graph/distribute/run_util.h"
#include "tests/graph/distribute/test_models.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;
using namespace testing_distribute;  // NOLINT: the tests' helpers
using distribute::DistributedModel;

bool BitwiseEqual(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.raw_data(), b.raw_data(), a.TotalBytes()) == 0;
}

TEST(MirroredRunTest, CopiesStayBitwiseIdenticalFor1000Steps) {
  const MlpShape s{8, 16, 4, 3};
  const int replicas = 3;
  GraphBuilder b;
  distribute::MirroredOptions options;
  options.bucket_bytes = 128;  // small buckets: one all-reduce per gradient here
  options.collectives.timeout_seconds = 60;
  auto m = distribute::MirroredStrategy({"/cpu:0", "/cpu:1", "/cpu:2"}, options)
               .Build(b, MlpFeeds(s), MlpModelFn(s), MomentumOptions{0.05f, 0.9f, false});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_GE(m->buckets.size(), 3);
  auto session = SessionOnCpus(b, replicas);
  ASSERT_TRUE(session.ok()) << session.status();
  auto initial = (*session)->Run({}, Names(m->replicas[0].outputs));
  ASSERT_TRUE(initial.ok()) << initial.status();
  for (int step = 1; step <= 1000; ++step) {
    Batch data = RandomBatch(6, s, step);
    auto out = (*session)->Run({{m->feeds[0], data.x}, {m->feeds[1], data.labels}}, {m->loss},
                               {m->train});
    ASSERT_TRUE(out.ok()) << "step " << step << ": " << out.status();
  }
  auto first = (*session)->Run({}, Names(m->replicas[0].outputs));
  ASSERT_TRUE(first.ok()) << first.status();
  for (size_t v = 0; v < first->size(); ++v) {
    EXPECT_FALSE(BitwiseEqual((*first)[v], (*initial)[v])) << "variable " << v << " never moved";
  }
  for (int r = 1; r < replicas; ++r) {
    auto other = (*session)->Run({}, Names(m->replicas[r].outputs));
    ASSERT_TRUE(other.ok()) << other.status();
    for (size_t v = 0; v < first->size(); ++v) {
      EXPECT_TRUE(BitwiseEqual((*other)[v], (*first)[v])) << "replica " << r << " variable " << v;
    }
  }
}

TEST(MirroredRunTest, IndivisibleBatchIsAClearErrorAndTheNextBatchTrains) {
  const MlpShape s{8, 16, 4, 3};
  GraphBuilder b;
  distribute::MirroredOptions options;
  options.collectives.timeout_seconds = 60;
  auto m = distribute::MirroredStrategy({"/cpu:0", "/cpu:1"}, options)
               .Build(b, MlpFeeds(s), MlpModelFn(s), SgdOptions{0.1f});
  ASSERT_TRUE(m.ok()) << m.status();
  auto session = SessionOnCpus(b, 2);
  ASSERT_TRUE(session.ok()) << session.status();
  Batch odd = RandomBatch(7, s, 1);
  absl::Status check = m->CheckFeed(0, odd.x);
  EXPECT_EQ(check.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(check.message(), HasSubstr("a global batch of 7 examples does not split evenly "
                                         "over 2 replicas"));
  // Fed anyway: the split fails and names itself; no replica waits in a
  // collective for a peer that never comes.
  auto run = (*session)->Run({{m->feeds[0], odd.x}, {m->feeds[1], odd.labels}}, {m->loss},
                             {m->train});
  EXPECT_FALSE(run.ok());
  EXPECT_THAT(run.status().message(), HasSubstr("split_into_2_replicas"));
  Batch even = RandomBatch(8, s, 2);
  EXPECT_TRUE(m->CheckFeed(0, even.x).ok());
  auto before = (*session)->Run({}, Names(m->replicas[1].outputs));
  auto good = (*session)->Run({{m->feeds[0], even.x}, {m->feeds[1], even.labels}}, {m->loss},
                              {m->train});
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_TRUE(std::isfinite((*good)[0].scalar<float>()));
  auto after = (*session)->Run({}, Names(m->replicas[1].outputs));
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_FALSE(BitwiseEqual((*after)[0], (*before)[0]));
}

TEST(MirroredRunTest, ADeviceTheRuntimeLacksIsNamed) {
  const MlpShape s{8, 16, 4, 3};
  GraphBuilder b;
  auto m = distribute::MirroredStrategy({"/cpu:0", "/cpu:5"})
               .Build(b, MlpFeeds(s), MlpModelFn(s), SgdOptions{0.1f});
  ASSERT_TRUE(m.ok()) << m.status();  // the graph alone does not know the devices
  auto session = SessionOnCpus(b, 2, /*soft_placement=*/false);
  ASSERT_FALSE(session.ok());
  EXPECT_THAT(session.status().message(), HasSubstr("/cpu:5"));
}

TEST(CentralStorageRunTest, VariablesLiveOnTheParameterDevice) {
  const MlpShape s{8, 16, 4, 3};
  GraphBuilder b;
  auto m = distribute::CentralStorageStrategy({"/cpu:1", "/cpu:2"})
               .Build(b, MlpFeeds(s), MlpModelFn(s), SgdOptions{0.1f});
  ASSERT_TRUE(m.ok()) << m.status();
  auto session = SessionOnCpus(b, 3);
  ASSERT_TRUE(session.ok()) << session.status();
  const Graph& g = (*session)->graph();
  int matmuls_on[3] = {0, 0, 0};
  for (int id = 0; id < g.num_nodes(); ++id) {
    const std::string& device = (*session)->placement()[id].device;
    const int d = device.back() - '0';
    if (g.node(id).op() == "VarHandleOp" || g.node(id).op() == "ApplyGradientDescent") {
      EXPECT_THAT(device, HasSubstr("CPU:0")) << g.node(id).name();
    }
    if (g.node(id).op() == "MatMul" && d >= 0 && d < 3) ++matmuls_on[d];
  }
  EXPECT_EQ(matmuls_on[0], 0);  // the forward and backward passes run on the replicas
  EXPECT_GT(matmuls_on[1], 0);
  EXPECT_EQ(matmuls_on[1], matmuls_on[2]);
  Batch data = RandomBatch(4, s, 1);
  auto run = (*session)->Run({{m->feeds[0], data.x}, {m->feeds[1], data.labels}}, {m->loss},
                             {m->train});
  ASSERT_TRUE(run.ok()) << run.status();
}

}  // namespace
}  // namespace graphrt
