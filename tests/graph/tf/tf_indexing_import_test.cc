// The TF ops of the indexing family imported and run from hand-built
// GraphDefs: GatherV2 (Keras' Embedding, and batch_dims), Prod and Min with
// keep_dims, Tile, Cumsum, OneHot, TopKV2 and Range with operands read when they
// run. Expected
// values are written out by hand from TF's definitions.
#include <string>
#include <vector>

#include "core/executor/session.h"
#include "core/graph/tf/tf_import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/graph/tf/tf_test_util.h"

namespace graphrt {
namespace {

std::vector<Tensor> ImportAndRun(const std::string& text, const std::vector<TensorName>& fetch) {
  absl::StatusOr<Graph> g = ImportTfGraph(tf_test::Parse(text));
  EXPECT_TRUE(g.ok()) << g.status();
  if (!g.ok()) return {};
  auto session = Session::Create(*std::move(g));
  EXPECT_TRUE(session.ok()) << session.status();
  if (!session.ok()) return {};
  auto out = (*session)->Run(FeedList{}, fetch);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::vector<Tensor>{};
}

constexpr char kTable[] = R"(
  node { name: "table" op: "Const" attr { key: "value" value { tensor {
         dtype: DT_FLOAT tensor_shape { dim { size: 3 } dim { size: 2 } }
         float_val: 1 float_val: 2 float_val: 3 float_val: 4 float_val: 5 float_val: 6 } } } }
  node { name: "ids" op: "Const" attr { key: "value" value { tensor {
         dtype: DT_INT32 tensor_shape { dim { size: 2 } } int_val: 2 int_val: 0 } } } }
  node { name: "zero" op: "Const" attr { key: "value" value { tensor {
         dtype: DT_INT32 tensor_shape { } int_val: 0 } } } }
  node { name: "one" op: "Const" attr { key: "value" value { tensor {
         dtype: DT_INT32 tensor_shape { } int_val: 1 } } } }
)";

TEST(TfIndexingImportTest, GatherV2ProdMinTileCumsum) {
  std::vector<Tensor> out = ImportAndRun(std::string(kTable) + R"(
    node { name: "emb" op: "GatherV2" input: "table" input: "ids" input: "zero"
           attr { key: "batch_dims" value { i: 0 } } }
    node { name: "prod" op: "Prod" input: "table" input: "one"
           attr { key: "keep_dims" value { b: true } } }
    node { name: "min" op: "Min" input: "table" input: "zero" }
    node { name: "reps" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT32 tensor_shape { dim { size: 2 } } int_val: 1 int_val: 2 } } } }
    node { name: "tiled" op: "Tile" input: "table" input: "reps" }
    node { name: "csum" op: "Cumsum" input: "table" input: "zero"
           attr { key: "exclusive" value { b: true } } attr { key: "reverse" value { b: true } } })",
                                         {"emb", "prod", "min", "tiled", "csum"});
  ASSERT_EQ(out.size(), 5u);
  // table = [[1, 2], [3, 4], [5, 6]].
  EXPECT_EQ(out[0].shape(), (TensorShape{2, 2}));
  EXPECT_THAT(out[0].flat<float>(), ::testing::ElementsAre(5, 6, 1, 2));
  EXPECT_EQ(out[1].shape(), (TensorShape{3, 1}));
  EXPECT_THAT(out[1].flat<float>(), ::testing::ElementsAre(2, 12, 30));
  EXPECT_THAT(out[2].flat<float>(), ::testing::ElementsAre(1, 2));
  EXPECT_EQ(out[3].shape(), (TensorShape{3, 4}));
  EXPECT_THAT(out[3].flat<float>(), ::testing::ElementsAre(1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6));
  // Exclusive reverse along rows: the sum of the rows below.
  EXPECT_THAT(out[4].flat<float>(), ::testing::ElementsAre(8, 10, 5, 6, 0, 0));
}

TEST(TfIndexingImportTest, GatherV2WithBatchDims) {
  // tf.gather(params [2, 3], indices [[2, 0], [1, 1]], axis=1, batch_dims=1).
  std::vector<Tensor> out = ImportAndRun(R"(
    node { name: "p" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT64 tensor_shape { dim { size: 2 } dim { size: 3 } }
           int64_val: 10 int64_val: 11 int64_val: 12 int64_val: 20 int64_val: 21 int64_val: 22 } } } }
    node { name: "i" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT32 tensor_shape { dim { size: 2 } dim { size: 2 } }
           int_val: 2 int_val: 0 int_val: 1 int_val: 1 } } } }
    node { name: "axis" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT32 tensor_shape { } int_val: 1 } } } }
    node { name: "g" op: "GatherV2" input: "p" input: "i" input: "axis"
           attr { key: "batch_dims" value { i: 1 } } })",
                                         {"g"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (TensorShape{2, 2}));
  EXPECT_THAT(out[0].flat<int64_t>(), ::testing::ElementsAre(12, 10, 21, 21));
}

TEST(TfIndexingImportTest, OneHotGivesOffForOutOfRangeIndices) {
  // tf.one_hot([0, 2, 3], depth=3, on_value=5., off_value=-1.): 3 is out of range.
  std::vector<Tensor> out = ImportAndRun(R"(
    node { name: "i" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT64 tensor_shape { dim { size: 3 } } int64_val: 0 int64_val: 2 int64_val: 3 } } } }
    node { name: "depth" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT32 tensor_shape { } int_val: 3 } } } }
    node { name: "on" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_FLOAT tensor_shape { } float_val: 5 } } } }
    node { name: "off" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_FLOAT tensor_shape { } float_val: -1 } } } }
    node { name: "h" op: "OneHot" input: "i" input: "depth" input: "on" input: "off"
           attr { key: "axis" value { i: -1 } } })",
                                         {"h"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (TensorShape{3, 3}));
  EXPECT_THAT(out[0].flat<float>(), ::testing::ElementsAre(5, -1, -1, -1, -1, 5, -1, -1, -1));
}

TEST(TfIndexingImportTest, TopKV2GivesValuesAndInt32Indices) {
  // tf.math.top_k([3, 1, 3, 2], k=2): ties go to the lower index.
  std::vector<Tensor> out = ImportAndRun(R"(
    node { name: "x" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_FLOAT tensor_shape { dim { size: 4 } }
           float_val: 3 float_val: 1 float_val: 3 float_val: 2 } } } }
    node { name: "k" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT32 tensor_shape { } int_val: 2 } } } }
    node { name: "t" op: "TopKV2" input: "x" input: "k" attr { key: "sorted" value { b: true } } })",
                                         {"t", "t:1"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_THAT(out[0].flat<float>(), ::testing::ElementsAre(3, 3));
  ASSERT_EQ(out[1].dtype(), DataType::kInt32);
  EXPECT_THAT(out[1].flat<int32_t>(), ::testing::ElementsAre(0, 2));
}

TEST(TfIndexingImportTest, RangeReadsItsBoundsWhenItRuns) {
  // tf.range(start, limit, delta) with the bounds from Consts: 10, 7, 4.
  std::vector<Tensor> out = ImportAndRun(R"(
    node { name: "start" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT64 tensor_shape { } int64_val: 10 } } } }
    node { name: "limit" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT64 tensor_shape { } int64_val: 2 } } } }
    node { name: "delta" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT64 tensor_shape { } int64_val: -3 } } } }
    node { name: "r" op: "Range" input: "start" input: "limit" input: "delta"
           attr { key: "Tidx" value { type: DT_INT64 } } })",
                                         {"r"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (TensorShape{3}));
  EXPECT_THAT(out[0].flat<int64_t>(), ::testing::ElementsAre(10, 7, 4));
}

}  // namespace
}  // namespace graphrt
