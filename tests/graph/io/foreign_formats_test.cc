// Foreign formats: an ONNX model is recognised by its structure and named in
// the refusal; nothing else is taken for one; an empty file is refused.
#include "core/graph/io/foreign_formats.h"

#include "absl/strings/escaping.h"
#include "core/graph/builder.h"
#include "core/graph/io/graph_def.h"
#include "core/graph/io/proto_util.h"
#include "core/graph/ops/math_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/graph/io/foreign_files.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;
using foreign::BytesField;
using foreign::VarintField;

TEST(ForeignFormatsTest, RecognisesAnOnnxModel) {
  std::optional<OnnxModelInfo> info = RecognizeOnnxModel(foreign::OnnxModel());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->ir_version, 8);
  EXPECT_EQ(info->opset, 17);
  EXPECT_EQ(info->producer_name, "pytorch");
  EXPECT_EQ(info->producer_version, "2.1.0");
}

TEST(ForeignFormatsTest, TheRefusalOfAnOnnxModelSaysWhatItIs) {
  absl::Status s = RefuseGraphBytes(foreign::OnnxModel(), absl::DataLossError("not mine"));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented) << s;
  EXPECT_THAT(s.message(),
              HasSubstr("an ONNX model (ir_version 8, opset 17, producer 'pytorch' version "
                        "'2.1.0'): this reader takes graphrt or TensorFlow GraphDefs; "
                        "import ONNX models with ReadOnnxModel"));
  // A minimal model: no producer, an opset of another domain only.
  const std::string graph = BytesField(1, BytesField(4, "Relu"));
  const std::string bare =
      VarintField(1, 3) + BytesField(7, graph) + BytesField(8, BytesField(1, "com.x") +
                                                                 VarintField(2, 1));
  s = RefuseGraphBytes(bare, absl::DataLossError("not mine"));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented) << s;
  EXPECT_THAT(s.message(), HasSubstr("an ONNX model (ir_version 3): this reader takes"));
}

TEST(ForeignFormatsTest, OtherBytesKeepTheReadersRefusal) {
  GraphBuilder b;
  ops::Neg(b.Scalar(1.0f), "y");
  absl::StatusOr<std::string> tf = ReadFileToString(GRAPHRT_TEST_DATA "/tf_mlp_frozen.pb");
  ASSERT_TRUE(tf.ok()) << tf.status();
  for (const std::string& bytes :
       {foreign::RuntimeConfigBinary(), foreign::TensorProtoBinary(),
        foreign::RandomBytes(1024, 21), SerializeGraph(b.Build().value(), GraphFormat::kBinary),
        *tf, std::string()}) {
    EXPECT_FALSE(RecognizeOnnxModel(bytes).has_value());
    absl::Status s = RefuseGraphBytes(bytes, absl::DataLossError("not mine"));
    EXPECT_EQ(s, absl::DataLossError("not mine"));
  }
}

TEST(ForeignFormatsTest, AModelMissingWhatOnnxRequiresIsNotOne) {
  const std::string graph = BytesField(1, BytesField(4, "Relu"));
  const std::string opset = BytesField(8, BytesField(1, "") + VarintField(2, 17));
  const std::string model = VarintField(1, 8) + BytesField(7, graph) + opset;
  ASSERT_TRUE(RecognizeOnnxModel(model).has_value());
  for (const std::string& bytes : {
           BytesField(7, graph) + opset,                        // no ir_version
           VarintField(1, 0) + BytesField(7, graph) + opset,    // ir_version 0
           VarintField(1, 8) + opset,                           // no graph
           VarintField(1, 8) + BytesField(7, graph),            // no opset_import
           VarintField(1, 8) + BytesField(7, BytesField(1, BytesField(1, "x"))) + opset,  // no op
           VarintField(1, 8) + BytesField(7, BytesField(3, "")) + opset,  // not a graph field
           VarintField(1, 8) + VarintField(2, 1) + BytesField(7, graph) + opset,  // varint producer
           model + VarintField(9, 1),                           // not a ModelProto field
           model.substr(0, model.size() - 1),                   // truncated
       }) {
    EXPECT_FALSE(RecognizeOnnxModel(bytes).has_value()) << absl::CHexEscape(bytes);
  }
}

TEST(ForeignFormatsTest, AnEmptyFileIsRefused) {
  absl::Status s = CheckNotEmpty("");
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "empty graph file (0 bytes)");
  EXPECT_TRUE(CheckNotEmpty("\x08\x01").ok());
}

}  // namespace
}  // namespace graphrt
