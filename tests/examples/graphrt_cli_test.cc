// `graphrt run`, `convert` and `devices`, run in-process: the TF-frozen MLP
// gives TF's outputs, graphrt's own files and configs work, bad input exits
// with a message and an exit code telling usage (2), input files (3) and run
// failures (1) apart, --out folders are made or refused before running, and
// files in other formats are refused, never run or converted as empty graphs.
#include "examples/graphrt_cli/cli.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/executor/runtime_config.h"
#include "core/graph/builder.h"
#include "core/graph/io/graph_def.h"
#include "core/graph/io/npy.h"
#include "core/graph/io/proto_util.h"
#include "core/graph/ops/math_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/examples/cli_test_util.h"
#include "tests/graph/io/foreign_files.h"

namespace graphrt::cli {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kData = GRAPHRT_TEST_DATA;

TEST(GraphrtCliTest, RunsTheTfFrozenMlpAndWritesTfsOutputs) {
  const std::string dir = ::testing::TempDir();
  Result r = Cli({"run", kData + "/tf_mlp_frozen.pb", "--feed",
                  "images=" + kData + "/tf_mlp_images.npy", "--fetch", "probabilities", "--out",
                  dir, "--runs", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("TensorFlow GraphDef"));
  EXPECT_THAT(r.out, HasSubstr("placement: "));
  EXPECT_THAT(r.out, HasSubstr("; 3 runs: min "));
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
  EXPECT_EQ(missing.code, 3);
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
      EXPECT_EQ(r.code, 3) << args[0] << " " << f.name;
      EXPECT_THAT(r.out, Not(HasSubstr("graph:"))) << f.name;
      if (f.onnx) {
        // Read as ONNX (auto): this sketch of a model declares no input types.
        EXPECT_THAT(r.err, HasSubstr("INVALID_ARGUMENT: " + path +
                                     ": ONNX checker refused the model"));
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
    EXPECT_EQ(as_tf.code, 3);
    EXPECT_THAT(as_tf.err, HasSubstr(f.onnx ? "an ONNX model" : "not a TensorFlow GraphDef"));
    Result as_graphrt = Cli({"run", path, "--fetch", "y", "--format", "graphrt"});
    EXPECT_EQ(as_graphrt.code, 3);
    EXPECT_THAT(as_graphrt.err, HasSubstr(f.onnx ? "an ONNX model" : "not a binary graphrt"));
  }
}

// squares = x * x on int32 [3], written as DIR/squares.pbtxt with x.npy = [1, -2, 3].
void WriteSquares(const std::string& dir) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kInt32, {3}, "x");
  ops::Mul(x, x, "squares");
  ASSERT_TRUE(WriteGraph(b.Build().value(), dir + "/squares.pbtxt").ok());
  ASSERT_TRUE(WriteNpy(Tensor::FromVector<int32_t>({1, -2, 3}), dir + "/x.npy").ok());
}

TEST(GraphrtCliTest, OutMakesItsFolderAndItsParents) {
  const std::string dir = ::testing::TempDir() + "/cli_out_made";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  WriteSquares(dir);
  const std::string out = dir + "/not/yet/there";
  Result r = Cli({"run", dir + "/squares.pbtxt", "--feed", "x=" + dir + "/x.npy", "--fetch",
                  "squares", "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("wrote " + out + "/squares.npy"));
  absl::StatusOr<Tensor> got = ReadNpy(out + "/squares.npy");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->data<int32_t>()[0], 1);
  EXPECT_EQ(got->data<int32_t>()[1], 4);
  EXPECT_EQ(got->data<int32_t>()[2], 9);
}

TEST(GraphrtCliTest, OutputsThatCannotBeWrittenAreRefusedBeforeRunning) {
  const std::string dir = ::testing::TempDir() + "/cli_out_refused";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  WriteSquares(dir);
  ASSERT_TRUE(WriteStringToFile(dir + "/a_file", "x").ok());
  const std::vector<std::string> run = {"run", dir + "/squares.pbtxt", "--feed",
                                        "x=" + dir + "/x.npy", "--fetch", "squares"};
  for (const std::string& out : {dir + "/a_file", dir + "/a_file/below"}) {
    std::vector<std::string> args = run;
    args.insert(args.end(), {"--out", out});
    Result r = Cli(args);
    EXPECT_EQ(r.code, 2) << out;
    EXPECT_THAT(r.err, HasSubstr("graphrt run: --out " + out + ": cannot make this folder"));
    EXPECT_THAT(r.err, HasSubstr("give a folder that exists or can be made"));
    EXPECT_EQ(r.out, "") << "ran before refusing";
  }
  std::vector<std::string> trace = run;
  trace.insert(trace.end(), {"--trace", dir + "/missing/trace.json"});
  Result t = Cli(trace);
  EXPECT_EQ(t.code, 2);
  EXPECT_THAT(t.err, HasSubstr("--trace " + dir + "/missing/trace.json: the folder " + dir +
                               "/missing does not exist"));
  EXPECT_EQ(t.out, "");
  Result c = Cli({"convert", dir + "/squares.pbtxt", dir + "/missing/squares.pb"});
  EXPECT_EQ(c.code, 2);
  EXPECT_THAT(c.err, HasSubstr("OUT " + dir + "/missing/squares.pb: the folder"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/missing"));
}

TEST(GraphrtCliTest, ExitCodesTellUsageInputFilesAndRunFailuresApart) {
  const std::string dir = ::testing::TempDir() + "/cli_exit_codes";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  WriteSquares(dir);
  const std::string graph = dir + "/squares.pbtxt", feed = "x=" + dir + "/x.npy";
  Result help = Cli({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, AllOf(HasSubstr("exit codes:"), HasSubstr("  1 the run failed"),
                              HasSubstr("  2 bad usage"), HasSubstr("  3 bad input file")));
  // 2: the arguments, whatever the files hold; nothing is read.
  EXPECT_EQ(Cli({"run", graph, "--fetch", "squares", "--bogus"}).code, 2);
  EXPECT_EQ(Cli({"run", graph, "--runs", "0", "--fetch", "squares"}).code, 2);
  Result nothing = Cli({"run", "/nonexistent/g.pb", "--feed", feed});
  EXPECT_EQ(nothing.code, 2);
  EXPECT_THAT(nothing.err, HasSubstr("nothing to run: give --fetch or --target"));
  // 3: a file given cannot be read or is not in its format.
  ASSERT_TRUE(WriteStringToFile(dir + "/bad_config.pbtxt", "no_such_field: 1\n").ok());
  Result config = Cli({"run", graph, "--config", dir + "/bad_config.pbtxt", "--feed", feed,
                       "--fetch", "squares"});
  EXPECT_EQ(config.code, 3);
  EXPECT_THAT(config.err, HasSubstr("no_such_field"));
  EXPECT_EQ(Cli({"devices", "--config", dir + "/bad_config.pbtxt"}).code, 3);
  Result npy = Cli({"run", graph, "--feed", "x=" + dir + "/missing.npy", "--fetch", "squares"});
  EXPECT_EQ(npy.code, 3);
  EXPECT_THAT(npy.err, HasSubstr("--feed x=" + dir + "/missing.npy: "));
  Result not_npy = Cli({"run", graph, "--feed", "x=" + graph, "--fetch", "squares"});
  EXPECT_EQ(not_npy.code, 3);
  EXPECT_THAT(not_npy.err, HasSubstr("not a .npy file"));
  // 1: the inputs read, the run failed; the error names the node.
  Result fetch = Cli({"run", graph, "--feed", feed, "--fetch", "no_such_node"});
  EXPECT_EQ(fetch.code, 1);
  EXPECT_THAT(fetch.err, HasSubstr("no_such_node"));
  ASSERT_TRUE(WriteNpy(Tensor::FromVector<float>({1, 2, 3}), dir + "/float.npy").ok());
  Result dtype = Cli({"run", graph, "--feed", "x=" + dir + "/float.npy", "--fetch", "squares"});
  EXPECT_EQ(dtype.code, 1);
  EXPECT_THAT(dtype.err, HasSubstr("x"));
}

TEST(GraphrtCliTest, RunsReportsMinMedianAndMax) {
  const std::string dir = ::testing::TempDir() + "/cli_runs";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  WriteSquares(dir);
  Result r = Cli({"run", dir + "/squares.pbtxt", "--feed", "x=" + dir + "/x.npy", "--fetch",
                  "squares", "--runs", "5"});
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t at = r.out.find("timing: first run ");
  ASSERT_NE(at, std::string::npos) << r.out;
  double first = -1, min = -1, median = -1, max = -1;
  ASSERT_EQ(std::sscanf(r.out.c_str() + at,
                        "timing: first run %lf ms; 5 runs: min %lf, median %lf, max %lf ms",
                        &first, &min, &median, &max),
            4)
      << r.out;
  EXPECT_GT(min, 0);
  EXPECT_LE(min, median);
  EXPECT_LE(median, max);
  EXPECT_LE(min, first);
  EXPECT_LE(first, max);
  // One run: no summary of one value.
  Result one = Cli({"run", dir + "/squares.pbtxt", "--feed", "x=" + dir + "/x.npy", "--fetch",
                    "squares"});
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_THAT(one.out, AllOf(HasSubstr("timing: first run "), Not(HasSubstr("runs: min"))));
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
    EXPECT_EQ(r.code, 3) << args[0];
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
