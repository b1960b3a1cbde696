// The import driver without running graphs: placeholders, fetch names and
// every refusal (unsupported ops listed once, opsets, domains, dtypes,
// bytes that are no model, the checker's verdict).
#include "core/graph/onnx/onnx_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/onnx/onnx_test_util.h"

namespace graphrt {
namespace {

using onnx::TensorProto;
using namespace onnx_test;  // NOLINT: test builders
using testing::HasSubstr;

onnx::ModelProto IdentityModel(int opset) {
  onnx::ModelProto m = Model(opset);
  AddInput(m, "x", TensorProto::FLOAT, {-1, 3});
  AddNode(m, "Identity", {"x"}, {"y"}, "id");
  AddOutput(m, "y", TensorProto::FLOAT, {-1, 3});
  return m;
}

TEST(OnnxImportTest, InputsBecomePlaceholdersAndOutputsFetchNames) {
  absl::StatusOr<OnnxModel> m = ImportOnnxModel(IdentityModel(13));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(m->inputs, testing::ElementsAre("x"));
  EXPECT_THAT(m->outputs, testing::ElementsAre("y"));
  EXPECT_THAT(m->onnx_outputs, testing::ElementsAre("y"));
  EXPECT_EQ(m->opset, 13);
  const Node* x = m->graph.FindNode("x");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->op(), "Placeholder");
  EXPECT_EQ(x->output_shape(0), (PartialShape{-1, 3}));
  EXPECT_EQ(x->output_type(0), DataType::kFloat32);
}

TEST(OnnxImportTest, InitializersAreConstantsNotPlaceholders) {
  onnx::ModelProto m = Model(13);
  *m.mutable_graph()->add_initializer() = FloatTensor("w", {2}, {1, 2});
  AddInput(m, "w", TensorProto::FLOAT, {2});  // old exporters list initializers as inputs
  AddNode(m, "Identity", {"w"}, {"y"});
  AddOutput(m, "y", TensorProto::FLOAT, {2});
  absl::StatusOr<OnnxModel> got = ImportOnnxModel(m);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(got->inputs, testing::IsEmpty());
  for (int i = 0; i < got->graph.num_nodes(); ++i) {
    EXPECT_NE(got->graph.node(i).op(), "Placeholder");
  }
}

TEST(OnnxImportTest, ColonsInNamesBecomeUnderscores) {
  onnx::ModelProto m = Model(13);
  AddInput(m, "input:0", TensorProto::FLOAT, {1});
  AddNode(m, "Identity", {"input:0"}, {"out:0"}, "Identity:0");
  AddOutput(m, "out:0", TensorProto::FLOAT, {1});
  absl::StatusOr<OnnxModel> got = ImportOnnxModel(m);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(got->inputs, testing::ElementsAre("input_0"));
  EXPECT_THAT(got->onnx_inputs, testing::ElementsAre("input:0"));
  EXPECT_THAT(got->outputs, testing::ElementsAre("out_0"));
}

TEST(OnnxImportTest, UnsupportedOpsListedOnceWithOpsetAndNodes) {
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {2});
  AddNode(m, "Unique", {"x"}, {"a"}, "u1");
  AddNode(m, "Unique", {"a"}, {"b"}, "u2");
  AddNode(m, "StringNormalizer", {"b"}, {"c"});  // unnamed: reported by index
  AddOutput(m, "c", TensorProto::FLOAT, {});
  absl::Status s = ImportOnnxModel(m, {.run_checker = false}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(s.message(), HasSubstr("Unique (opset 13): nodes u1, u2"));
  EXPECT_THAT(s.message(), HasSubstr("StringNormalizer (opset 13): node #2"));
}

TEST(OnnxImportTest, RefusesOpsetsOutsideOneToSeventeen) {
  for (int opset : {0, 18}) {
    absl::Status s = ImportOnnxModel(IdentityModel(opset), {.run_checker = false}).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented) << opset;
    EXPECT_THAT(s.message(), HasSubstr(absl::StrCat("opset ", opset)));
    EXPECT_THAT(s.message(), HasSubstr("opsets 1 to 17"));
  }
  onnx::ModelProto none = IdentityModel(13);
  none.clear_opset_import();
  EXPECT_THAT(ImportOnnxModel(none, {.run_checker = false}).status().message(),
              HasSubstr("imports no opset of the default domain"));
}

TEST(OnnxImportTest, OldOpsetModelsNeedAConverterForTheirOpset) {
  // CastLike appeared in opset 15: a model of opset 6 using it is refused
  // naming the op and the opset; Identity (since 1) imports at opset 6.
  onnx::ModelProto m = Model(6);
  AddInput(m, "x", TensorProto::FLOAT, {2});
  AddNode(m, "CastLike", {"x", "x"}, {"y"}, "cl");
  AddOutput(m, "y", TensorProto::FLOAT, {2});
  absl::Status s = ImportOnnxModel(m, {.run_checker = false}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(s.message(), HasSubstr("CastLike (opset 6): node cl"));
  absl::StatusOr<OnnxModel> ok = ImportOnnxModel(IdentityModel(6));
  EXPECT_TRUE(ok.ok()) << ok.status();
}

TEST(OnnxImportTest, RefusesOtherDomains) {
  onnx::ModelProto m = IdentityModel(13);
  onnx::OperatorSetIdProto* ml = m.add_opset_import();
  ml->set_domain("com.example");
  ml->set_version(1);
  m.mutable_graph()->mutable_node(0)->set_domain("com.example");
  absl::Status s = ImportOnnxModel(m, {.run_checker = false}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(s.message(), HasSubstr("domain 'com.example'"));
  EXPECT_THAT(s.message(), HasSubstr("node id"));
  // A model of another domain only (ONNX's training ops) says so.
  m.mutable_opset_import()->DeleteSubrange(0, 1);
  s = ImportOnnxModel(m, {.run_checker = false}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(s.message(), HasSubstr("uses only other domains ('com.example' 1)"));
}

TEST(OnnxImportTest, RefusesStringAndSequenceInputs) {
  onnx::ModelProto m = IdentityModel(13);
  m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
      TensorProto::STRING);
  m.mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
      TensorProto::STRING);
  absl::Status s = ImportOnnxModel(m).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(s.message(), HasSubstr("graph input 'x': ONNX dtype string"));
}

TEST(OnnxImportTest, CheckerRefusalIsInvalidArgument) {
  onnx::ModelProto m = IdentityModel(13);
  m.mutable_graph()->mutable_node(0)->set_input(0, "nowhere");
  absl::Status s = ImportOnnxModel(m).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("ONNX checker refused the model"));
  // Without the checker the importer finds the same fault itself.
  s = ImportOnnxModel(m, {.run_checker = false}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("input 'nowhere' is no graph input"));
}

TEST(OnnxImportTest, OutputNobodyComputesIsRefused) {
  onnx::ModelProto m = IdentityModel(13);
  AddOutput(m, "ghost", TensorProto::FLOAT, {1});
  absl::Status s = ImportOnnxModel(m, {.run_checker = false}).status();
  EXPECT_THAT(s.message(), HasSubstr("graph output 'ghost' is computed by no node"));
}

TEST(OnnxImportTest, BytesThatAreNoModelAreDataLoss) {
  EXPECT_EQ(ParseOnnxModel("").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseOnnxModel("\xff\xff\xff\xff").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(ParseOnnxModel("\x08\x07").status().message(), HasSubstr("no graph"));
  absl::StatusOr<OnnxModel> ok = ParseOnnxModel(IdentityModel(13).SerializeAsString());
  EXPECT_TRUE(ok.ok()) << ok.status();
}

TEST(OnnxImportTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadOnnxModel("no/such/model.onnx").status().code(), absl::StatusCode::kNotFound);
}

TEST(OnnxImportTest, ConstantInputOfRuntimeValueIsRefusedByName) {
  // Dropout's ratio in training mode must be known at import time.
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {2});
  AddInput(m, "r", TensorProto::FLOAT, {});
  AddInput(m, "t", TensorProto::BOOL, {});
  AddNode(m, "Dropout", {"x", "r", "t"}, {"y"}, "drop");
  AddOutput(m, "y", TensorProto::FLOAT, {2});
  absl::Status s = ImportOnnxModel(m).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(s.message(), HasSubstr("ONNX node 'drop' (Dropout): ratio must be known"));
}

}  // namespace
}  // namespace graphrt

namespace graphrt {
namespace {

TEST(OnnxImportTest, LooksLikeOnnxModelTellsModelsFromOtherBytes) {
  EXPECT_TRUE(LooksLikeOnnxModel(IdentityModel(13).SerializeAsString()));
  EXPECT_FALSE(LooksLikeOnnxModel(""));
  EXPECT_FALSE(LooksLikeOnnxModel("\x12\x03" "abc"));
}

}  // namespace
}  // namespace graphrt
