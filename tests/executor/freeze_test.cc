// Tests for core/executor/freeze.h: a trained MLP frozen for its
// probabilities keeps only the inference path with the variables as Consts,
// survives a GraphDef round trip and serves the session's outputs; the
// frozen values are those at freezing time; fetches that need training ops
// or are not in the graph are refused by name.
#include <string>
#include <vector>

#include "core/executor/freeze.h"
#include "core/executor/session.h"
#include "core/graph/io/graph_def.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/executor/small_mlp.h"

namespace graphrt {
namespace {

using ::graphrt::testing::SmallMlp;
using ::testing::HasSubstr;

void ExpectSameValues(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    EXPECT_NEAR(a.data<float>()[i], b.data<float>()[i], 1e-6f) << i;
  }
}

TEST(FreezeTest, FrozenMlpKeepsTheInferencePathAndServesTheSameOutputs) {
  SmallMlp mlp;
  auto session = mlp.NewSession();
  mlp.Train(*session, 5);
  auto frozen = FreezeGraph(*session, {"probs"});
  ASSERT_TRUE(frozen.ok()) << frozen.status();

  std::vector<std::string> ops;
  for (int i = 0; i < frozen->num_nodes(); ++i) {
    const Node& n = frozen->node(i);
    ops.push_back(n.op());
    for (int k = 0; k < n.num_outputs(); ++k) {
      EXPECT_NE(n.output_type(k), DataType::kResource) << n.DebugName();
    }
    EXPECT_FALSE(n.is_stateful()) << n.DebugName();
  }
  // x, 4 weights as Consts, 2 MatMul, 2 BiasAdd, Relu, Softmax: no labels,
  // loss, gradients, optimiser or slots.
  EXPECT_THAT(ops, ::testing::UnorderedElementsAre("Placeholder", "Const", "Const", "Const",
                                                   "Const", "MatMul", "MatMul", "BiasAdd",
                                                   "BiasAdd", "Relu", "Softmax"));
  EXPECT_NE(frozen->FindNode("w1/read"), nullptr);  // reads keep their names

  const std::string path = ::testing::TempDir() + "/frozen_mlp.pb";
  ASSERT_TRUE(WriteGraph(*frozen, path).ok());
  auto read = ReadGraph(path);
  ASSERT_TRUE(read.ok()) << read.status();
  auto served = Session::Create(*std::move(read));
  ASSERT_TRUE(served.ok()) << served.status();
  for (uint32_t seed : {7u, 8u}) {
    auto out = (*served)->Run({{"x", SmallMlp::Batch(seed)}}, {"probs"});
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectSameValues((*out)[0], mlp.Probs(*session, seed));
  }
}

TEST(FreezeTest, FrozenValuesAreThoseAtFreezingTime) {
  SmallMlp mlp;
  auto session = mlp.NewSession();
  auto frozen = FreezeGraph(*session, {"logits"});
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  const Tensor before = *mlp.Probs(*session).Clone();
  mlp.Train(*session, 3);
  auto served = Session::Create(*std::move(frozen));
  ASSERT_TRUE(served.ok()) << served.status();
  auto logits = (*served)->Run({{"x", SmallMlp::Batch(7)}}, {"logits"});
  ASSERT_TRUE(logits.ok()) << logits.status();
  // Softmax of the frozen logits is the untrained model's output.
  for (int64_t r = 0; r < 6; ++r) {
    double sum = 0;
    for (int c = 0; c < 3; ++c) sum += std::exp((*logits)[0].data<float>()[r * 3 + c]);
    for (int c = 0; c < 3; ++c) {
      EXPECT_NEAR(std::exp((*logits)[0].data<float>()[r * 3 + c]) / sum,
                  before.data<float>()[r * 3 + c], 1e-5);
    }
  }
}

TEST(FreezeTest, RefusesFetchesThatNeedTrainingOps) {
  SmallMlp mlp;
  auto session = mlp.NewSession();
  auto train = FreezeGraph(*session, {"train"});
  ASSERT_FALSE(train.ok());
  EXPECT_EQ(train.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(train.status().message(), HasSubstr("updates or holds a variable"));
  EXPECT_THAT(train.status().message(), HasSubstr("(needed by train)")) << train.status();

  auto unknown = FreezeGraph(*session, {"nope"});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("fetch 'nope'"));
}

}  // namespace
}  // namespace graphrt
