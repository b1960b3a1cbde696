// A small MLP trained with Adam, shared by the checkpoint and freeze tests
// (tests/executor/checkpoint_test.cc, freeze_test.cc) and the frozen-graph
// CLI test (tests/examples/frozen_graph_cli_test.cc):
//   x [-1, 4] -> MatMul w1 [4, 8] + b1 -> Relu -> MatMul w2 [8, 3] + b2
//   -> "logits" -> Softmax "probs"; loss = mean xent(logits, labels).
// Weights come from a fixed seed, so two builds make the same graph.
#ifndef GRAPHRT_TESTS_EXECUTOR_SMALL_MLP_H_
#define GRAPHRT_TESTS_EXECUTOR_SMALL_MLP_H_

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "core/executor/session.h"
#include "core/graph/builder.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "core/graph/optimizers.h"
#include "gtest/gtest.h"

namespace graphrt::testing {

inline Tensor SeededTensor(const TensorShape& shape, uint32_t seed, float scale = 0.5f) {
  Tensor t(DataType::kFloat32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-scale, scale);
  for (float& v : t.flat<float>()) v = u(rng);
  return t;
}

struct SmallMlp {
  GraphBuilder b;
  Output x, labels, logits, probs, loss, train;

  SmallMlp() {
    x = b.Placeholder(DataType::kFloat32, {-1, 4}, "x");
    labels = b.Placeholder(DataType::kInt32, {-1}, "labels");
    Variable w1 = b.NewVariable("w1", SeededTensor({4, 8}, 1));
    Variable b1 = b.NewVariable("b1", SeededTensor({8}, 2, 0.1f));
    Variable w2 = b.NewVariable("w2", SeededTensor({8, 3}, 3));
    Variable b2 = b.NewVariable("b2", SeededTensor({3}, 4, 0.1f));
    Output hidden = ops::Relu(ops::BiasAdd(ops::MatMul(x, w1.Read()), b1.Read()));
    logits = ops::BiasAdd(ops::MatMul(hidden, w2.Read()), b2.Read(), "logits");
    probs = ops::Softmax(logits, "probs");
    loss = ops::Mean(ops::SparseSoftmaxCrossEntropyWithLogits(logits, labels).loss, {}, "loss");
    Variable vars[] = {w1, b1, w2, b2};
    auto t = MinimizeWithAdam(loss, vars, AdamOptions{.learning_rate = 0.05f});
    EXPECT_TRUE(t.ok()) << t.status();
    if (t.ok()) train = *t;
  }

  static Tensor Batch(uint32_t seed) { return SeededTensor({6, 4}, 100 + seed, 1.0f); }
  static Tensor Labels() { return Tensor::FromVector<int32_t>({0, 1, 2, 0, 1, 2}); }

  std::unique_ptr<Session> NewSession() {
    auto graph = b.Build();
    EXPECT_TRUE(graph.ok()) << graph.status();
    auto s = Session::Create(*std::move(graph));
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : nullptr;
  }

  void Train(Session& s, int steps) {
    for (int i = 0; i < steps; ++i) {
      auto r = s.Run({{x, Batch(i)}, {labels, Labels()}}, {}, {train});
      ASSERT_TRUE(r.ok()) << r.status();
    }
  }

  Tensor Probs(Session& s, uint32_t seed = 7) {
    auto r = s.Run({{x, Batch(seed)}}, {probs});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? (*r)[0] : Tensor();
  }
};

}  // namespace graphrt::testing

#endif  // GRAPHRT_TESTS_EXECUTOR_SMALL_MLP_H_
