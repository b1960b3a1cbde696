// Tests for examples/fashion_mnist_mlp/mlp.h: a bounded-time training run on
// a slice of Fashion-MNIST (the loss falls and held-out accuracy beats 70%;
// skipped, saying why, when the dataset is not installed), bit-for-bit
// reproducibility with one thread of each kind, and the shuffle.
#include <algorithm>
#include <filesystem>
#include <vector>

#include "examples/fashion_mnist_mlp/mlp.h"
#include "examples/fashion_mnist_mlp/synthetic_dataset.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt::mnist {
namespace {

SessionOptions SerialOptions() {
  SessionOptions o;
  o.inter_op_threads = 1;
  o.intra_op_threads = 1;
  return o;
}

TEST(MlpTest, TrainingOnASliceLearns) {
  if (!std::filesystem::exists(std::string(kDefaultDataDir) + "/train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)";
  }
  absl::StatusOr<FashionMnist> data = LoadFashionMnist();
  ASSERT_TRUE(data.ok()) << data.status();
  const Dataset train = data->train.Slice(5000, 13000);  // 250 steps of 32 an epoch
  const Dataset held_out = data->test.Slice(0, 2000);
  auto trainer = Trainer::Create(MlpOptions{}, SessionOptions{});
  ASSERT_TRUE(trainer.ok()) << trainer.status();
  auto before = (*trainer)->Evaluate(held_out);
  ASSERT_TRUE(before.ok()) << before.status();
  std::vector<double> epoch_loss;
  for (int epoch = 0; epoch < 2; ++epoch) {  // 500 steps
    auto m = (*trainer)->TrainEpoch(train, 32, epoch);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->steps, 250);
    epoch_loss.push_back(m->loss);
  }
  auto after = (*trainer)->Evaluate(held_out);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_LT(epoch_loss.back(), epoch_loss.front());
  EXPECT_LT(after->loss, 0.75 * before->loss);
  EXPECT_GT(after->accuracy, 0.70) << "loss " << after->loss;
}

TEST(MlpTest, OneThreadRunsAreReproducible) {
  const Dataset data = SyntheticDataset(200, 1);
  std::vector<std::vector<float>> weights;
  for (int run = 0; run < 2; ++run) {
    auto trainer = Trainer::Create(MlpOptions{}, SerialOptions());
    ASSERT_TRUE(trainer.ok()) << trainer.status();
    auto m = (*trainer)->TrainEpoch(data, 32, 5);
    ASSERT_TRUE(m.ok()) << m.status();
    const Variable& w1 = (*trainer)->model().variables[0];
    auto var = (*trainer)->session().resources().LookupVariable(w1.name());
    ASSERT_TRUE(var.ok()) << var.status();
    auto t = (*var)->Read();
    ASSERT_TRUE(t.ok()) << t.status();
    weights.emplace_back(t->flat<float>().begin(), t->flat<float>().end());
  }
  ASSERT_EQ(weights[0].size(), 784u * 100u);
  EXPECT_TRUE(weights[0] == weights[1]);
}

TEST(MlpTest, ShuffleIsAPermutationThatDependsOnTheSeed) {
  std::vector<int64_t> a = ShuffledOrder(1000, 1), b = ShuffledOrder(1000, 2);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, ShuffledOrder(1000, 1));
  std::sort(a.begin(), a.end());
  for (int64_t i = 0; i < 1000; ++i) ASSERT_EQ(a[i], i);
}

TEST(MlpTest, BadBatchSizeIsAnError) {
  auto trainer = Trainer::Create(MlpOptions{}, SerialOptions());
  ASSERT_TRUE(trainer.ok()) << trainer.status();
  auto m = (*trainer)->TrainEpoch(SyntheticDataset(10, 2), 0, 1);
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace graphrt::mnist
