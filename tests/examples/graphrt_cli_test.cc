// `graphrt run` and `graphrt devices`, run in-process: the TF-frozen MLP
// gives TF's outputs, graphrt's own files and configs work, bad input exits
// with a message.
#include "examples/graphrt_cli/cli.h"

#include <cmath>
#include <sstream>

#include "core/executor/runtime_config.h"
#include "core/graph/builder.h"
#include "core/graph/io/graph_def.h"
#include "core/graph/io/npy.h"
#include "core/graph/io/proto_util.h"
#include "core/graph/ops/math_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt::cli {
namespace {

using ::testing::HasSubstr;

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

}  // namespace
}  // namespace graphrt::cli
