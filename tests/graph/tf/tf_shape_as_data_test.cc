// A shape expression TF computes at run time and the graph uses as data
// (tf.cast(tf.shape(k)[-1], tf.float32) in attention layers) is folded to a
// Const of exactly TF's dtype and rank (Note [Folded values keep TF's type]
// in core/graph/tf/tf_import.cc): a scalar where the slice shrinks its axis,
// int64 where Shape's out_type asks for it. A StridedSlice of a data tensor
// (x[:, 2:6]) is imported as a run-time slice instead (Note [Slicing data at
// run time]). Hand-built GraphDefs, run.
#include <string>
#include <vector>

#include "core/executor/session.h"
#include "core/graph/tf/tf_import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/graph/tf/tf_test_util.h"

namespace graphrt {
namespace {

using tf_test::Parse;

// k: [?, 4, 8]; `shape` is Shape(k) with out_type `type`; b/e/s are rank-1
// slice bounds, as tf.shape(k)[...] writes them.
std::string Prefix(const std::string& type) {
  return R"(
  node { name: "k" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
         attr { key: "shape" value { shape { dim { size: -1 } dim { size: 4 } dim { size: 8 } } } } }
  node { name: "shape" op: "Shape" input: "k" attr { key: "out_type" value { type: )" +
         type + R"( } } }
  node { name: "minus1" op: "Const" attr { key: "value" value { tensor {
         dtype: DT_INT32 tensor_shape { dim { size: 1 } } int_val: -1 } } } }
  node { name: "zero" op: "Const" attr { key: "value" value { tensor {
         dtype: DT_INT32 tensor_shape { dim { size: 1 } } int_val: 0 } } } }
  node { name: "one" op: "Const" attr { key: "value" value { tensor {
         dtype: DT_INT32 tensor_shape { dim { size: 1 } } int_val: 1 } } } }
  node { name: "two" op: "Const" attr { key: "value" value { tensor {
         dtype: DT_INT32 tensor_shape { dim { size: 1 } } int_val: 2 } } } }
)";
}

// Imports, checks the folded Const `folded`, runs and fetches `fetch`.
Tensor ImportAndRun(const std::string& text, const std::string& folded, DataType dtype,
                    const TensorShape& shape, const std::string& fetch) {
  absl::StatusOr<Graph> g = ImportTfGraph(Parse(text));
  EXPECT_TRUE(g.ok()) << g.status();
  if (!g.ok()) return Tensor();
  const Node* node = g->FindNode(folded);
  EXPECT_NE(node, nullptr);
  if (node == nullptr) return Tensor();
  EXPECT_EQ(node->op(), "Const");
  EXPECT_EQ(*node->attr<DataType>("dtype"), dtype);
  EXPECT_EQ(node->output_shape(0), PartialShape(shape.dims()));
  auto session = Session::Create(*std::move(g));
  EXPECT_TRUE(session.ok()) << session.status();
  if (!session.ok()) return Tensor();
  auto out = (*session)->Run({}, {fetch});
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? (*out)[0] : Tensor();
}

TEST(TfShapeAsDataTest, LastDimensionCastToFloatIsAScalar) {
  // The issue's case: tf.cast(tf.shape(k)[-1], tf.float32).
  Tensor d = ImportAndRun(Prefix("DT_INT32") + R"(
    node { name: "strided_slice" op: "StridedSlice"
           input: "shape" input: "minus1" input: "zero" input: "one"
           attr { key: "T" value { type: DT_INT32 } }
           attr { key: "end_mask" value { i: 0 } }
           attr { key: "shrink_axis_mask" value { i: 1 } } }
    node { name: "d" op: "Cast" input: "strided_slice" attr { key: "DstT" value { type: DT_FLOAT } } })",
                          "strided_slice", DataType::kInt32, TensorShape{}, "d");
  ASSERT_EQ(d.dtype(), DataType::kFloat32);
  EXPECT_EQ(d.rank(), 0);
  EXPECT_EQ(d.flat<float>()[0], 8.0f);
}

TEST(TfShapeAsDataTest, Int64ShapeSliceStaysRankOneInt64) {
  // tf.cast(tf.shape(k, out_type=tf.int64)[1:], tf.float32).
  Tensor d = ImportAndRun(Prefix("DT_INT64") + R"(
    node { name: "tail" op: "StridedSlice" input: "shape" input: "one" input: "zero" input: "one"
           attr { key: "T" value { type: DT_INT64 } }
           attr { key: "end_mask" value { i: 1 } } }
    node { name: "d" op: "Cast" input: "tail" attr { key: "DstT" value { type: DT_FLOAT } } })",
                          "tail", DataType::kInt64, TensorShape{2}, "d");
  ASSERT_EQ(d.dtype(), DataType::kFloat32);
  ASSERT_EQ(d.shape(), TensorShape{2});
  EXPECT_EQ(d.flat<float>()[0], 4.0f);
  EXPECT_EQ(d.flat<float>()[1], 8.0f);
}

TEST(TfShapeAsDataTest, Int64ScalarAndPackOfScalars) {
  // tf.stack([tf.shape(k, out_type=tf.int64)[1], 3]) used as data: rank 1, int64.
  Tensor d = ImportAndRun(Prefix("DT_INT64") + R"(
    node { name: "dim1" op: "StridedSlice" input: "shape" input: "one" input: "two" input: "one"
           attr { key: "T" value { type: DT_INT64 } }
           attr { key: "shrink_axis_mask" value { i: 1 } } }
    node { name: "three" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT64 tensor_shape { } int64_val: 3 } } } }
    node { name: "packed" op: "Pack" input: "dim1" input: "three"
           attr { key: "T" value { type: DT_INT64 } } }
    node { name: "d" op: "Cast" input: "packed" attr { key: "DstT" value { type: DT_FLOAT } } })",
                          "packed", DataType::kInt64, TensorShape{2}, "d");
  ASSERT_EQ(d.dtype(), DataType::kFloat32);
  ASSERT_EQ(d.shape(), TensorShape{2});
  EXPECT_EQ(d.flat<float>()[0], 4.0f);
  EXPECT_EQ(d.flat<float>()[1], 3.0f);
}

TEST(TfShapeAsDataTest, UnknownDimensionUsedAsDataIsNamed) {
  // tf.shape(k)[0] is the batch, unknown at import time: a clear refusal.
  absl::Status s = ImportTfGraph(Parse(Prefix("DT_INT32") + R"(
    node { name: "batch" op: "StridedSlice" input: "shape" input: "zero" input: "one" input: "one"
           attr { key: "shrink_axis_mask" value { i: 1 } } }
    node { name: "d" op: "Cast" input: "batch" attr { key: "DstT" value { type: DT_FLOAT } } })"))
                       .status();
  EXPECT_THAT(s.message(), ::testing::AllOf(::testing::HasSubstr("'d'"),
                                            ::testing::HasSubstr("only known when the graph runs")));
}

TEST(TfShapeAsDataTest, SliceOfDataRunsAtRunTimeBesideAFoldedShapeSlice) {
  // y = k[:, 2:6, :] (a data slice, run time) beside d = tf.shape(k)[-1] (folded).
  absl::StatusOr<Graph> g = ImportTfGraph(Parse(Prefix("DT_INT32") + R"(
    node { name: "b" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT32 tensor_shape { dim { size: 2 } } int_val: 0 int_val: 2 } } } }
    node { name: "e" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT32 tensor_shape { dim { size: 2 } } int_val: 0 int_val: 6 } } } }
    node { name: "s" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT32 tensor_shape { dim { size: 2 } } int_val: 1 int_val: 1 } } } }
    node { name: "y" op: "StridedSlice" input: "k" input: "b" input: "e" input: "s"
           attr { key: "begin_mask" value { i: 1 } } attr { key: "end_mask" value { i: 1 } } }
    node { name: "last" op: "StridedSlice" input: "shape" input: "minus1" input: "zero"
           input: "one" attr { key: "shrink_axis_mask" value { i: 1 } } }
    node { name: "d" op: "Cast" input: "last" attr { key: "DstT" value { type: DT_FLOAT } } })"));
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->FindNode("y")->op(), "StridedSlice");
  EXPECT_EQ(g->FindNode("y")->output_shape(0), (PartialShape{-1, 2, 8}));
  EXPECT_EQ(g->FindNode("last")->op(), "Const");
  auto session = Session::Create(*std::move(g));
  ASSERT_TRUE(session.ok()) << session.status();
  std::vector<float> in(2 * 4 * 8);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i);
  auto out = (*session)->Run({{"k", Tensor::FromVector(in, TensorShape{2, 4, 8})}}, {"y", "d"});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ((*out)[0].shape(), (TensorShape{2, 2, 8}));
  for (int b = 0; b < 2; ++b) {
    for (int r = 0; r < 2; ++r) {
      for (int c = 0; c < 8; ++c) {
        EXPECT_EQ((*out)[0].flat<float>()[(b * 2 + r) * 8 + c], in[(b * 4 + r + 2) * 8 + c]);
      }
    }
  }
  EXPECT_EQ((*out)[1].flat<float>()[0], 8.0f);
}

}  // namespace
}  // namespace graphrt
