// Models the strategy tests build: the book's MLP (784-100-10, relu,
// softmax cross-entropy) and a small one, each through callbacks that make
// and read variables, so one forward graph serves both a strategy's replicas
// (ReplicaContext) and the plain single-device reference (GraphBuilder).
#ifndef GRAPHRT_TESTS_GRAPH_DISTRIBUTE_TEST_MODELS_H_
#define GRAPHRT_TESTS_GRAPH_DISTRIBUTE_TEST_MODELS_H_

#include <functional>
#include <string>
#include <vector>

#include "core/graph/builder.h"
#include "core/graph/distribute/strategy.h"
#include "core/graph/initializers.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"

namespace graphrt::testing_distribute {

struct MlpShape {
  int in = 784;
  int hidden = 100;
  int out = 10;
  uint64_t seed = 7;
};

using MakeVar = std::function<Variable(absl::string_view, Tensor)>;
using ReadVar = std::function<Output(const Variable&, absl::string_view)>;

// loss: mean softmax cross-entropy; variables W1, b1, W2, b2; outputs: one
// read of each variable (fetched alone, they give its current value).
inline distribute::ReplicaModel Mlp(GraphBuilder& b, Output x, Output labels,
                                    const MlpShape& s, const MakeVar& make,
                                    const ReadVar& read) {
  InitRng rng(s.seed);
  Variable w1 = make("w1", GlorotUniform({s.in, s.hidden}, rng));
  Variable b1 = make("b1", RandomUniform({s.hidden}, -0.1f, 0.1f, rng));
  Variable w2 = make("w2", GlorotUniform({s.hidden, s.out}, rng));
  Variable b2 = make("b2", RandomUniform({s.out}, -0.1f, 0.1f, rng));
  distribute::ReplicaModel m;
  m.variables = {w1, b1, w2, b2};
  for (const Variable& v : m.variables) m.outputs.push_back(read(v, v.name() + "_value"));
  Output h = ops::Relu(ops::BiasAdd(ops::MatMul(x, read(w1, "")), read(b1, "")));
  Output logits = ops::BiasAdd(ops::MatMul(h, read(w2, "")), read(b2, ""));
  auto xent = ops::SparseSoftmaxCrossEntropyWithLogits(logits, labels);
  m.loss = ops::Mean(xent.loss, {}, "loss");
  return m;
}

inline std::vector<distribute::GlobalFeed> MlpFeeds(const MlpShape& s) {
  return {{"x", DataType::kFloat32, PartialShape{-1, s.in}},
          {"labels", DataType::kInt64, PartialShape{-1}}};
}

// The MLP as a strategy's model function.
inline distribute::ModelFn MlpModelFn(const MlpShape& s) {
  return [s](GraphBuilder& b, const distribute::ReplicaContext& ctx,
             std::span<const Output> in) -> absl::StatusOr<distribute::ReplicaModel> {
    return Mlp(
        b, in[0], in[1], s,
        [&](absl::string_view name, Tensor t) { return ctx.NewVariable(name, std::move(t)); },
        [&](const Variable& v, absl::string_view name) { return ctx.Read(v, name); });
  };
}

// The MLP on one device, the way a user writes it without a strategy.
inline distribute::ReplicaModel PlainMlp(GraphBuilder& b, Output x, Output labels,
                                         const MlpShape& s) {
  return Mlp(
      b, x, labels, s,
      [&](absl::string_view name, Tensor t) { return b.NewVariable(name, std::move(t)); },
      [](const Variable& v, absl::string_view name) { return v.Read(name); });
}

}  // namespace graphrt::testing_distribute

#endif  // GRAPHRT_TESTS_GRAPH_DISTRIBUTE_TEST_MODELS_H_
