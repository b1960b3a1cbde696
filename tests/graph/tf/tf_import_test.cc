// TF frozen-graph import: the book's MLP frozen by TensorFlow
// (tests/data/make_tf_graphs.py) runs in graphrt and matches TensorFlow's
// outputs; unsupported ops, bad attrs and bad bytes are named; files in other
// formats are refused, never imported as empty graphs.
#include "core/graph/tf/tf_import.h"

#include <cmath>
#include <filesystem>
#include <numeric>

#include "core/executor/session.h"
#include "core/graph/builder.h"
#include "core/graph/io/graph_def.h"
#include "core/graph/io/npy.h"
#include "core/graph/io/proto_util.h"
#include "core/graph/ops/math_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/graph/io/foreign_files.h"
#include "tests/graph/tf/tf_test_util.h"

namespace graphrt {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kFrozenMlp[] = GRAPHRT_TEST_DATA "/tf_mlp_frozen.pb";

TEST(TfImportTest, FrozenMlpMatchesTensorFlowsOutputs) {
  absl::StatusOr<Graph> graph = ReadTfGraph(kFrozenMlp);
  ASSERT_TRUE(graph.ok()) << graph.status();
  // Flatten's Shape/StridedSlice/Pack were folded into Reshape's attr.
  for (int id = 0; id < graph->num_nodes(); ++id) {
    EXPECT_NE(graph->node(id).op(), "Shape") << graph->node(id).name();
  }
  absl::StatusOr<Tensor> images = ReadNpy(GRAPHRT_TEST_DATA "/tf_mlp_images.npy");
  absl::StatusOr<Tensor> want = ReadNpy(GRAPHRT_TEST_DATA "/tf_mlp_probs.npy");
  ASSERT_TRUE(images.ok() && want.ok());
  auto session = Session::Create(*std::move(graph));
  ASSERT_TRUE(session.ok()) << session.status();
  auto got = (*session)->Run({{"images", *images}}, {"probabilities"});
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ((*got)[0].shape(), want->shape());
  // Relative error per element, against TF's float32 result.
  double worst = 0;
  std::span<const float> g = (*got)[0].flat<float>(), w = want->flat<float>();
  for (size_t i = 0; i < w.size(); ++i) {
    worst = std::max<double>(worst, std::abs(g[i] - w[i]) / std::max(std::abs(w[i]), 1e-6f));
  }
  EXPECT_LE(worst, 1e-5) << "largest relative error";
  // And the predictions are not degenerate: rows sum to 1, classes differ.
  EXPECT_NEAR(std::accumulate(g.begin(), g.begin() + 10, 0.0), 1.0, 1e-5);
}

using tf_test::Parse;

constexpr char kPlaceholder[] = R"(
  node { name: "x" op: "Placeholder" device: "/device:CPU:0"
         attr { key: "dtype" value { type: DT_FLOAT } }
         attr { key: "shape" value { shape { dim { size: -1 } dim { size: 2 } dim { size: 3 } } } } }
)";

TEST(TfImportTest, UnsupportedOpsAreListedWithTheirNodes) {
  absl::Status s = ImportTfGraph(Parse(std::string(kPlaceholder) + R"(
    node { name: "conv" op: "Conv3D" input: "x" }
    node { name: "conv_2" op: "Conv3D" input: "conv" }
    node { name: "sq" op: "Lgamma" input: "x" })")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("Conv3D (nodes 'conv', 'conv_2')"),
                                 HasSubstr("Lgamma (node 'sq')"), HasSubstr("Supported: ")))
      << s.message();
}

TEST(TfImportTest, KeepsDevicesAndFoldsFlattenShapes) {
  // Keras' Flatten: Reshape(x, Pack(StridedSlice(Shape(x), [0], [1], [1]), -1)).
  absl::StatusOr<Graph> g = ImportTfGraph(Parse(std::string(kPlaceholder) + R"(
    node { name: "shape" op: "Shape" input: "x" }
    node { name: "b" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT32 tensor_shape { dim { size: 1 } } int_val: 0 } } } }
    node { name: "e" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT32 tensor_shape { dim { size: 1 } } int_val: 1 } } } }
    node { name: "batch" op: "StridedSlice" input: "shape" input: "b" input: "e" input: "e"
           attr { key: "shrink_axis_mask" value { i: 1 } } }
    node { name: "minus_one" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_INT32 tensor_shape { } int_val: -1 } } } }
    node { name: "flat_shape" op: "Pack" input: "batch" input: "minus_one" }
    node { name: "flat" op: "Reshape" input: "x" input: "flat_shape" device: "/device:CPU:0" }
    node { name: "y" op: "Relu" input: "flat" })"));
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->num_nodes(), 3);  // x, flat, y: the shape expression is gone
  const Node* flat = g->FindNode("flat");
  ASSERT_NE(flat, nullptr);
  EXPECT_EQ(flat->requested_device(), "/device:CPU:0");
  EXPECT_EQ(flat->output_shape(0), (PartialShape{-1, 6}));
  EXPECT_EQ(*flat->attr<std::vector<int64_t>>("shape"), (std::vector<int64_t>{-1, 6}));
}

TEST(TfImportTest, ConstFillsFromOneValueAsTensorFlowDoes) {
  absl::StatusOr<Graph> g = ImportTfGraph(Parse(R"(
    node { name: "c" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_FLOAT tensor_shape { dim { size: 2 } dim { size: 2 } } float_val: 7 } } } }
    node { name: "y" op: "Neg" input: "c" })"));
  ASSERT_TRUE(g.ok()) << g.status();
  auto session = Session::Create(*std::move(g));
  ASSERT_TRUE(session.ok());
  auto out = (*session)->Run({}, {"y"});
  ASSERT_TRUE(out.ok()) << out.status();
  for (float v : (*out)[0].flat<float>()) EXPECT_EQ(v, -7.0f);
}

TEST(TfImportTest, RunTimeShapeUsedAsDataIsRejected) {
  absl::Status s = ImportTfGraph(Parse(std::string(kPlaceholder) + R"(
    node { name: "shape" op: "Shape" input: "x" }
    node { name: "as_float" op: "Cast" input: "shape"
           attr { key: "DstT" value { type: DT_FLOAT } } })")).status();
  EXPECT_THAT(s.message(), AllOf(HasSubstr("'as_float'"), HasSubstr("only known when the graph runs")));
}

TEST(TfImportTest, UnsupportedDtypeNamesNode) {
  absl::Status s = ImportTfGraph(Parse(R"(
    node { name: "d" op: "Placeholder" attr { key: "dtype" value { type: DT_DOUBLE } } })")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("'d'"), HasSubstr("DT_DOUBLE")));
}

TEST(TfImportTest, NchwBiasAddIsRejectedWithTheReason) {
  absl::Status s = ImportTfGraph(Parse(std::string(kPlaceholder) + R"(
    node { name: "bias" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_FLOAT tensor_shape { dim { size: 3 } } float_val: 1 } } } }
    node { name: "ba" op: "BiasAdd" input: "x" input: "bias"
           attr { key: "data_format" value { s: "NCHW" } } })")).status();
  EXPECT_THAT(s.message(), AllOf(HasSubstr("'ba'"), HasSubstr("NCHW")));
}

TEST(TfImportTest, MissingInputAndCycleAreNamed) {
  EXPECT_THAT(ImportTfGraph(Parse(R"(node { name: "y" op: "Relu" input: "ghost" })"))
                  .status()
                  .message(),
              AllOf(HasSubstr("'y'"), HasSubstr("ghost")));
  EXPECT_THAT(ImportTfGraph(Parse(R"(node { name: "a" op: "Relu" input: "b" }
                                     node { name: "b" op: "Relu" input: "a" })"))
                  .status()
                  .message(),
              HasSubstr("cycle"));
}

TEST(TfImportTest, TruncatedFileIsDataLoss) {
  std::string bytes;
  Parse(kPlaceholder).SerializeToString(&bytes);
  absl::Status s = ParseTfGraph(bytes.substr(0, bytes.size() - 3)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
}

TEST(TfImportTest, FilesInOtherFormatsAreRefusedNamingTheFormat) {
  const std::string dir = ::testing::TempDir();
  std::vector<foreign::File> files = foreign::Files();
  tfproto::TensorProto tf_tensor;
  tf_tensor.set_dtype(tfproto::DT_FLOAT);
  tf_tensor.mutable_tensor_shape()->add_dim()->set_size(2);
  tf_tensor.set_tensor_content(std::string(8, '\0'));
  files.push_back({"tf_tensor.pb", tf_tensor.SerializeAsString()});
  GraphBuilder b;
  ops::Neg(b.Scalar(1.0f), "y");
  files.push_back({"graphrt.pb", SerializeGraph(b.Build().value(), GraphFormat::kBinary)});
  for (const foreign::File& f : files) {
    const std::string path = dir + "/" + f.name;
    ASSERT_TRUE(WriteStringToFile(path, f.bytes).ok());
    for (absl::Status s : {ParseTfGraph(f.bytes).status(), ReadTfGraph(path).status()}) {
      if (f.onnx) {
        EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented) << s;
        EXPECT_THAT(s.message(), HasSubstr("an ONNX model (ir_version 8, opset 17, producer "
                                           "'pytorch' version '2.1.0'): this reader takes "
                                           "graphrt or TensorFlow GraphDefs"));
      } else {
        EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << f.name << ": " << s;
        EXPECT_THAT(s.message(), HasSubstr("not a TensorFlow GraphDef: ")) << f.name;
      }
    }
  }
  // A TF GraphDef's node field is length-delimited; these start with varints.
  EXPECT_THAT(ParseTfGraph(foreign::RuntimeConfigBinary()).status().message(),
              HasSubstr("unknown field 1 (varint) at the top level"));
}

TEST(TfImportTest, UnknownFieldsAreNamedWithWhereTheyAre) {
  tfproto::GraphDef def = Parse(kPlaceholder);
  def.GetReflection()->MutableUnknownFields(&def)->AddVarint(6, 1);
  absl::Status top = ParseTfGraph(def.SerializeAsString()).status();
  EXPECT_EQ(top.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(top.message(), HasSubstr("unknown field 6 (varint) at the top level"));
  def = Parse(kPlaceholder);
  tfproto::NodeDef* x = def.mutable_node(0);
  x->GetReflection()->MutableUnknownFields(x)->AddLengthDelimited(8, "?");
  absl::Status node = ParseTfGraph(def.SerializeAsString()).status();
  EXPECT_THAT(node.message(), HasSubstr("unknown field 8 (length-delimited) in node 'x'"));
  // TensorFlow's own fields that graphrt does not read are no such thing.
  def = Parse(std::string(kPlaceholder) + R"(
    library: "\n\x02\n\x00" version: 21 debug_info: "" versions { producer: 1645 })");
  def.mutable_node(0)->set_experimental_type("\x08\x03");
  def.mutable_node(0)->set_experimental_debug_info("\n\x01x");
  absl::StatusOr<Graph> g = ParseTfGraph(def.SerializeAsString());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->num_nodes(), 1);
}

TEST(TfImportTest, AnEmptyFileAndAGraphWithoutNodesAreRefused) {
  absl::Status empty = ParseTfGraph("").status();
  EXPECT_EQ(empty.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(empty.message(), "empty graph file (0 bytes)");
  // An empty TF graph still has its versions: bytes with no nodes.
  absl::Status no_nodes = ParseTfGraph(Parse("versions { producer: 1645 }").SerializeAsString())
                              .status();
  EXPECT_EQ(no_nodes.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(no_nodes.message(), HasSubstr("not a TensorFlow GraphDef: 5 bytes with no nodes"));
  // Nodes, but none graphrt would import: refused too, not an empty graph.
  absl::Status unread = ImportTfGraph(Parse(R"(
    node { name: "c" op: "Const" attr { key: "value" value { tensor {
           dtype: DT_FLOAT tensor_shape { } float_val: 7 } } } })")).status();
  EXPECT_EQ(unread.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unread.message(), HasSubstr("nothing to run"));
}

TEST(TfImportTest, TheCommittedGraphsStillLoad) {
  // The frozen MLP (FrozenMlpMatchesTensorFlowsOutputs) and the fuzz seeds.
  int read = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           GRAPHRT_TEST_DATA "/../fuzz/seeds/tf_graph_fuzzer")) {
    absl::StatusOr<Graph> g = ReadTfGraph(entry.path().string());
    ASSERT_TRUE(g.ok()) << g.status();
    EXPECT_GT(g->num_nodes(), 0) << entry.path();
    ++read;
  }
  EXPECT_GE(read, 5);
}

}  // namespace
}  // namespace graphrt
