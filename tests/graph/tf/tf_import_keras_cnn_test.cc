// TF import of Keras CNNs frozen by TensorFlow itself
// (tests/data/make_tf_cnn_graphs.py): Conv2D, DepthwiseConv2D, MaxPooling2D,
// AveragePooling2D, BatchNormalization (inference: Keras 3 writes it as
// Rsqrt/Mul/Sub/AddV2, not FusedBatchNormV3), Dropout (gone in inference),
// Concatenate, Flatten and Dense; and a tf.nn model with TF's own
// FusedBatchNormV3. Each imports, runs on the first test images and matches
// the probabilities TensorFlow computed for them.
#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "core/executor/session.h"
#include "core/graph/io/npy.h"
#include "core/graph/tf/tf_import.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

struct KerasCnn {
  const char* name;                  // tests/data/<name>_{frozen.pb,images.npy,probs.npy}
  std::set<std::string> must_hold;   // graphrt ops the import must produce
};

void PrintTo(const KerasCnn& m, std::ostream* os) { *os << m.name; }

class TfImportKerasCnnTest : public ::testing::TestWithParam<KerasCnn> {};

std::string DataFile(const KerasCnn& m, const char* suffix) {
  return std::string(GRAPHRT_TEST_DATA "/") + m.name + suffix;
}

TEST_P(TfImportKerasCnnTest, MatchesTensorFlowsOutputs) {
  const KerasCnn& m = GetParam();
  absl::StatusOr<Graph> graph = ReadTfGraph(DataFile(m, "_frozen.pb"));
  ASSERT_TRUE(graph.ok()) << graph.status();
  std::set<std::string> ops;
  for (int id = 0; id < graph->num_nodes(); ++id) ops.insert(graph->node(id).op());
  for (const std::string& op : m.must_hold) EXPECT_TRUE(ops.count(op)) << "no " << op << " node";

  absl::StatusOr<Tensor> images = ReadNpy(DataFile(m, "_images.npy"));
  absl::StatusOr<Tensor> want = ReadNpy(DataFile(m, "_probs.npy"));
  ASSERT_TRUE(images.ok()) << images.status();
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_EQ(want->shape(), (TensorShape{8, 10}));
  auto session = Session::Create(*std::move(graph));
  ASSERT_TRUE(session.ok()) << session.status();
  auto got = (*session)->Run({{"images", *images}}, {"probabilities"});
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ((*got)[0].shape(), want->shape());

  // TF's oneDNN kernels and graphrt's sum in different orders: absolute
  // error on probabilities in [0, 1], an order above float rounding.
  std::span<const float> g = (*got)[0].flat<float>(), w = want->flat<float>();
  double worst = 0;
  for (size_t i = 0; i < w.size(); ++i) worst = std::max<double>(worst, std::abs(g[i] - w[i]));
  EXPECT_LE(worst, 2e-5) << "largest absolute error against TensorFlow";
  // The same class wins for every image, and the expected output is not
  // degenerate (a trained model: not every row is the same distribution).
  std::set<int64_t> classes;
  for (int r = 0; r < 8; ++r) {
    auto argmax = [r](std::span<const float> v) {
      std::span<const float> row = v.subspan(r * 10, 10);
      return std::max_element(row.begin(), row.end()) - row.begin();
    };
    EXPECT_EQ(argmax(g), argmax(w)) << "image " << r;
    classes.insert(argmax(w));
  }
  EXPECT_GT(classes.size(), 1u) << "TF's outputs pick one class for every image";
}

INSTANTIATE_TEST_SUITE_P(
    KerasModels, TfImportKerasCnnTest,
    ::testing::Values(
        KerasCnn{"tf_cnn_plain", {"Conv2D", "MaxPool", "AvgPool", "Rsqrt", "MatMul", "Softmax"}},
        KerasCnn{"tf_cnn_branches",
                 {"Conv2D", "DepthwiseConv2dNative", "AvgPool", "MaxPool", "ConcatV2", "Rsqrt"}},
        // Not Keras: TF's own FusedBatchNormV3 (inference) as tf.nn writes it.
        KerasCnn{"tf_cnn_fused", {"Conv2D", "FusedBatchNormV3", "MaxPool", "Div", "BiasAdd"}}),
    [](const ::testing::TestParamInfo<KerasCnn>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace graphrt
