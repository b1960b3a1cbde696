// `graphrt run`, `convert` and `devices`, run in-process: the TF-frozen MLP
// gives TF's outputs, graphrt's own files and configs work, bad input exits
// with a message, and files in other formats are refused, never run or
// converted as empty graphs.
#include "examples/graphrt_cli/cli.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/executor/runtime_config.h"
#include "core/graph/builder.h"
#include "core/graph/io/graph_def.h"
#include "core/graph/io/npy.h"
#include "core/graph/io/proto_util.h"
#include "core/graph/ops/math_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/graph/io/foreign_files.h"

namespace graphrt::cli {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

struct Result {
  int code;
  std::string out, err;
};

Result Cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = RunCli(args, out, err);
  return {code, out.str(), err.str()};
}

const std::string kData = GRAPHRT_TEST_DATA;

TEST(GraphrtCliTest, RunsTheTfFrozenMlpAndWritesTfsOutputs) {
  const std::string dir = ::testing::TempDir();
  Result r = Cli({"run", kData + "/tf_mlp_frozen.pb", "--feed",
                  "images=" + kData + "/tf_mlp_images.npy", "--fetch", "probabilities", "--out",
                  dir, "--runs", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("TensorFlow GraphDef"));
  EXPECT_THAT(r.out, HasSubstr("placement: "));
  EXPECT_THAT(r.out, HasSubstr("median of 3 runs"));
  EXPECT_THAT(r.out, HasSubstr("probabilities: float32 [16,10]"));
  absl::StatusOr<Tensor> got = ReadNpy(dir + "/probabilities.npy");
  absl::StatusOr<Tensor> want = ReadNpy(kData + "/tf_mlp_probs.npy");
  ASSERT_TRUE(got.ok() && want.ok());
  ASSERT_EQ(got->shape(), want->shape());
  for (int64_t i = 0; i < want->num_elements(); ++i) {
    const float w = want->data<float>()[i];
    EXPECT_LE(std::abs(got->data<float>()[i] - w), 1e-5f * std::max(std::abs(w), 1e-6f)) << i;
  }
}

TEST(GraphrtCliTest, RunsAGraphrtTextGraphWithAConfig) {
  const std::string dir = ::testing::TempDir();
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kInt32, {3}, "x");
  ops::Mul(x, x, "squares");
  ASSERT_TRUE(WriteGraph(b.Build().value(), dir + "/squares.pbtxt").ok());
  ASSERT_TRUE(WriteNpy(Tensor::FromVector<int32_t>({1, -2, 3}), dir + "/x.npy").ok());
  ASSERT_TRUE(WriteStringToFile(dir + "/run.pbtxt", "inter_op_threads: 1\n").ok());
  Result r = Cli({"run", dir + "/squares.pbtxt", "--config", dir + "/run.pbtxt", "--feed",
                  "x=" + dir + "/x.npy", "--fetch", "squares", "--print-config"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("inter_op_threads: 1"));
  EXPECT_THAT(r.out, HasSubstr("graphrt GraphDef (text)"));
  EXPECT_THAT(r.out, HasSubstr("squares: int32 [3] = [1, 4, 9]"));
}

TEST(GraphrtCliTest, ConvertsATfGraphToGraphrtsFormat) {
  const std::string out = ::testing::TempDir() + "/mlp.pbtxt";
  Result r = Cli({"convert", kData + "/tf_mlp_frozen.pb", out});
  ASSERT_EQ(r.code, 0) << r.err;
  absl::StatusOr<Graph> g = ReadGraph(out);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_NE(g->FindNode("probabilities"), nullptr);
  EXPECT_EQ(Cli({"convert", kData + "/tf_mlp_frozen.pb"}).code, 2);
}

TEST(GraphrtCliTest, DevicesListsTheConfiguredSplit) {
  const std::string dir = ::testing::TempDir();
  ASSERT_TRUE(WriteStringToFile(dir + "/split.pbtxt",
                                "device { type: \"CPU\" logical_device {} logical_device {} }")
                  .ok());
  Result r = Cli({"devices", "--config", dir + "/split.pbtxt"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("/physical_device:CPU:0"));
  EXPECT_THAT(r.out, HasSubstr("device:CPU:1  (CPU:1 on physical CPU:0"));
}

TEST(GraphrtCliTest, BadInputExitsWithAMessage) {
  EXPECT_EQ(Cli({}).code, 2);
  EXPECT_EQ(Cli({"frobnicate"}).code, 2);
  EXPECT_EQ(Cli({"run"}).code, 2);
  Result missing = Cli({"run", "/nonexistent/g.pb", "--fetch", "y"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("NOT_FOUND"));
  Result feed = Cli({"run", kData + "/tf_mlp_frozen.pb", "--feed", "images"});
  EXPECT_EQ(feed.code, 2);
  EXPECT_THAT(feed.err, HasSubstr("name=FILE.npy"));
  // A feed of the wrong dtype is the session's error, naming the placeholder.
  Result dtype = Cli({"run", kData + "/tf_mlp_frozen.pb", "--feed",
                      "images=" + kData + "/tf_mlp_probs.npy", "--fetch", "probabilities"});
  EXPECT_EQ(dtype.code, 1);
  EXPECT_THAT(dtype.err, HasSubstr("images"));
}

TEST(GraphrtCliTest, FilesInOtherFormatsAreRefusedByRunAndConvert) {
  const std::string dir = ::testing::TempDir();
  for (const foreign::File& f : foreign::Files()) {
    const std::string path = dir + "/" + f.name;
    const std::string out = dir + "/converted_" + f.name + ".pbtxt";
    ASSERT_TRUE(WriteStringToFile(path, f.bytes).ok());
    std::remove(out.c_str());
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"run", path, "--fetch", "y"},
          std::vector<std::string>{"convert", path, out}}) {
      Result r = Cli(args);
      EXPECT_EQ(r.code, 1) << args[0] << " " << f.name;
      EXPECT_THAT(r.out, Not(HasSubstr("graph:"))) << f.name;
      if (f.onnx) {
        EXPECT_THAT(r.err, HasSubstr("UNIMPLEMENTED: " + path + ": an ONNX model (ir_version 8, "
                                     "opset 17, producer 'pytorch' version '2.1.0'): ONNX "
                                     "import is not supported yet"));
      } else {
        // One error: what the file is not, and why, for each format.
        EXPECT_THAT(r.err, AllOf(HasSubstr("DATA_LOSS: " + path + " ("), HasSubstr(
                                     "bytes) is no graph file graphrt reads: not a binary "
                                     "graphrt GraphDef: "),
                                 HasSubstr("; not a TensorFlow GraphDef: "),
                                 HasSubstr("; and not an ONNX model")))
            << f.name;
      }
    }
    EXPECT_FALSE(std::ifstream(out).good()) << "convert wrote " << out;
    // Asked for one format, each reader refuses it on its own.
    Result as_tf = Cli({"convert", path, out, "--format", "tf"});
    EXPECT_EQ(as_tf.code, 1);
    EXPECT_THAT(as_tf.err, HasSubstr(f.onnx ? "an ONNX model" : "not a TensorFlow GraphDef"));
    Result as_graphrt = Cli({"run", path, "--fetch", "y", "--format", "graphrt"});
    EXPECT_EQ(as_graphrt.code, 1);
    EXPECT_THAT(as_graphrt.err, HasSubstr(f.onnx ? "an ONNX model" : "not a binary graphrt"));
  }
}

TEST(GraphrtCliTest, TheHandEncodedRuntimeConfigIsOne) {
  // foreign::RuntimeConfigBinary() is docs/graph-files.md's example config.
  absl::StatusOr<proto::RuntimeConfig> config = ParseRuntimeConfig(R"(
    inter_op_threads: 2 intra_op_threads: 1 allow_soft_placement: true
    log_device_placement: true
    device { type: "CPU" id: 0 logical_device {} logical_device { intra_op_threads: 1 } }
    gpu { id: 0 memory_limit_mb: 4096 allow_growth: true
          logical_device_limit_mb: 1024 logical_device_limit_mb: 1024 })");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->SerializeAsString(), foreign::RuntimeConfigBinary());
}

TEST(GraphrtCliTest, AnEmptyFileIsRefusedAndAnEmptyGraphConverts) {
  const std::string dir = ::testing::TempDir();
  ASSERT_TRUE(WriteStringToFile(dir + "/empty.pb", "").ok());
  const std::string out = dir + "/from_empty.pbtxt";
  std::remove(out.c_str());
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"run", dir + "/empty.pb", "--fetch", "y"},
        std::vector<std::string>{"convert", dir + "/empty.pb", out},
        std::vector<std::string>{"convert", dir + "/empty.pb", out, "--format", "tf"}}) {
    Result r = Cli(args);
    EXPECT_EQ(r.code, 1) << args[0];
    EXPECT_THAT(r.err, HasSubstr(dir + "/empty.pb: empty graph file (0 bytes)"));
  }
  EXPECT_FALSE(std::ifstream(out).good());
  // The empty graph graphrt writes (`version: 1`) is a graph, if a useless one.
  ASSERT_TRUE(WriteGraph(Graph(), dir + "/no_nodes.pb").ok());
  Result r = Cli({"convert", dir + "/no_nodes.pb", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("(graphrt GraphDef, 0 nodes)"));
}

}  // namespace
}  // namespace graphrt::cli
