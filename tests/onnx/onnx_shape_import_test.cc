// The shape family's converters at import time (no run; the backend suite
// runs them): a shape computation folds away (Note [Shape arithmetic folds at
// import time] in core/graph/onnx/onnx_shape_converters.cc), Slice on a
// tensor with an unknown batch becomes a run-time StridedSlice, and what
// cannot be known at import time is refused naming the node.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/graph/onnx/onnx_import.h"
#include "tests/onnx/onnx_test_util.h"

namespace graphrt {
namespace {

using onnx::TensorProto;
using namespace onnx_test;  // NOLINT: test builders

onnx::TensorProto Int64Tensor(const std::string& name, const std::vector<int64_t>& dims,
                              const std::vector<int64_t>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(TensorProto::INT64);
  for (int64_t d : dims) t.add_dims(d);
  for (int64_t v : values) t.add_int64_data(v);
  return t;
}

TEST(OnnxShapeImportTest, ShapeGatherUnsqueezeConcatReshapeFolds) {
  // PyTorch's x.view(x.size(0), -1) on x: [2, 3, 4].
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {2, 3, 4});
  *m.mutable_graph()->add_initializer() = Int64Tensor("zero", {}, {0});
  *m.mutable_graph()->add_initializer() = Int64Tensor("axes0", {1}, {0});
  *m.mutable_graph()->add_initializer() = Int64Tensor("minus1", {1}, {-1});
  AddNode(m, "Shape", {"x"}, {"s"});
  AddNode(m, "Gather", {"s", "zero"}, {"n"});
  AddNode(m, "Unsqueeze", {"n", "axes0"}, {"n1"});
  AddAttr(AddNode(m, "Concat", {"n1", "minus1"}, {"target"}), "axis",
          onnx::AttributeProto::INT)->set_i(0);
  AddNode(m, "Reshape", {"x", "target"}, {"y"}, "view");
  AddOutput(m, "y", TensorProto::FLOAT, {2, 12});
  absl::StatusOr<OnnxModel> got = ImportOnnxModel(m);
  ASSERT_TRUE(got.ok()) << got.status();
  const Node* view = got->graph.FindNode("view");
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->op(), "Reshape");
  EXPECT_EQ(*view->attr<std::vector<int64_t>>("shape"), (std::vector<int64_t>{2, -1}));
  EXPECT_EQ(view->output_shape(0), (PartialShape{2, 12}));
  for (int i = 0; i < got->graph.num_nodes(); ++i) {
    EXPECT_NE(got->graph.node(i).op(), "GatherV2") << got->graph.node(i).name();
  }
}

TEST(OnnxShapeImportTest, SliceOfAnUnknownBatchIsARunTimeStridedSlice) {
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {-1, 8});
  *m.mutable_graph()->add_initializer() = Int64Tensor("starts", {1}, {2});
  *m.mutable_graph()->add_initializer() = Int64Tensor("ends", {1}, {6});
  *m.mutable_graph()->add_initializer() = Int64Tensor("axes", {1}, {1});
  AddNode(m, "Slice", {"x", "starts", "ends", "axes"}, {"y"}, "cut");
  AddOutput(m, "y", TensorProto::FLOAT, {-1, 4});
  absl::StatusOr<OnnxModel> got = ImportOnnxModel(m);
  ASSERT_TRUE(got.ok()) << got.status();
  const Node* cut = got->graph.FindNode("cut");
  ASSERT_NE(cut, nullptr);
  EXPECT_EQ(cut->op(), "StridedSlice");
  EXPECT_EQ(cut->output_shape(0), (PartialShape{-1, 4}));
}

TEST(OnnxShapeImportTest, ReshapeCopyingAnUnknownBatchResolvesTheOtherDim) {
  // [0, -1] on [N, 3, 4]: N is copied, so -1 is 12.
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {-1, 3, 4});
  *m.mutable_graph()->add_initializer() = Int64Tensor("target", {2}, {0, -1});
  AddNode(m, "Reshape", {"x", "target"}, {"y"}, "flat");
  AddOutput(m, "y", TensorProto::FLOAT, {-1, 12});
  absl::StatusOr<OnnxModel> got = ImportOnnxModel(m);
  ASSERT_TRUE(got.ok()) << got.status();
  const Node* flat = got->graph.FindNode("flat");
  ASSERT_NE(flat, nullptr);
  EXPECT_EQ(*flat->attr<std::vector<int64_t>>("shape"), (std::vector<int64_t>{-1, 12}));
}

TEST(OnnxShapeImportTest, ShapeOfAnUnknownDimIsRefusedNamingTheNode) {
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {-1, 3});
  AddNode(m, "Shape", {"x"}, {"s"}, "dims");
  AddOutput(m, "s", TensorProto::INT64, {2});
  absl::StatusOr<OnnxModel> got = ImportOnnxModel(m);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(got.status().message(), testing::HasSubstr("'dims' (Shape)"));
}

TEST(OnnxShapeImportTest, HugeOrNegativeTargetShapesAreRefusedNamingTheNode) {
  // Found by onnx_fuzzer: a Reshape of a constant whose target dims multiply
  // past int64 (UBSan: signed overflow), and dims below -1.
  for (const std::vector<int64_t>& target :
       {std::vector<int64_t>{int64_t{1} << 40, int64_t{1} << 40, -1},
        std::vector<int64_t>{2, -3}}) {
    onnx::ModelProto m = Model(13);
    *m.mutable_graph()->add_initializer() = Int64Tensor("c", {2, 3}, {1, 2, 3, 4, 5, 6});
    *m.mutable_graph()->add_initializer() =
        Int64Tensor("target", {static_cast<int64_t>(target.size())}, target);
    AddNode(m, "Reshape", {"c", "target"}, {"y"}, "view");
    AddOutput(m, "y", TensorProto::INT64, {});
    absl::StatusOr<OnnxModel> got = ImportOnnxModel(m);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << got.status();
    EXPECT_THAT(got.status().message(), testing::HasSubstr("'view' (Reshape)"));
  }
  // Flatten of an input whose dims multiply past int64.
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {int64_t{1} << 40, int64_t{1} << 40, 2});
  AddNode(m, "Flatten", {"x"}, {"y"}, "flat");
  AddOutput(m, "y", TensorProto::FLOAT, {});
  absl::StatusOr<OnnxModel> got = ImportOnnxModel(m);
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(got.status().message(), testing::HasSubstr("more than 2^63 elements"));
}

}  // namespace
}  // namespace graphrt
