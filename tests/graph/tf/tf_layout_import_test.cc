// TF import of the layout and elementwise ops Keras CNN graphs use
// (core/graph/tf/tf_ops.cc): a frozen-inference-style graph with
// ZeroPadding2D (Pad, [rank, 2] paddings), PadV2, Dropout as Identity,
// Transpose, Reshape, Concatenate (ConcatV2 with a negative axis), Squeeze,
// Square, Sqrt and Rsqrt imports with the attrs folded from its Consts and
// runs to values computed here by hand; bad paddings and axes name the node.
#include <cmath>
#include <vector>

#include "core/executor/session.h"
#include "core/graph/tf/tf_import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/graph/tf/tf_test_util.h"

namespace graphrt {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

using tf_test::Parse;

// x [?, 2, 2, 1] -> pad H, W by 1 -> dropout (Identity) -> NCHW -> [?, 16]
// -> concat(flat, square(flat), axis -1) -> [?, 1, 32] -> squeeze 1;
// also PadV2 of x with 2.5, and sqrt / rsqrt of square(x) + 1.
constexpr char kKerasLike[] = R"(
  node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
         attr { key: "shape" value { shape { dim { size: -1 } dim { size: 2 } dim { size: 2 }
                                             dim { size: 1 } } } } }
  node { name: "pads" op: "Const" attr { key: "value" value { tensor { dtype: DT_INT32
         tensor_shape { dim { size: 4 } dim { size: 2 } } int_val: [0, 0, 1, 1, 1, 1, 0, 0] } } } }
  node { name: "zero_padding2d/Pad" op: "Pad" input: "x" input: "pads"
         attr { key: "T" value { type: DT_FLOAT } } }
  node { name: "dropout/Identity" op: "Identity" input: "zero_padding2d/Pad" }
  node { name: "perm" op: "Const" attr { key: "value" value { tensor { dtype: DT_INT32
         tensor_shape { dim { size: 4 } } int_val: [0, 3, 1, 2] } } } }
  node { name: "nchw" op: "Transpose" input: "dropout/Identity" input: "perm" }
  node { name: "flat_shape" op: "Const" attr { key: "value" value { tensor { dtype: DT_INT32
         tensor_shape { dim { size: 2 } } int_val: [-1, 16] } } } }
  node { name: "flat" op: "Reshape" input: "nchw" input: "flat_shape" }
  node { name: "sq" op: "Square" input: "flat" }
  node { name: "axis" op: "Const" attr { key: "value" value { tensor { dtype: DT_INT32
         tensor_shape { } int_val: -1 } } } }
  node { name: "concatenate/concat" op: "ConcatV2" input: "flat" input: "sq" input: "axis"
         attr { key: "N" value { i: 2 } } }
  node { name: "row_shape" op: "Const" attr { key: "value" value { tensor { dtype: DT_INT32
         tensor_shape { dim { size: 3 } } int_val: [-1, 1, 32] } } } }
  node { name: "rows" op: "Reshape" input: "concatenate/concat" input: "row_shape" }
  node { name: "out" op: "Squeeze" input: "rows"
         attr { key: "squeeze_dims" value { list { i: 1 } } } }
  node { name: "pads2" op: "Const" attr { key: "value" value { tensor { dtype: DT_INT64
         tensor_shape { dim { size: 4 } dim { size: 2 } } int64_val: [0, 0, 0, 1, 0, 0, 0, 0] } } } }
  node { name: "c" op: "Const" attr { key: "value" value { tensor { dtype: DT_FLOAT
         tensor_shape { } float_val: 2.5 } } } }
  node { name: "padv2" op: "PadV2" input: "x" input: "pads2" input: "c" }
  node { name: "one" op: "Const" attr { key: "value" value { tensor { dtype: DT_FLOAT
         tensor_shape { } float_val: 1 } } } }
  node { name: "sq_x" op: "Square" input: "x" }
  node { name: "sq_x1" op: "AddV2" input: "sq_x" input: "one" }
  node { name: "root" op: "Sqrt" input: "sq_x1" }
  node { name: "inv_root" op: "Rsqrt" input: "sq_x1" }
)";

TEST(TfLayoutImportTest, KerasStyleGraphImportsAndRuns) {
  absl::StatusOr<Graph> g = ImportTfGraph(Parse(kKerasLike));
  ASSERT_TRUE(g.ok()) << g.status();
  const Node* pad = g->FindNode("zero_padding2d/Pad");
  ASSERT_NE(pad, nullptr);
  EXPECT_EQ(*pad->attr<std::vector<int64_t>>("paddings"),
            (std::vector<int64_t>{0, 0, 1, 1, 1, 1, 0, 0}));
  EXPECT_EQ(pad->output_shape(0), (PartialShape{-1, 4, 4, 1}));
  EXPECT_EQ(g->FindNode("concatenate/concat")->output_shape(0), (PartialShape{-1, 32}));
  EXPECT_EQ(g->FindNode("out")->output_shape(0), (PartialShape{-1, 32}));

  auto session = Session::Create(*std::move(g));
  ASSERT_TRUE(session.ok()) << session.status();
  std::vector<float> xv = {1, -2, 3, 4, 0.5f, 6, -7, 8};  // two 2x2 images
  Tensor x = Tensor::FromVector<float>(xv, TensorShape{2, 2, 2, 1});
  auto out = (*session)->Run({{"x", x}}, {"out", "padv2", "root", "inv_root"});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ((*out)[0].shape(), TensorShape({2, 32}));
  for (int n = 0; n < 2; ++n) {
    for (int h = 0; h < 4; ++h) {
      for (int w = 0; w < 4; ++w) {
        const bool inside = h >= 1 && h <= 2 && w >= 1 && w <= 2;
        const float v = inside ? xv[n * 4 + (h - 1) * 2 + (w - 1)] : 0.0f;
        EXPECT_EQ((*out)[0].data<float>()[n * 32 + h * 4 + w], v);
        EXPECT_EQ((*out)[0].data<float>()[n * 32 + 16 + h * 4 + w], v * v);
      }
    }
  }
  // PadV2: one row of 2.5 after each image's two rows.
  ASSERT_EQ((*out)[1].shape(), TensorShape({2, 3, 2, 1}));
  for (int n = 0; n < 2; ++n) {
    for (int i = 0; i < 6; ++i) {
      EXPECT_EQ((*out)[1].data<float>()[n * 6 + i], i < 4 ? xv[n * 4 + i] : 2.5f);
    }
  }
  for (int i = 0; i < 8; ++i) {
    const double r = std::sqrt(1.0 + static_cast<double>(xv[i]) * xv[i]);
    EXPECT_NEAR((*out)[2].data<float>()[i], r, 1e-6 * r);
    EXPECT_NEAR((*out)[3].data<float>()[i], 1 / r, 1e-6 / r);
  }
}

TEST(TfLayoutImportTest, BadPaddingsAndAxesNameTheNode) {
  absl::Status s = ImportTfGraph(Parse(R"(
    node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
           attr { key: "shape" value { shape { dim { size: 2 } dim { size: 3 } } } } }
    node { name: "pads" op: "Const" attr { key: "value" value { tensor { dtype: DT_INT32
           tensor_shape { dim { size: 1 } dim { size: 2 } } int_val: [1, 1] } } } }
    node { name: "bad_pad" op: "Pad" input: "x" input: "pads" })")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), AllOf(HasSubstr("bad_pad"), HasSubstr("it needs 4")));
  s = ImportTfGraph(Parse(R"(
    node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
           attr { key: "shape" value { shape { dim { size: 2 } dim { size: 3 } } } } }
    node { name: "axis" op: "Const" attr { key: "value" value { tensor { dtype: DT_INT32
           tensor_shape { } int_val: 2 } } } }
    node { name: "cat" op: "ConcatV2" input: "x" input: "x" input: "axis" })")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), AllOf(HasSubstr("cat"), HasSubstr("axis 2 is out of range")));
}

}  // namespace
}  // namespace graphrt
