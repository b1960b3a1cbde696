// GraphDef I/O: graphs survive binary and text round trips with every op and
// attr type, malformed files get statuses that name the node, and files in
// other formats are refused, never read as empty graphs.
#include "core/graph/io/graph_def.h"

#include <filesystem>
#include <set>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "core/graph/builder.h"
#include "core/graph/gradients.h"
#include "core/graph/io/proto_util.h"
#include "core/graph/ops/indexing_ops.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/layout_ops.h"
#include "core/graph/ops/batch_norm_ops.h"
#include "core/graph/ops/conv_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/random_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "core/graph/ops/pooling_ops.h"
#include "core/graph/ops/collective_ops.h"
#include "core/graph/optimizers.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tests/graph/io/foreign_files.h"

namespace graphrt {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// A graph that uses every registered op: a small training graph (variables,
// gradients, SGD) plus one node of each op the training graph leaves out.
// The ops added for imported models (ONNX and TF): elementwise math and
// activations, channels-first NN ops and the rest, built by name with the
// attrs each needs, on `s` ([batch, 2] float32) and `labels` ([batch] int32).
void AddImportedModelOps(GraphBuilder& b, Output s, Output labels) {
  using V = std::vector<Output>;
  using Ints = std::vector<int64_t>;
  for (const char* op : {"Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "Celu",
                         "Cos", "Cosh", "Elu", "Erf", "Erfc", "Floor", "Gelu", "HardSigmoid",
                         "HardSwish", "IsInf", "IsNan", "LeakyRelu", "Reciprocal", "Round", "Selu",
                         "Sign", "Sin", "Sinh", "Softplus", "Softsign", "Tan", "ThresholdedRelu",
                         "MeanVarianceNormalization", "Shrink", "NonZero"}) {
    b.Op(op, V{s}, op == std::string("MeanVarianceNormalization")
                       ? AttrMap{{"axes", Ints{0}}}
                       : AttrMap{});
  }
  for (const char* op : {"FloorMod", "Greater", "GreaterEqual", "Less", "LessEqual", "Minimum",
                         "NotEqual", "PRelu", "Pow", "SquaredDifference", "TruncateMod", "EluGrad",
                         "LeakyReluGrad", "SoftplusGrad"}) {
    b.Op(op, V{s, s});
  }
  Output flags = b.Op("Less", V{s, s});
  for (const char* op : {"LogicalAnd", "LogicalOr", "LogicalXor"}) b.Op(op, V{flags, flags});
  b.Op("LogicalNot", V{flags});
  b.Op("SelectV2", V{flags, s, s});
  for (const char* op : {"LeftShift", "RightShift"}) b.Op(op, V{labels, labels});
  // Channels-first NN ops on a [1, 1, 4, 4] image.
  Output img = b.Const(Tensor(DataType::kFloat32, {1, 1, 4, 4}));
  Output filt = b.Const(Tensor(DataType::kFloat32, {1, 1, 2, 2}));
  Output no_bias = b.Const(Tensor(DataType::kFloat32, {0}));
  b.Op("ConvNd", V{img, filt, no_bias});
  b.Op("ConvTransposeNd", V{img, filt, no_bias});
  Output pooled = b.Op("MaxPoolNd", V{img}, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}});
  b.Op("AvgPoolNd", V{img}, {{"kernel_shape", Ints{2, 2}}});
  b.Op("MaxUnpool", V{pooled, Output(pooled.builder(), pooled.node_id(), 1),
                      b.Const(Tensor::FromVector<int64_t>({1, 1, 4, 4}))},
       {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}});
  b.Op("LRNChannelsFirst", V{img}, {{"size", int64_t{3}}});
  b.Op("SoftmaxNd", V{img}, {{"axis", int64_t{1}}});
  b.Op("Standardize", V{img});
  b.Op("BatchMatMulV2", V{img, img});
  b.Op("Einsum", V{s, s}, {{"equation", std::string("ij,ij->i")}});
  b.Op("MatrixDeterminant", V{img});
  b.Op("Resize", V{img, b.Const(Tensor(DataType::kFloat32, {0})),
                   b.Const(Tensor::FromVector<float>({1, 1, 2, 2})),
                   b.Const(Tensor(DataType::kInt64, {0}))});
  b.Op("ReverseSequence", V{s, labels}, {{"seq_dim", int64_t{1}}});
  b.Op("Compress", V{s, b.Const(Tensor::FromVector<bool>({true, false}))}, {{"axis", int64_t{1}}});
  Output logp = b.Op("SoftmaxNd", V{s}, {{"mode", std::string("log_softmax")}});
  b.Op("NegativeLogLikelihoodLoss",
       V{logp, labels, b.Const(Tensor(DataType::kFloat32, {0}))});
  b.Op("NonMaxSuppression", V{b.Const(Tensor(DataType::kFloat32, {1, 2, 4})),
                              b.Const(Tensor(DataType::kFloat32, {1, 1, 2})),
                              b.Scalar<int64_t>(1), b.Scalar(0.5f), b.Scalar(0.0f)});
}

Graph EveryOpGraph() {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kUint8, {-1, 4}, "x");
  Output labels = b.Placeholder(DataType::kInt32, {-1}, "labels");
  Output xf = ops::Cast(x, DataType::kFloat32) * (1.0f / 255);
  Variable w = b.NewVariable("w", Tensor::FromVector<float>({1, 2, 3, 4, 5, 6, 7, 8}, {4, 2}));
  Variable bias = b.NewVariable("bias", Tensor::FromVector<float>({0.5f, -0.5f}));
  Variable steps = b.NewVariable("steps", Tensor::Scalar<int64_t>(0));
  Output logits;
  {
    GraphBuilder::DeviceScope on_cpu(b, "/cpu:0");
    logits = ops::BiasAdd(ops::Relu(ops::MatMul(xf, w.Read())), bias.Read(), "logits");
  }
  auto xent = ops::SparseSoftmaxCrossEntropyWithLogits(logits, labels);
  Output loss = ops::Mean(xent.loss, {}, "loss");
  Output train = MinimizeWithSgd(loss, std::vector<Variable>{w, bias}, 0.01f).value();
  Output counted = steps.AssignAdd(b.Scalar<int64_t>(1), "count_step");
  b.Group(std::vector<Output>{train, counted}, "step");
  {
    GraphBuilder::NameScope scope(b, "extra");
    Output t = ops::Tanh(ops::Sigmoid(ops::Exp(ops::Log(ops::Neg(logits)))));
    Output m = ops::Maximum(ops::Div(t, logits), ops::Sub(t, logits));
    Output s = ops::Softmax(ops::LogSoftmax(m));
    ops::Max(ops::Sum(s, {{1}, true}), {{0}, false});
    ops::Equal(ops::ArgMax(s, 1, DataType::kInt32), labels);
    ops::Size(ops::ExpandDims(ops::Reshape(s, {-1}), 0), DataType::kInt32);
    ops::AddN(std::vector<Output>{s, m, ops::Add(t, s)});
    ops::ReduceSumLike(s, bias.Read());
    ops::FusedMatMul(xf, w.Read(), bias.Read(), "Relu", {}, "fused_layer");
    ops::Identity(ops::BroadcastLike(bias.Read(), s));
    b.Op("_Copy", std::vector<Output>{s});
    w.Assign(ops::Identity(w.Read()));
    ops::NoOp(b, "nothing");
    b.Const(Tensor::FromVector<uint8_t>({1, 2, 255}), "bytes");
    b.Const(Tensor::FromVector<bool>({true, false}), "flags");
    // Layout, root and random ops (core/graph/ops/{layout,math,random}_ops.h).
    Output padded = ops::PadV2(ops::Pad(s, {0, 0, 1, 1}), {1, 0, 0, 0}, b.Scalar(2.0f));
    Output both = ops::ConcatV2(std::vector<Output>{padded, ops::SliceLike(padded, s, {1, 1})}, -1);
    ops::SplitLike(both, std::vector<Output>{padded, s}, 1);
    ops::Squeeze(ops::Transpose(ops::ExpandDims(both, 0), {1, 0, 2}), {1});
    ops::Rsqrt(ops::Sqrt(ops::Square(s)));
    ops::StatelessRandomUniformLike(s, b.Const(Tensor::FromVector<int64_t>({1, 2})));
    // Indexing ops and the added reductions (core/graph/ops/indexing_ops.h).
    ops::GatherV2(s, labels, 0);
    ops::StridedSlice(s, {{0, 1}, {0, 2}, {1, 1}, /*begin_mask=*/1, /*end_mask=*/1});
    for (const char* op : {"Min", "Prod"}) {
      b.Op(op, std::vector<Output>{s}, {{"axis", std::vector<int64_t>{1}}, {"keep_dims", true}});
    }
    Output two = b.Const(Tensor::FromVector<int64_t>({1, 2}));
    b.Op("GatherElements", std::vector<Output>{s, ops::Cast(s, DataType::kInt64)}, {{"axis", int64_t{1}}});
    b.Op("Tile", std::vector<Output>{s, two});
    b.Op("Trilu", std::vector<Output>{s, b.Scalar<int64_t>(0)}, {{"upper", false}});
    b.Op("Cumsum", std::vector<Output>{s, b.Scalar<int32_t>(1)}, {{"reverse", true}});
    b.Op("OneHot", std::vector<Output>{labels, b.Scalar<int32_t>(3), b.Scalar(1.0f), b.Scalar(0.0f)},
         {{"axis", int64_t{-1}}});
    b.Op("TopKV2", std::vector<Output>{s, b.Scalar<int32_t>(1)}, {{"index_type", DataType::kInt32}});
    AddImportedModelOps(b, s, labels);
    // Run-time shape operands (core/graph/ops/indexing_dynamic.h).
    Output one = b.Const(Tensor::FromVector<int64_t>({1}));
    b.Op("DynamicReshape", std::vector<Output>{s, two}, {{"allowzero", true}});
    b.Op("DynamicSlice", std::vector<Output>{s, one, two, one, one});
    b.Op("DynamicSqueeze", std::vector<Output>{b.Op("DynamicUnsqueeze", std::vector<Output>{s, one}), one});
    b.Op("DynamicExpand", std::vector<Output>{s, two});
    b.Op("DynamicPad", std::vector<Output>{s, b.Const(Tensor::FromVector<int64_t>({0, 1, 0, 1})), b.Scalar(0.0f)},
         {{"mode", std::string("edge")}});
    b.Op("Range", std::vector<Output>{b.Scalar<int64_t>(0), b.Scalar<int64_t>(4), b.Scalar<int64_t>(1)});
    Output rows = b.Const(Tensor::FromVector<int64_t>({0}, {1, 1}));
    b.Op("GatherND", std::vector<Output>{s, rows}, {{"batch_dims", int64_t{0}}});
    b.Op("ScatterND", std::vector<Output>{s, rows, ops::GatherV2(s, b.Const(Tensor::FromVector<int64_t>({0})), 0)});
    b.Op("ScatterElements", std::vector<Output>{s, ops::Cast(s, DataType::kInt64), s}, {{"axis", int64_t{1}}});
    for (const char* op : {"DynamicSum", "DynamicMean", "DynamicMax", "DynamicMin", "DynamicProd"}) {
      b.Op(op, std::vector<Output>{s, one}, {{"keep_dims", true}, {"noop_with_empty_axes", false}});
    }
  }
  // The fused optimiser updates (ApplyMomentum with use_nesterov, ApplyAdam).
  MinimizeWithMomentum(loss, std::vector<Variable>{w}, {.use_nesterov = true}, "momentum").value();
  MinimizeWithAdam(loss, std::vector<Variable>{bias}, {}, "adam").value();
  {
    GraphBuilder::NameScope scope(b, "cnn");
    Output image = b.Placeholder(DataType::kFloat32, {-1, 6, 6, 2}, "image");
    Output filter = b.Const(Tensor(DataType::kFloat32, {3, 3, 2, 2}), "filter");
    Output h = ops::Conv2D(image, filter, {.strides = {1, 2, 2, 1}});
    h = ops::DepthwiseConv2dNative(h, filter, {.padding = "EXPLICIT",
                                               .explicit_paddings = {0, 0, 1, 1, 1, 1, 0, 0}});
    Output v = b.Const(Tensor(DataType::kFloat32, {4}), "v");
    h = ops::FusedConv2D(h, b.Const(Tensor(DataType::kFloat32, {1, 1, 4, 4}), "pointwise"), v,
                         "Relu");
    h = ops::FusedBatchNormV3(h, v, v, v, v, {.epsilon = 1e-3f, .is_training = false}).y;
    h = ops::AvgPool(ops::MaxPool(h, {.padding = "SAME"}), {.ksize = {1, 1, 1, 1}});
    Output t = ops::FusedBatchNormV3(h, v, v, v, v).y;
    Output wrt[] = {image, filter};
    AddGradients(ops::Sum(t, {}), wrt).value();
  }
  {
    GraphBuilder::NameScope scope(b, "collective");
    Output r = b.Placeholder(DataType::kFloat32, {-1, 3}, "r");
    ops::CollectiveOptions o{2, 1, 1, 5.0f};
    ops::CollectiveAllReduce(r, ops::CollectiveReduction::kMean, o);
    ops::CollectiveAllGather(r, o);
    ops::CollectiveBroadcastSend(r, o);
    ops::CollectiveBroadcastRecv(b, DataType::kInt64, TensorShape{2, 3}, o);
  }
  return b.Build().value();
}

// Each node as text (TextFormat prints map entries sorted by key), by name.
absl::flat_hash_map<std::string, std::string> NodesAsText(const Graph& g) {
  absl::flat_hash_map<std::string, std::string> out;
  const proto::GraphDef def = ToGraphDef(g);
  for (const proto::NodeDef& n : def.node()) {
    google::protobuf::TextFormat::PrintToString(n, &out[n.name()]);
  }
  return out;
}

void ExpectSameGraph(const Graph& a, const Graph& b) {
  ASSERT_EQ(a.num_nodes(), b.num_nodes());
  EXPECT_EQ(NodesAsText(a), NodesAsText(b));
  for (int id = 0; id < a.num_nodes(); ++id) {
    const Node& na = a.node(id);
    const Node* nb = b.FindNode(na.name());
    ASSERT_NE(nb, nullptr) << na.name();
    ASSERT_EQ(na.num_outputs(), nb->num_outputs()) << na.name();
    for (int k = 0; k < na.num_outputs(); ++k) {
      EXPECT_EQ(na.output_type(k), nb->output_type(k)) << na.name();
      EXPECT_EQ(na.output_shape(k), nb->output_shape(k)) << na.name();
    }
  }
}

TEST(GraphDefTest, EveryRegisteredOpIsCovered) {
  Graph g = EveryOpGraph();
  std::set<std::string> used;
  for (int id = 0; id < g.num_nodes(); ++id) used.insert(g.node(id).op());
  for (const std::string& op : OpRegistry::Global().ListOps()) {
    EXPECT_TRUE(used.contains(op)) << "add a node of op " << op << " to EveryOpGraph";
  }
}

TEST(GraphDefTest, BinaryRoundTripKeepsEveryNodeAttrAndShape) {
  Graph g = EveryOpGraph();
  std::string bytes = SerializeGraph(g, GraphFormat::kBinary);
  absl::StatusOr<Graph> back = ParseGraph(bytes, GraphFormat::kBinary);
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameGraph(g, *back);
}

TEST(GraphDefTest, TextRoundTripKeepsEveryNodeAttrAndShape) {
  Graph g = EveryOpGraph();
  std::string text = SerializeGraph(g, GraphFormat::kText);
  EXPECT_THAT(text, HasSubstr("op: \"MatMul\""));
  absl::StatusOr<Graph> back = ParseGraph(text, GraphFormat::kText);
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameGraph(g, *back);
}

TEST(GraphDefTest, EveryAttrTypeRoundTrips) {
  const std::vector<AttrValue> values = {
      AttrValue(int64_t{-7}), AttrValue(2.5f), AttrValue(true), AttrValue(std::string("s")),
      AttrValue(DataType::kInt64), AttrValue(PartialShape({-1, 3})),
      AttrValue(PartialShape::UnknownRank()), AttrValue(std::vector<int64_t>{4, -1}),
      AttrValue(Tensor::FromVector<int32_t>({1, 2, 3, 4}, {2, 2}))};
  std::set<AttrType> seen;
  for (const AttrValue& v : values) {
    seen.insert(AttrTypeOf(v));
    absl::StatusOr<AttrValue> back = AttrFromProto(AttrToProto(v));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(AttrTypeOf(*back), AttrTypeOf(v));
    EXPECT_EQ(AttrValueDebugString(*back), AttrValueDebugString(v));
  }
  EXPECT_EQ(seen.size(), std::variant_size_v<AttrValue>);
}

TEST(GraphDefTest, TensorContentSurvivesExactly) {
  Tensor t = Tensor::FromVector<float>({1.5f, -0.0f, 3e-38f, 7}, {2, 2});
  absl::StatusOr<Tensor> back = TensorFromProto(TensorToProto(t));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->shape(), t.shape());
  EXPECT_EQ(std::memcmp(back->raw_data(), t.raw_data(), t.TotalBytes()), 0);
}

TEST(GraphDefTest, RoundTrippedGraphsRunTheSame) {
  // The file keeps what execution needs: a graph read back computes the same.
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {2}, "x");
  ops::Tanh(x * 2.0f + b.Const(Tensor::FromVector<float>({1, -1})), "y");
  Graph g = b.Build().value();
  absl::StatusOr<Graph> back = ParseGraph(SerializeGraph(g, GraphFormat::kBinary),
                                          GraphFormat::kBinary);
  ASSERT_TRUE(back.ok()) << back.status();
  const Node* y = back->FindNode("y");
  ASSERT_NE(y, nullptr);
  EXPECT_EQ(back->node(y->input(0).node).op(), "Add");
}

// Malformed files: each gets a status naming what is wrong; none crash.
absl::Status ParseText(const std::string& text) {
  return ParseGraph(text, GraphFormat::kText).status();
}

TEST(GraphDefTest, TruncatedBinaryIsDataLoss) {
  std::string bytes = SerializeGraph(EveryOpGraph(), GraphFormat::kBinary);
  absl::Status s = ParseGraph(bytes.substr(0, bytes.size() / 2), GraphFormat::kBinary).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
}

TEST(GraphDefTest, ATensorFlowGraphIsNotTakenForAnEmptyOne) {
  // Protobuf would keep TF's fields as unknown ones and yield 0 nodes.
  absl::Status s = ReadGraph(GRAPHRT_TEST_DATA "/tf_mlp_frozen.pb").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_THAT(s.message(), HasSubstr("not a binary graphrt GraphDef: unknown field 1 "
                                     "(length-delimited) at the top level"));
  EXPECT_THAT(s.message(), HasSubstr("ReadTfGraph"));
}

TEST(GraphDefTest, FilesInOtherFormatsAreRefusedNamingTheFormat) {
  const std::string dir = ::testing::TempDir();
  for (const foreign::File& f : foreign::Files()) {
    const std::string path = dir + "/" + f.name;
    ASSERT_TRUE(WriteStringToFile(path, f.bytes).ok());
    for (absl::Status s : {ParseGraph(f.bytes, GraphFormat::kBinary).status(),
                           ReadGraph(path).status()}) {
      if (f.onnx) {
        EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented) << s;
        EXPECT_THAT(s.message(), HasSubstr("an ONNX model (ir_version 8"));
      } else {
        EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << f.name << ": " << s;
        EXPECT_THAT(s.message(), HasSubstr("not a binary graphrt GraphDef: ")) << f.name;
      }
    }
    // Nor as text, whatever the file is called.
    absl::Status text = ParseGraph(f.bytes, GraphFormat::kText).status();
    EXPECT_EQ(text.code(), f.onnx ? absl::StatusCode::kUnimplemented : absl::StatusCode::kDataLoss)
        << f.name << ": " << text;
  }
  absl::Status config = ParseGraph(foreign::RuntimeConfigBinary(), GraphFormat::kBinary).status();
  EXPECT_THAT(config.message(), HasSubstr("unknown field 2 (varint) at the top level"));
}

TEST(GraphDefTest, UnknownFieldsAreNamedWithWhereTheyAre) {
  GraphBuilder b;
  ops::Neg(b.Scalar(1.0f, "one"), "y");
  const std::string bytes = SerializeGraph(b.Build().value(), GraphFormat::kBinary);
  absl::Status top = ParseGraph(bytes + foreign::VarintField(9, 1), GraphFormat::kBinary).status();
  EXPECT_EQ(top.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(top.message(), HasSubstr("unknown field 9 (varint) at the top level"));
  proto::GraphDef def;
  ASSERT_TRUE(def.ParseFromString(bytes));
  for (proto::NodeDef& n : *def.mutable_node()) {
    if (n.name() == "y") n.GetReflection()->MutableUnknownFields(&n)->AddFixed32(12, 7);
  }
  absl::Status node = ParseGraph(def.SerializeAsString(), GraphFormat::kBinary).status();
  EXPECT_THAT(node.message(), HasSubstr("unknown field 12 (fixed32) in node 'y'"));
}

TEST(GraphDefTest, AnEmptyFileIsRefusedAndTheEmptyGraphIsRead) {
  for (GraphFormat format : {GraphFormat::kBinary, GraphFormat::kText}) {
    absl::Status s = ParseGraph("", format).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(s.message(), HasSubstr("empty graph file (0 bytes)"));
    // What WriteGraph writes for a graph with no nodes reads back.
    absl::StatusOr<Graph> empty = ParseGraph(SerializeGraph(Graph(), format), format);
    ASSERT_TRUE(empty.ok()) << empty.status();
    EXPECT_EQ(empty->num_nodes(), 0);
  }
  EXPECT_EQ(SerializeGraph(Graph(), GraphFormat::kBinary), "\x08\x01");
  EXPECT_TRUE(ParseText("version: 1  # nothing yet").ok());
  // No nodes, and not that: refused.
  for (const std::string& bytes : {std::string("\x08\x00", 2), std::string("\x08\x01\x08\x01"),
                                  std::string("\x08\x81\x00", 3)}) {
    absl::Status s = ParseGraph(bytes, GraphFormat::kBinary).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << absl::CHexEscape(bytes);
    EXPECT_THAT(s.message(), HasSubstr("bytes with no nodes"));
  }
  absl::Status comment = ParseText("# a comment, no graph\n");
  EXPECT_EQ(comment.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(comment.message(), HasSubstr("no nodes"));
}

TEST(GraphDefTest, TheCommittedGraphsStillLoad) {
  // The fuzz seeds: a first byte choosing the format (odd: text), then a graph.
  int read = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           GRAPHRT_TEST_DATA "/../fuzz/seeds/graph_def_fuzzer")) {
    absl::StatusOr<std::string> bytes = ReadFileToString(entry.path().string());
    ASSERT_TRUE(bytes.ok() && !bytes->empty()) << entry.path();
    const GraphFormat format = ((*bytes)[0] & 1) ? GraphFormat::kText : GraphFormat::kBinary;
    absl::StatusOr<Graph> g = ParseGraph(absl::string_view(*bytes).substr(1), format);
    ASSERT_TRUE(g.ok()) << entry.path() << ": " << g.status();
    EXPECT_GT(g->num_nodes(), 0) << entry.path();
    ++read;
  }
  EXPECT_GE(read, 6);
}

TEST(GraphDefTest, BadTextNamesLineAndColumn) {
  absl::Status s = ParseText("node { name: \"a\" op: }");
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("line 1, column"));
}

TEST(GraphDefTest, UnknownOpNamesNode) {
  absl::Status s = ParseText("node { name: \"n\" op: \"Frobnicate\" }");
  EXPECT_THAT(s.message(), AllOf(HasSubstr("'n'"), HasSubstr("unknown op 'Frobnicate'")));
}

TEST(GraphDefTest, DanglingOutputIndexNamesNodeAndInput) {
  absl::Status s = ParseText(R"(
    node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT32 } } }
    node { name: "y" op: "Neg" input: "x:3" })");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), AllOf(HasSubstr("'y'"), HasSubstr("x:3")));
}

TEST(GraphDefTest, CycleNamesItsNodes) {
  absl::Status s = ParseText(R"(
    node { name: "a" op: "Neg" input: "b" }
    node { name: "b" op: "Neg" input: "a" })");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), AllOf(HasSubstr("cycle"), HasSubstr("a"), HasSubstr("b")));
}

TEST(GraphDefTest, DuplicateNodeIsNamed) {
  absl::Status s = ParseText("node { name: \"n\" op: \"NoOp\" } node { name: \"n\" op: \"NoOp\" }");
  EXPECT_THAT(s.message(), HasSubstr("duplicate node name 'n'"));
}

TEST(GraphDefTest, AttrOfWrongTypeNamesNodeAndAttr) {
  absl::Status s = ParseText(
      R"(node { name: "x" op: "Placeholder" attr { key: "dtype" value { i: 3 } } })");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), AllOf(HasSubstr("'x'"), HasSubstr("dtype")));
}

TEST(GraphDefTest, AttrWithoutValueNamesNodeAndAttr) {
  absl::Status s = ParseText(R"(node { name: "x" op: "Placeholder" attr { key: "dtype" } })");
  EXPECT_THAT(s.message(), AllOf(HasSubstr("'x'"), HasSubstr("'dtype'"), HasSubstr("no value")));
}

TEST(GraphDefTest, TensorWithWrongByteCountNamesNode) {
  absl::Status s = ParseText(R"(
    node { name: "c" op: "Const" attr { key: "value" value { tensor {
      dtype: DT_FLOAT32 dim: 2 dim: 1000000000000 content: "abcd" } } } })");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), AllOf(HasSubstr("'c'"), HasSubstr("'value'"), HasSubstr("bytes")));
}

TEST(GraphDefTest, ReshapeToAnOverflowingShapeIsAnError) {
  // Found by graph_def_fuzzer: the element count overflowed int64.
  absl::Status s = ParseText(R"(
    node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT32 } } }
    node { name: "r" op: "Reshape" input: "x" attr { key: "shape" value {
           list_i { value: 127 value: 144115188075855871 } } } })");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), AllOf(HasSubstr("'r'"), HasSubstr("2^63")));
}

TEST(GraphDefTest, AnAttrGivenTwiceKeepsTheLastAsAMapWould) {
  absl::StatusOr<Graph> g = ParseGraph(R"(
    node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_INT32 } }
                                       attr { key: "dtype" value { type: DT_FLOAT32 } } })",
                                       GraphFormat::kText);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->FindNode("x")->output_type(0), DataType::kFloat32);
}

TEST(GraphDefTest, NewerVersionAsksForAnUpgrade) {
  absl::Status s = ParseText("version: 99");
  EXPECT_THAT(s.message(), HasSubstr("upgrade graphrt"));
}

TEST(GraphDefTest, FilesRoundTripAndMissingFileIsNotFound) {
  Graph g = EveryOpGraph();
  const std::string dir = ::testing::TempDir();
  for (const char* name : {"g.pb", "g.pbtxt"}) {
    const std::string path = dir + "/" + name;
    ASSERT_TRUE(WriteGraph(g, path).ok());
    absl::StatusOr<Graph> back = ReadGraph(path);
    ASSERT_TRUE(back.ok()) << back.status();
    ExpectSameGraph(g, *back);
  }
  absl::Status missing = ReadGraph(dir + "/no_such_graph.pb").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("no_such_graph.pb"));
}

}  // namespace
}  // namespace graphrt
