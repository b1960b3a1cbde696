// Tests for examples/fashion_mnist_cnn (cnn_model.h, cnn_trainer.h):
//  - the graph computes the model the issue fixes: logits against a naive
//    forward pass written from the layer formulas, on trained weights, and
//    the step's gradients against central differences of that pass's loss;
//  - a few hundred steps on a slice of Fashion-MNIST lower the loss and
//    beat 75% held-out accuracy (skipped, saying why, without the dataset);
//  - N steps, checkpoint, a fresh trainer resumed for M more steps equals
//    N+M steps without a stop, bit for bit with one thread (momentum and
//    Adam, whose slots and beta powers must come back too), across an epoch
//    boundary and with the stop mid-epoch;
//  - the exported frozen graph, served by `graphrt run` in-process and by a
//    Session, gives the training graph's logits;
//  - bad input: an unknown optimizer, a checkpoint of another optimizer.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/executor/checkpoint.h"
#include "core/graph/initializers.h"
#include "core/graph/io/graph_def.h"
#include "core/graph/io/npy.h"
#include "examples/fashion_mnist_cnn/cnn_model.h"
#include "examples/fashion_mnist_cnn/cnn_trainer.h"
#include "examples/fashion_mnist_mlp/synthetic_dataset.h"
#include "examples/graphrt_cli/cli.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt::mnist {
namespace {

using ::testing::HasSubstr;

SessionOptions SerialOptions() {
  SessionOptions o;
  o.inter_op_threads = 1;
  o.intra_op_threads = 1;
  return o;
}

std::vector<float> Values(CnnTrainer& t, const std::string& name) {
  auto var = t.session().resources().LookupVariable(name);
  EXPECT_TRUE(var.ok()) << var.status();
  if (!var.ok()) return {};
  auto value = (*var)->Read();
  EXPECT_TRUE(value.ok()) << value.status();
  if (!value.ok() || value->dtype() != DataType::kFloat32) return {};
  return {value->flat<float>().begin(), value->flat<float>().end()};
}

// Every float32 variable of the session: weights and optimizer slots.
std::vector<std::pair<std::string, std::vector<float>>> AllVariables(CnnTrainer& t) {
  std::vector<std::pair<std::string, std::vector<float>>> all;
  const Graph& g = t.session().graph();
  for (int i = 0; i < g.num_nodes(); ++i) {
    if (g.node(i).op() != "VarHandleOp") continue;
    if (g.node(i).attr<DataType>("dtype").value() != DataType::kFloat32) continue;
    all.emplace_back(g.node(i).name(), Values(t, g.node(i).name()));
  }
  std::sort(all.begin(), all.end());
  return all;
}

// The model from its formulas, one image at a time: rescale, two blocks of
// 3x3 SAME convolution + bias + relu and 2x2 max pooling, flatten in
// (row, column, channel) order, dense + relu, dense.
std::vector<double> NaiveLogits(CnnTrainer& t, const uint8_t* image) {
  const std::vector<float> k1 = Values(t, "conv2d/kernel"), b1 = Values(t, "conv2d/bias");
  const std::vector<float> k2 = Values(t, "conv2d_1/kernel"), b2 = Values(t, "conv2d_1/bias");
  const std::vector<float> w3 = Values(t, "dense/kernel"), b3 = Values(t, "dense/bias");
  const std::vector<float> w4 = Values(t, "dense_1/kernel"), b4 = Values(t, "dense_1/bias");
  auto conv_relu = [](const std::vector<double>& in, int size, int cin,
                      const std::vector<float>& k, const std::vector<float>& b, int cout) {
    std::vector<double> out(size * size * cout);
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x)
        for (int o = 0; o < cout; ++o) {
          double s = b[o];
          for (int dy = 0; dy < 3; ++dy)
            for (int dx = 0; dx < 3; ++dx) {
              const int iy = y + dy - 1, ix = x + dx - 1;
              if (iy < 0 || iy >= size || ix < 0 || ix >= size) continue;
              for (int c = 0; c < cin; ++c) {
                s += in[(iy * size + ix) * cin + c] * k[((dy * 3 + dx) * cin + c) * cout + o];
              }
            }
          out[(y * size + x) * cout + o] = std::max(0.0, s);
        }
    return out;
  };
  auto pool = [](const std::vector<double>& in, int size, int c) {
    const int half = size / 2;
    std::vector<double> out(half * half * c);
    for (int y = 0; y < half; ++y)
      for (int x = 0; x < half; ++x)
        for (int ch = 0; ch < c; ++ch) {
          double m = in[((2 * y) * size + 2 * x) * c + ch];
          for (int dy = 0; dy < 2; ++dy)
            for (int dx = 0; dx < 2; ++dx)
              m = std::max(m, in[((2 * y + dy) * size + 2 * x + dx) * c + ch]);
          out[(y * half + x) * c + ch] = m;
        }
    return out;
  };
  auto dense = [](const std::vector<double>& in, const std::vector<float>& w,
                  const std::vector<float>& b, bool relu) {
    const size_t units = b.size();
    std::vector<double> out(units);
    for (size_t u = 0; u < units; ++u) {
      double s = b[u];
      for (size_t i = 0; i < in.size(); ++i) s += in[i] * w[i * units + u];
      out[u] = relu ? std::max(0.0, s) : s;
    }
    return out;
  };
  std::vector<double> x(28 * 28);
  for (int i = 0; i < 28 * 28; ++i) x[i] = image[i] / 255.0;
  x = pool(conv_relu(x, 28, 1, k1, b1, 32), 28, 32);
  x = pool(conv_relu(x, 14, 32, k2, b2, 64), 14, 64);
  return dense(dense(x, w3, b3, true), w4, b4, false);
}

TEST(CnnModelTest, LogitsMatchANaiveForwardPass) {
  auto t = CnnTrainer::Create(CnnOptions{}, SerialOptions());
  ASSERT_TRUE(t.ok()) << t.status();
  const Dataset data = SyntheticDataset(96, 7);
  // A few steps make the biases non-zero, so their wiring is checked too.
  ASSERT_TRUE((*t)->TrainEpoch(data, 32).ok());
  for (float b : Values(**t, "conv2d/bias")) ASSERT_TRUE(std::isfinite(b));
  const Dataset probe = SyntheticDataset(3, 8);
  auto logits = (*t)->Logits(probe.images);
  ASSERT_TRUE(logits.ok()) << logits.status();
  ASSERT_EQ(logits->shape(), TensorShape({3, 10}));
  for (int64_t n = 0; n < 3; ++n) {
    const std::vector<double> want = NaiveLogits(**t, probe.images.data<uint8_t>() + n * 784);
    for (int c = 0; c < 10; ++c) {
      EXPECT_NEAR(logits->data<float>()[n * 10 + c], want[c], 1e-4f * (1 + std::fabs(want[c])))
          << "image " << n << " class " << c;
    }
  }
}

// Mean cross-entropy of the naive forward pass over `data`, in double.
double NaiveLoss(CnnTrainer& t, const Dataset& data) {
  double sum = 0;
  for (int64_t n = 0; n < data.size(); ++n) {
    const std::vector<double> z = NaiveLogits(t, data.images.data<uint8_t>() + n * 784);
    double m = z[0], e = 0;
    for (double v : z) m = std::max(m, v);
    for (double v : z) e += std::exp(v - m);
    sum += m + std::log(e) - z[data.labels.data<int64_t>()[n]];
  }
  return sum / static_cast<double>(data.size());
}

void SetValues(CnnTrainer& t, const std::string& name, const std::vector<float>& values) {
  auto var = t.session().resources().LookupVariable(name).value();
  Tensor value(DataType::kFloat32, var->Read().value().shape());
  ASSERT_EQ(static_cast<size_t>(value.num_elements()), values.size());
  std::copy(values.begin(), values.end(), value.data<float>());
  ASSERT_TRUE(var->Assign(value).ok());
}

// The step's gradients against central differences of the naive loss: one
// SGD step at learning rate 1 moves each weight by minus its gradient.
TEST(CnnModelTest, TrainingStepFollowsTheNumericGradient) {
  CnnOptions sgd;
  sgd.optimizer = CnnOptimizer::kSgd;
  sgd.learning_rate = 1;
  auto t = CnnTrainer::Create(sgd, SerialOptions());
  ASSERT_TRUE(t.ok()) << t.status();
  const Dataset batch = SyntheticDataset(6, 11);
  struct Probe {
    std::string name;
    std::vector<int64_t> entries;
  };
  const std::vector<Probe> probes = {{"conv2d/kernel", {0, 77, 250}},
                                     {"conv2d/bias", {3}},
                                     {"conv2d_1/kernel", {5, 9000, 18000}},
                                     {"conv2d_1/bias", {40}},
                                     {"dense/kernel", {1234, 200000}},
                                     {"dense_1/kernel", {17, 1000}},
                                     {"dense_1/bias", {2, 9}}};
  const std::vector<std::string> names = {"conv2d/kernel", "conv2d/bias",  "conv2d_1/kernel",
                                          "conv2d_1/bias", "dense/kernel", "dense/bias",
                                          "dense_1/kernel", "dense_1/bias"};
  std::map<std::string, std::vector<float>> before, after;
  for (const std::string& n : names) before[n] = Values(**t, n);
  std::vector<int64_t> all = {0, 1, 2, 3, 4, 5};
  ASSERT_TRUE((*t)->Step(batch, all).ok());
  for (const std::string& n : names) {
    after[n] = Values(**t, n);
    SetValues(**t, n, before[n]);  // numeric differences where the step began
  }
  for (const Probe& p : probes) {
    std::vector<float> w = before[p.name];
    for (int64_t i : p.entries) {
      const double analytic = static_cast<double>(w[i]) - after[p.name][i];
      // A small step, the loss in double: a step of 1e-3 crosses kinks of
      // the relus and pools among a conv layer's thousands of units (errors
      // of 5-10% seen), one of 1e-5 almost never does.
      constexpr float kEps = 1e-5f;
      const float w0 = w[i], plus = w0 + kEps, minus = w0 - kEps;
      w[i] = plus;
      SetValues(**t, p.name, w);
      const double up = NaiveLoss(**t, batch);
      w[i] = minus;
      SetValues(**t, p.name, w);
      const double down = NaiveLoss(**t, batch);
      w[i] = w0;
      SetValues(**t, p.name, w);
      const double numeric = (up - down) / (static_cast<double>(plus) - minus);
      EXPECT_NEAR(analytic, numeric, 1e-6 + 1e-2 * std::fabs(numeric))
          << p.name << "[" << i << "]";
    }
  }
}

TEST(CnnModelTest, VariablesAreTheLayersInOrderWithGlorotKernels) {
  GraphBuilder b;
  auto m = BuildCnn(b, CnnOptions{});
  ASSERT_TRUE(m.ok()) << m.status();
  std::vector<std::string> names;
  for (const Variable& v : m->variables) names.push_back(v.name());
  EXPECT_THAT(names, ::testing::ElementsAre("conv2d/kernel", "conv2d/bias", "conv2d_1/kernel",
                                            "conv2d_1/bias", "dense/kernel", "dense/bias",
                                            "dense_1/kernel", "dense_1/bias"));
  auto t = CnnTrainer::Create(CnnOptions{}, SerialOptions());
  ASSERT_TRUE(t.ok()) << t.status();
  // Keras' fans for a [3, 3, 32, 64] kernel: 3*3*32 in, 3*3*64 out.
  const float limit = std::sqrt(6.0f / (9 * 32 + 9 * 64));
  const std::vector<float> k = Values(**t, "conv2d_1/kernel");
  ASSERT_EQ(k.size(), 3u * 3 * 32 * 64);
  float lo = 0, hi = 0;
  for (float v : k) lo = std::min(lo, v), hi = std::max(hi, v);
  EXPECT_LE(hi, limit);
  EXPECT_GE(lo, -limit);
  EXPECT_GT(hi, 0.99f * limit);  // 18,432 uniform draws reach the edges
  EXPECT_LT(lo, -0.99f * limit);
}

TEST(CnnModelTest, StepFlopsAreAboutOnePointSixGiga) {
  // conv1 28*28*32*9, conv2 14*14*64*288, dense 3136*128, dense_1 128*10
  // multiply-adds; forward + 2x backward less conv1's input gradient.
  EXPECT_EQ(CnnTrainStepFlops(64), 1599700992);
  EXPECT_EQ(CnnTrainStepFlops(1) * 64, CnnTrainStepFlops(64));
}

TEST(CnnModelTest, UnknownOptimizerIsRefusedNamingTheChoices) {
  auto o = ParseCnnOptimizer("rmsprop");
  EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(o.status().message(), HasSubstr("sgd, momentum or adam"));
  EXPECT_EQ(ParseCnnOptimizer("adam").value(), CnnOptimizer::kAdam);
}

TEST(CnnTrainerTest, TrainingOnASliceLearns) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // 300 steps take minutes under a sanitizer (8 under ASan); the same code
  // paths run there in the resume and export tests, so learning is checked
  // in the release build only.
  GTEST_SKIP() << "learning is checked in the release build (too slow under a sanitizer)";
#endif
  if (!std::filesystem::exists(std::string(kDefaultDataDir) + "/train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)";
  }
  absl::StatusOr<FashionMnist> data = LoadFashionMnist();
  ASSERT_TRUE(data.ok()) << data.status();
  const Dataset train = data->train.Slice(5000, 5000 + 64 * 150);  // 150 steps an epoch
  const Dataset held_out = data->test.Slice(0, 1000);
  auto t = CnnTrainer::Create(CnnOptions{}, SessionOptions{});
  ASSERT_TRUE(t.ok()) << t.status();
  auto before = (*t)->Evaluate(held_out);
  ASSERT_TRUE(before.ok()) << before.status();
  std::vector<double> epoch_loss;
  for (int epoch = 0; epoch < 2; ++epoch) {  // 300 steps
    auto p = (*t)->TrainEpoch(train, 64);
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_TRUE(p->finished);
    EXPECT_EQ(p->metrics.steps, 150);
    epoch_loss.push_back(p->metrics.loss);
  }
  EXPECT_EQ((*t)->state().step, 300);
  EXPECT_EQ((*t)->state().epoch, 3);
  auto after = (*t)->Evaluate(held_out);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_LT(epoch_loss.back(), epoch_loss.front());
  EXPECT_LT(after->loss, 0.5 * before->loss);
  EXPECT_GT(after->accuracy, 0.75) << "loss " << after->loss;
}

// Trains to `max_steps` (global) the way the example's loop does.
void TrainTo(CnnTrainer& t, const Dataset& data, int64_t max_steps) {
  while (t.state().step < max_steps) {
    auto p = t.TrainEpoch(data, 32, max_steps);
    ASSERT_TRUE(p.ok()) << p.status();
  }
}

}  // namespace

// Names the parameter in test names and messages (gtest prints bytes otherwise).
void PrintTo(CnnOptimizer o, std::ostream* os) {
  *os << (o == CnnOptimizer::kAdam ? "adam" : o == CnnOptimizer::kSgd ? "sgd" : "momentum");
}

namespace {

class CnnResumeTest : public ::testing::TestWithParam<CnnOptimizer> {};

TEST_P(CnnResumeTest, StopAndResumeEqualsAnUninterruptedRun) {
  CnnOptions options;
  options.optimizer = GetParam();
  const Dataset data = SyntheticDataset(200, 3);  // 7 steps an epoch (the last has 8 examples)
  const std::string dir = ::testing::TempDir() + "/cnn_resume_" +
                          std::to_string(static_cast<int>(GetParam()));
  std::filesystem::remove_all(dir);
  constexpr int64_t kStop = 10, kEnd = 17;  // stop mid epoch 2, end mid epoch 3

  auto first = CnnTrainer::Create(options, SerialOptions());
  ASSERT_TRUE(first.ok()) << first.status();
  TrainTo(**first, data, kStop);
  EXPECT_EQ((*first)->state().epoch, 2);
  EXPECT_EQ((*first)->state().position, 3 * 32);
  ASSERT_TRUE((*first)->SaveCheckpoint(dir).ok());
  ASSERT_TRUE(CnnTrainer::HasCheckpoint(dir));

  auto resumed = CnnTrainer::Create(options, SerialOptions());
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  absl::Status s = (*resumed)->RestoreCheckpoint(dir);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ((*resumed)->state().step, kStop);
  EXPECT_EQ((*resumed)->state().epoch, 2);
  EXPECT_EQ((*resumed)->state().position, 3 * 32);
  EXPECT_EQ((*resumed)->state().correct, (*first)->state().correct);
  EXPECT_EQ((*resumed)->state().loss_sum, (*first)->state().loss_sum);
  TrainTo(**resumed, data, kEnd);

  auto straight = CnnTrainer::Create(options, SerialOptions());
  ASSERT_TRUE(straight.ok()) << straight.status();
  TrainTo(**straight, data, kEnd);

  const auto want = AllVariables(**straight);
  const auto got = AllVariables(**resumed);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].first, want[i].first);
    EXPECT_TRUE(got[i].second == want[i].second) << want[i].first << " differs";
  }
  // Without the checkpoint the trainers would differ: the check has teeth.
  EXPECT_FALSE(AllVariables(**first) == want);
  EXPECT_EQ((*resumed)->state().step, (*straight)->state().step);
  EXPECT_EQ((*resumed)->state().epoch, (*straight)->state().epoch);
  EXPECT_EQ((*resumed)->state().position, (*straight)->state().position);
  EXPECT_EQ((*resumed)->state().loss_sum, (*straight)->state().loss_sum);
}

INSTANTIATE_TEST_SUITE_P(Optimizers, CnnResumeTest,
                         ::testing::Values(CnnOptimizer::kMomentum, CnnOptimizer::kAdam),
                         [](const auto& info) {
                           return info.param == CnnOptimizer::kAdam ? "Adam" : "Momentum";
                         });

TEST(CnnTrainerTest, CheckpointOfAnotherOptimizerIsRefusedNamingTheSlots) {
  const std::string dir = ::testing::TempDir() + "/cnn_other_optimizer";
  std::filesystem::remove_all(dir);
  auto momentum = CnnTrainer::Create(CnnOptions{}, SerialOptions());
  ASSERT_TRUE(momentum.ok()) << momentum.status();
  ASSERT_TRUE((*momentum)->SaveCheckpoint(dir).ok());
  CnnOptions adam;
  adam.optimizer = CnnOptimizer::kAdam;
  auto t = CnnTrainer::Create(adam, SerialOptions());
  ASSERT_TRUE(t.ok()) << t.status();
  absl::Status s = (*t)->RestoreCheckpoint(dir);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("adam_m"));
  EXPECT_THAT(s.message(), HasSubstr("momentum"));
  EXPECT_EQ((*t)->state().step, 0);  // nothing restored
}

TEST(CnnTrainerTest, BadBatchSizeAndATooSmallDatasetAreErrors) {
  auto t = CnnTrainer::Create(CnnOptions{}, SerialOptions());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->TrainEpoch(SyntheticDataset(10, 2), 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE((*t)->TrainEpoch(SyntheticDataset(64, 2), 32, /*max_steps=*/1).ok());
  auto p = (*t)->TrainEpoch(SyntheticDataset(16, 2), 32);  // resumed position 32 > 16 examples
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr("--train-examples"));
}

TEST(CnnExportTest, GraphrtRunServesTheTrainingGraphsLogits) {
  auto t = CnnTrainer::Create(CnnOptions{}, SerialOptions());
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE((*t)->TrainEpoch(SyntheticDataset(64, 4), 32).ok());
  const std::string dir = ::testing::TempDir() + "/cnn_export";
  std::filesystem::create_directories(dir);
  ASSERT_TRUE((*t)->Export(dir + "/model.pb").ok());
  const Dataset probe = SyntheticDataset(5, 9);
  ASSERT_TRUE(WriteNpy(probe.images, dir + "/images.npy").ok());
  auto want = (*t)->Logits(probe.images);
  ASSERT_TRUE(want.ok()) << want.status();

  // The frozen graph holds no variable and no training node.
  auto frozen = ReadGraph(dir + "/model.pb");
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  for (int i = 0; i < frozen->num_nodes(); ++i) {
    const Node& n = frozen->node(i);
    EXPECT_NE(n.op(), "VarHandleOp") << n.name();
    EXPECT_THAT(n.name(), ::testing::Not(::testing::StartsWith("train"))) << n.op();
    EXPECT_THAT(n.name(), ::testing::Not(::testing::StartsWith("gradients"))) << n.op();
  }
  auto session = Session::Create(*std::move(frozen), SerialOptions());
  ASSERT_TRUE(session.ok()) << session.status();
  auto served = (*session)->Run({{"images", probe.images}}, {"logits"});
  ASSERT_TRUE(served.ok()) << served.status();

  std::ostringstream out, err;
  const int code = cli::RunCli({"run", dir + "/model.pb", "--feed",
                                "images=" + dir + "/images.npy", "--fetch", "logits", "--out",
                                dir},
                               out, err);
  ASSERT_EQ(code, 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("logits: float32 [5,10]"));
  auto cli_logits = ReadNpy(dir + "/logits.npy");
  ASSERT_TRUE(cli_logits.ok()) << cli_logits.status();
  ASSERT_EQ(cli_logits->shape(), want->shape());
  ASSERT_EQ((*served)[0].shape(), want->shape());
  for (int64_t i = 0; i < want->num_elements(); ++i) {
    const float w = want->data<float>()[i];
    // Same kernels, same single thread: the session agrees exactly; the CLI
    // may split the convolutions over other threads, so allow rounding.
    EXPECT_EQ((*served)[0].data<float>()[i], w) << i;
    EXPECT_NEAR(cli_logits->data<float>()[i], w, 1e-5f * (1 + std::fabs(w))) << i;
  }
}

}  // namespace
}  // namespace graphrt::mnist
