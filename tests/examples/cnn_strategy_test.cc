// The CNN example under --strategy (examples/fashion_mnist_cnn/
// cnn_distributed.h, cnn_trainer.h) on 2 logical CPU devices:
//  - one step, mirrored or with central storage, takes the step one device
//    takes on the same global batch (every variable and optimizer slot
//    within 1e-5 relative), for SGD, momentum and Adam (Adam's weights
//    within 1e-5 absolute: the test says why);
//  - a --batch-size that does not split over the replicas is refused before
//    any step, naming the batch and the replica count; the epoch's last,
//    smaller batch is cut to a multiple instead;
//  - a checkpoint made under mirrored has the single-device names: a run
//    without a strategy resumes it (and the other way round), and the
//    exported graph is the single-device one.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "core/executor/runtime.h"
#include "core/graph/io/graph_def.h"
#include "examples/fashion_mnist_cnn/cnn_distributed.h"
#include "examples/fashion_mnist_cnn/cnn_trainer.h"
#include "examples/fashion_mnist_mlp/synthetic_dataset.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/examples/strategy_test_util.h"

namespace graphrt::mnist {
namespace {

using ::graphrt::testing::OnLogicalCpus;
using ::graphrt::testing::MaxRelativeDiff;

using ::testing::HasSubstr;

CnnOptions WithStrategy(CnnOptions o, const std::string& strategy) {
  o.strategy.strategy = strategy;
  o.strategy.devices = {"/cpu:0", "/cpu:1"};
  return o;
}

// Every float32 variable of the session under its single-device name
// (replica 0's copy), optimizer slots included.
std::map<std::string, std::vector<float>> SingleDeviceVariables(CnnTrainer& t) {
  std::map<std::string, std::vector<float>> all;
  const Graph& g = t.session().graph();
  for (int i = 0; i < g.num_nodes(); ++i) {
    if (g.node(i).op() != "VarHandleOp") continue;
    if (g.node(i).attr<DataType>("dtype").value() != DataType::kFloat32) continue;
    std::optional<std::string> name = SingleDeviceCheckpointNames().save_as(g.node(i).name());
    if (!name.has_value()) continue;
    auto var = t.session().resources().LookupVariable(g.node(i).name());
    EXPECT_TRUE(var.ok()) << var.status();
    if (!var.ok()) continue;
    auto value = (*var)->Read();
    EXPECT_TRUE(value.ok()) << value.status();
    if (value.ok()) all[*name] = {value->flat<float>().begin(), value->flat<float>().end()};
  }
  return all;
}

// Every variable and slot of `got` within `tolerance` of `want`'s,
// relative (MaxRelativeDiff); variables for which `absolute(name)` is true
// within `tolerance` absolute instead.
void ExpectClose(CnnTrainer& got, CnnTrainer& want, double tolerance,
                 const std::function<bool(const std::string&)>& absolute = nullptr) {
  const auto g = SingleDeviceVariables(got), w = SingleDeviceVariables(want);
  ASSERT_EQ(g.size(), w.size());
  for (const auto& [name, values] : w) {
    SCOPED_TRACE(name);
    ASSERT_EQ(g.count(name), 1u);
    ASSERT_EQ(g.at(name).size(), values.size());
    if (absolute && absolute(name)) {
      double diff = 0;
      for (size_t i = 0; i < values.size(); ++i) {
        diff = std::max(diff, std::abs(static_cast<double>(g.at(name)[i]) - values[i]));
      }
      EXPECT_LE(diff, tolerance);
    } else {
      EXPECT_LE(MaxRelativeDiff(g.at(name), values), tolerance);
    }
  }
}

std::vector<int64_t> FirstN(int64_t n) {
  std::vector<int64_t> order(n);
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  return order;
}

class CnnStrategyStepTest
    : public ::testing::TestWithParam<std::tuple<std::string, CnnOptimizer>> {};

TEST_P(CnnStrategyStepTest, OneStepEqualsTheSingleDeviceStep) {
  const auto& [strategy, optimizer] = GetParam();
  CnnOptions options;
  options.optimizer = optimizer;
  const Dataset data = SyntheticDataset(32, 4);
  const std::vector<int64_t> batch = FirstN(32);
  auto single = CnnTrainer::Create(options, OnLogicalCpus(1));
  ASSERT_TRUE(single.ok()) << single.status();
  auto want = (*single)->Step(data, batch);
  ASSERT_TRUE(want.ok()) << want.status();

  auto t = CnnTrainer::Create(WithStrategy(options, strategy), OnLogicalCpus(2));
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE((*t)->strategy().has_value());
  EXPECT_EQ((*t)->strategy()->model.num_replicas(), 2);
  const auto before = SingleDeviceVariables(**t);
  auto got = (*t)->Step(data, batch);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*t)->last_step_examples(), 32);
  EXPECT_NEAR(got->first, want->first, 1e-5 * std::abs(want->first));  // the mean loss
  EXPECT_EQ(got->second, want->second);                                // the count right
  if (optimizer != CnnOptimizer::kAdam) {
    ExpectClose(**t, **single, 1e-5);
  } else {
    // Adam's first update is lr * g / (|g| + epsilon): about +-lr wherever
    // |g| >> epsilon, whatever g's rounding, but where a gradient element is
    // near epsilon (a bias of a nearly dead channel) a rounding difference
    // of 1e-9 moves it by a visible fraction of lr. So the slots (m is
    // 0.1 g, v is 0.001 g^2: the averaged gradient itself) are compared
    // relatively, and the weights to within 1% of one step (lr 0.001).
    ExpectClose(**t, **single, 1e-5, [](const std::string& name) {
      return !absl::EndsWith(name, "/adam_m") && !absl::EndsWith(name, "/adam_v") &&
             !absl::EndsWith(name, "_power");
    });
  }
  // The step moved the weights (the check has teeth).
  EXPECT_GT(MaxRelativeDiff(before.at("dense/kernel"),
                            SingleDeviceVariables(**t).at("dense/kernel")),
            1e-6);
}

INSTANTIATE_TEST_SUITE_P(
    Strategies, CnnStrategyStepTest,
    ::testing::Combine(::testing::Values("mirrored", "central"),
                       ::testing::Values(CnnOptimizer::kSgd, CnnOptimizer::kMomentum,
                                         CnnOptimizer::kAdam)),
    [](const auto& info) {
      const CnnOptimizer o = std::get<1>(info.param);
      return std::get<0>(info.param) + (o == CnnOptimizer::kAdam       ? "Adam"
                                        : o == CnnOptimizer::kMomentum ? "Momentum"
                                                                       : "Sgd");
    });

TEST(CnnStrategyTest, AnIndivisibleBatchIsRefusedBeforeAnyStep) {
  auto t = CnnTrainer::Create(WithStrategy(CnnOptions{}, "mirrored"), OnLogicalCpus(2));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE((*t)->CheckBatchSize(32).ok());
  absl::Status s = (*t)->CheckBatchSize(33);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--batch-size 33"));
  EXPECT_THAT(s.message(), HasSubstr("does not split evenly over 2 replicas"));
  EXPECT_THAT(s.message(), HasSubstr("32 or 34"));
  auto p = (*t)->TrainEpoch(SyntheticDataset(66, 1), 33);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*t)->state().step, 0);
}

TEST(CnnStrategyTest, TheLastSmallerBatchIsCutToAMultipleOfTheReplicas) {
  auto t = CnnTrainer::Create(WithStrategy(CnnOptions{}, "mirrored"), OnLogicalCpus(2));
  ASSERT_TRUE(t.ok()) << t.status();
  auto p = (*t)->TrainEpoch(SyntheticDataset(35, 2), 16);  // 16, 16, then 3 cut to 2
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->finished);
  EXPECT_EQ(p->metrics.steps, 3);
  EXPECT_EQ((*t)->last_step_examples(), 2);
  EXPECT_GE(p->metrics.accuracy, 0.0);
  EXPECT_LE(p->metrics.accuracy, 1.0);
}

TEST(CnnStrategyTest, ADeviceFlagWithAStrategyIsRefused) {
  CnnOptions options = WithStrategy(CnnOptions{}, "mirrored");
  options.device = "/cpu:1";
  auto t = CnnTrainer::Create(options, OnLogicalCpus(2));
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("--devices"));
}

TEST(CnnStrategyTest, CheckpointsHaveTheSingleDeviceNamesBothWays) {
  const std::string dir = ::testing::TempDir() + "/cnn_strategy_ckpt";
  std::filesystem::remove_all(dir);
  CnnOptions options;
  options.optimizer = CnnOptimizer::kAdam;  // slots and beta powers
  const Dataset data = SyntheticDataset(64, 3);
  auto mirrored = CnnTrainer::Create(WithStrategy(options, "mirrored"), OnLogicalCpus(2));
  ASSERT_TRUE(mirrored.ok()) << mirrored.status();
  ASSERT_TRUE((*mirrored)->TrainEpoch(data, 16, /*max_steps=*/2).ok());
  ASSERT_TRUE((*mirrored)->SaveCheckpoint(dir).ok());
  // A run without a strategy resumes it: same variables, same position
  // (RestoreCheckpoint refuses an entry the session lacks, so the file holds
  // no "replica_1/..." copy and no "update/..." beta power).
  auto single = CnnTrainer::Create(options, OnLogicalCpus(1));
  ASSERT_TRUE(single.ok()) << single.status();
  absl::Status s = (*single)->RestoreCheckpoint(dir);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ((*single)->state().step, 2);
  EXPECT_EQ((*single)->state().position, 32);
  ExpectClose(**single, **mirrored, 0);
  // Its export serves what the mirrored trainer's export serves.
  auto probe = SyntheticDataset(3, 9);
  auto want = (*mirrored)->Logits(probe.images);
  auto got = (*single)->Logits(probe.images);
  ASSERT_TRUE(want.ok() && got.ok());
  EXPECT_EQ(MaxRelativeDiff({got->flat<float>().begin(), got->flat<float>().end()},
                         {want->flat<float>().begin(), want->flat<float>().end()}),
            0);
  ASSERT_TRUE((*mirrored)->Export(dir + "/model.pb").ok());
  auto frozen = ReadGraph(dir + "/model.pb");
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  auto served = Session::Create(*std::move(frozen), SessionOptions{});
  ASSERT_TRUE(served.ok()) << served.status();
  auto out = (*served)->Run({{"images", probe.images}}, {"probabilities"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), TensorShape({3, 10}));
  // The other way round: a single-device checkpoint restores into every replica.
  ASSERT_TRUE((*single)->TrainEpoch(data, 16, /*max_steps=*/3).ok());
  ASSERT_TRUE((*single)->SaveCheckpoint(dir).ok());
  auto resumed = CnnTrainer::Create(WithStrategy(options, "mirrored"), OnLogicalCpus(2));
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  s = (*resumed)->RestoreCheckpoint(dir);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ((*resumed)->state().step, 3);
  ExpectClose(**resumed, **single, 0);
  auto copy = (*resumed)->session().resources().LookupVariable("replica_1/dense/kernel");
  ASSERT_TRUE(copy.ok()) << copy.status();
  auto copy_value = (*copy)->Read();
  ASSERT_TRUE(copy_value.ok());
  EXPECT_EQ(MaxRelativeDiff({copy_value->flat<float>().begin(), copy_value->flat<float>().end()},
                         SingleDeviceVariables(**single).at("dense/kernel")),
            0);
}

}  // namespace
}  // namespace graphrt::mnist
