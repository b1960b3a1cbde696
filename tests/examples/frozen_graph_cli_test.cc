// A model trained in a Session, frozen (core/executor/freeze.h) and written
// as a GraphDef, served by `graphrt run` in-process: the CLI's outputs are
// the training session's.
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "core/executor/freeze.h"
#include "core/graph/io/graph_def.h"
#include "core/graph/io/npy.h"
#include "examples/graphrt_cli/cli.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/executor/small_mlp.h"

namespace graphrt {
namespace {

TEST(FrozenGraphCliTest, GraphrtRunServesAFrozenTrainedModel) {
  testing::SmallMlp mlp;
  auto session = mlp.NewSession();
  mlp.Train(*session, 4);
  auto frozen = FreezeGraph(*session, {"probs"});
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  const std::string dir = ::testing::TempDir();
  ASSERT_TRUE(WriteGraph(*frozen, dir + "/frozen_small_mlp.pb").ok());
  ASSERT_TRUE(WriteNpy(testing::SmallMlp::Batch(7), dir + "/frozen_small_mlp_x.npy").ok());

  std::ostringstream out, err;
  const int code = cli::RunCli({"run", dir + "/frozen_small_mlp.pb", "--feed",
                                "x=" + dir + "/frozen_small_mlp_x.npy", "--fetch", "probs",
                                "--out", dir},
                               out, err);
  ASSERT_EQ(code, 0) << err.str();
  EXPECT_THAT(out.str(), ::testing::HasSubstr("probs: float32 [6,3]"));
  auto served = ReadNpy(dir + "/probs.npy");
  ASSERT_TRUE(served.ok()) << served.status();
  const Tensor want = mlp.Probs(*session, 7);
  ASSERT_EQ(served->shape(), want.shape());
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    EXPECT_NEAR(served->data<float>()[i], want.data<float>()[i], 1e-6f) << i;
  }
}

}  // namespace
}  // namespace graphrt
