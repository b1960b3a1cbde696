// Shape operands computed when the model runs (Note [Run-time shape
// operands] in core/graph/onnx/onnx_shape_converters.cc): fed as graph
// inputs they import as the Dynamic* ops, the output's dims unknown; the
// same operand as an initializer keeps the attr-built op (the fold). The
// backend suite runs these paths; here, which nodes the importer builds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/graph/onnx/onnx_import.h"
#include "tests/onnx/onnx_test_util.h"

namespace graphrt {
namespace {

using onnx::TensorProto;
using namespace onnx_test;  // NOLINT: test builders

TEST(OnnxDynamicImportTest, RunTimeShapeOperandsBecomeDynamicOps) {
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {2, 3, 4});
  AddInput(m, "shape", TensorProto::INT64, {2});
  AddInput(m, "starts", TensorProto::INT64, {1});
  AddInput(m, "ends", TensorProto::INT64, {1});
  AddInput(m, "axes", TensorProto::INT64, {1});
  AddNode(m, "Reshape", {"x", "shape"}, {"r"}, "reshape");
  AddNode(m, "Slice", {"x", "starts", "ends"}, {"s"}, "slice");
  AddNode(m, "ReduceSum", {"x", "axes"}, {"t"}, "sum");
  AddNode(m, "Unsqueeze", {"x", "axes"}, {"u"}, "unsqueeze");
  AddNode(m, "Expand", {"x", "shape"}, {"e"}, "expand");
  AddOutput(m, "r", TensorProto::FLOAT, {-1, -1});
  AddOutput(m, "s", TensorProto::FLOAT, {-1, 3, 4});
  AddOutput(m, "t", TensorProto::FLOAT, {-1, -1, -1});
  AddOutput(m, "u", TensorProto::FLOAT, {-1, -1, -1, -1});
  AddOutput(m, "e", TensorProto::FLOAT, {-1, -1, -1});
  absl::StatusOr<OnnxModel> got = ImportOnnxModel(m);
  ASSERT_TRUE(got.ok()) << got.status();
  const struct {
    const char* node;
    const char* op;
    PartialShape shape;
  } want[] = {{"reshape", "DynamicReshape", PartialShape{-1, -1}},
              {"slice", "DynamicSlice", PartialShape{-1, -1, -1}},
              {"sum", "DynamicSum", PartialShape{-1, -1, -1}},
              {"unsqueeze", "DynamicUnsqueeze", PartialShape{-1, -1, -1, -1}},
              {"expand", "DynamicExpand", PartialShape{-1, -1, -1}}};
  for (const auto& w : want) {
    const Node* n = got->graph.FindNode(w.node);
    ASSERT_NE(n, nullptr) << w.node;
    EXPECT_EQ(n->op(), w.op) << w.node;
    EXPECT_EQ(n->output_shape(0), w.shape) << w.node;
  }
}

TEST(OnnxDynamicImportTest, ConstantAxesKeepTheAttrBuiltReduction) {
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {2, 3});
  onnx::TensorProto axes;
  axes.set_name("axes");
  axes.set_data_type(TensorProto::INT64);
  axes.add_dims(1);
  axes.add_int64_data(1);
  *m.mutable_graph()->add_initializer() = axes;
  AddNode(m, "ReduceSum", {"x", "axes"}, {"t"}, "sum");
  AddOutput(m, "t", TensorProto::FLOAT, {2, 1});
  absl::StatusOr<OnnxModel> got = ImportOnnxModel(m);
  ASSERT_TRUE(got.ok()) << got.status();
  const Node* n = got->graph.FindNode("sum");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->op(), "Sum");
  EXPECT_EQ(n->output_shape(0), (PartialShape{2, 1}));
}

}  // namespace
}  // namespace graphrt
