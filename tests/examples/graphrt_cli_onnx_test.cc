// `graphrt run` and `graphrt convert` on ONNX models: the format is
// detected, the model's outputs are fetched by default, feeds may be .npy
// or ONNX TensorProto files, and the exit codes are the CLI's.
#include <filesystem>

#include "core/graph/io/graph_def.h"
#include "core/graph/io/npy.h"
#include "core/graph/io/proto_util.h"
#include "examples/graphrt_cli/cli.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/examples/cli_test_util.h"
#include "tests/onnx/onnx_test_util.h"

namespace graphrt::cli {
namespace {

using ::testing::HasSubstr;
using namespace onnx_test;  // NOLINT: test builders

// y = Cast(x, int32) for x: float32 [N, 2], written as DIR/cast.onnx.
std::string WriteCastModel(const std::string& dir) {
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", onnx::TensorProto::FLOAT, {-1, 2});
  onnx::NodeProto* n = AddNode(m, "Cast", {"x"}, {"y"}, "cast");
  AddAttr(n, "to", onnx::AttributeProto::INT)->set_i(onnx::TensorProto::INT32);
  AddOutput(m, "y", onnx::TensorProto::INT32, {-1, 2});
  const std::string path = dir + "/cast.onnx";
  EXPECT_TRUE(WriteStringToFile(path, m.SerializeAsString()).ok());
  return path;
}

TEST(GraphrtCliOnnxTest, RunDetectsOnnxAndFetchesItsOutputs) {
  const std::string dir = ::testing::TempDir() + "/cli_onnx_run";
  std::filesystem::create_directories(dir);
  const std::string model = WriteCastModel(dir);
  ASSERT_TRUE(WriteNpy(Tensor::FromVector<float>({1.5f, -2.5f, 3, 4}, {2, 2}), dir + "/x.npy").ok());
  Result r = Cli({"run", model, "--feed", "x=" + dir + "/x.npy"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ONNX model, opset 13; inputs: x; outputs: y"));
  EXPECT_THAT(r.out, HasSubstr("y: int32 [2,2] = [1, -2, 3, 4]"));

  // The same feed as an ONNX TensorProto file (what the ONNX suite ships).
  const std::string pb = dir + "/input_0.pb";
  ASSERT_TRUE(WriteStringToFile(pb, FloatTensor("x", {1, 2}, {7.9f, -0.5f}).SerializeAsString()).ok());
  r = Cli({"run", model, "--feed", "x=" + pb, "--format", "onnx"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("y: int32 [1,2] = [7, 0]"));
}

TEST(GraphrtCliOnnxTest, ConvertWritesGraphrtFormat) {
  const std::string dir = ::testing::TempDir() + "/cli_onnx_convert";
  std::filesystem::create_directories(dir);
  const std::string model = WriteCastModel(dir);
  const std::string out = dir + "/cast.pbtxt";
  Result r = Cli({"convert", model, out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("(ONNX model, opset 13"));
  absl::StatusOr<Graph> g = ReadGraph(out);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_NE(g->FindNode("x"), nullptr);
  EXPECT_EQ(g->FindNode("x")->op(), "Placeholder");
  ASSERT_NE(g->FindNode("y"), nullptr);
  // The converted graph runs with the CLI as a graphrt GraphDef.
  ASSERT_TRUE(WriteNpy(Tensor::FromVector<float>({9.5f, 1}, {1, 2}), dir + "/x.npy").ok());
  Result run = Cli({"run", out, "--feed", "x=" + dir + "/x.npy", "--fetch", "y"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("y: int32 [1,2] = [9, 1]"));
}

TEST(GraphrtCliOnnxTest, ExitCodesForBadModelsAndMissingFeeds) {
  const std::string dir = ::testing::TempDir() + "/cli_onnx_bad";
  std::filesystem::create_directories(dir);
  // An op graphrt lacks: bad input (3), naming op, opset and node.
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", onnx::TensorProto::FLOAT, {2});
  AddNode(m, "Unique", {"x"}, {"y"}, "uniq");
  AddOutput(m, "y", onnx::TensorProto::FLOAT, {-1});
  ASSERT_TRUE(WriteStringToFile(dir + "/unique.onnx", m.SerializeAsString()).ok());
  Result r = Cli({"run", dir + "/unique.onnx"});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.err, HasSubstr("UNIMPLEMENTED"));
  EXPECT_THAT(r.err, HasSubstr("Unique (opset 13): node uniq"));
  // Garbage named .onnx asked for as ONNX: bad input.
  ASSERT_TRUE(WriteStringToFile(dir + "/junk.onnx", "\xff\xff\xff").ok());
  r = Cli({"run", dir + "/junk.onnx", "--format", "onnx"});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.err, HasSubstr("not an ONNX model"));
  // A missing feed fails the run (1), naming the placeholder.
  r = Cli({"run", WriteCastModel(dir)});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("'x'"));
  // Bad usage stays 2.
  EXPECT_EQ(Cli({"run", dir + "/cast.onnx", "--format", "caffe"}).code, 2);
}

}  // namespace
}  // namespace graphrt::cli
