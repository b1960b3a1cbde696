// The MLP example under --strategy (examples/fashion_mnist_mlp/
// mlp_distributed.cc): an epoch on 2 logical CPU devices, mirrored or with
// central storage, ends with the weights a single-device epoch ends with
// (the same global batches), and evaluation runs at any batch size.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/executor/runtime.h"
#include "examples/fashion_mnist_mlp/mlp.h"
#include "examples/fashion_mnist_mlp/synthetic_dataset.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/examples/strategy_test_util.h"

namespace graphrt::mnist {
namespace {

using ::graphrt::testing::OnLogicalCpus;

std::vector<float> Weights(Trainer& t, int v) {
  auto var = t.session().resources().LookupVariable(t.model().variables[v].name());
  EXPECT_TRUE(var.ok()) << var.status();
  if (!var.ok()) return {};
  auto value = (*var)->Read();
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? std::vector<float>(value->flat<float>().begin(), value->flat<float>().end())
                    : std::vector<float>{};
}

TEST(MlpStrategyTest, AnEpochMatchesTheSingleDeviceEpoch) {
  const Dataset data = SyntheticDataset(192, 1);  // 6 batches of 32
  auto single = Trainer::Create(MlpOptions{}, OnLogicalCpus(1));
  ASSERT_TRUE(single.ok()) << single.status();
  ASSERT_TRUE((*single)->TrainEpoch(data, 32, 5).ok());
  for (const char* strategy : {"mirrored", "central"}) {
    SCOPED_TRACE(strategy);
    MlpOptions options;
    options.strategy = strategy;
    options.devices = {"/cpu:0", "/cpu:1"};
    auto trainer = Trainer::Create(options, OnLogicalCpus(2));
    ASSERT_TRUE(trainer.ok()) << trainer.status();
    EXPECT_EQ((*trainer)->model().replicas, 2);
    auto m = (*trainer)->TrainEpoch(data, 32, 5);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->steps, 6);
    for (int v = 0; v < 4; ++v) {
      std::vector<float> want = Weights(**single, v), got = Weights(**trainer, v);
      ASSERT_EQ(got.size(), want.size());
      float scale = 0, diff = 0;
      for (size_t i = 0; i < want.size(); ++i) {
        scale = std::max(scale, std::abs(want[i]));
        diff = std::max(diff, std::abs(got[i] - want[i]));
      }
      EXPECT_LE(diff, 1e-4f * scale) << "variable " << v;
    }
    auto eval = (*trainer)->Evaluate(data, 50);  // 50 and 42: not multiples of anything
    ASSERT_TRUE(eval.ok()) << eval.status();
    auto want = (*single)->Evaluate(data, 50);
    ASSERT_TRUE(want.ok());
    EXPECT_NEAR(eval->loss, want->loss, 1e-4);
    EXPECT_NEAR(eval->accuracy, want->accuracy, 1.0 / 192);
  }
}

TEST(MlpStrategyTest, UnknownDeviceOrStrategyIsAnError) {
  MlpOptions options;
  options.strategy = "mirrored";
  options.devices = {"/cpu:0", "/cpu:4"};
  auto trainer = Trainer::Create(options, OnLogicalCpus(2));
  ASSERT_FALSE(trainer.ok());
  EXPECT_THAT(trainer.status().message(), ::testing::HasSubstr("'/cpu:4'"));
  options.strategy = "parameter_server";
  options.devices = {};
  auto other = Trainer::Create(options, OnLogicalCpus(2));
  EXPECT_THAT(other.status().message(), ::testing::HasSubstr("unknown strategy"));
}

}  // namespace
}  // namespace graphrt::mnist
