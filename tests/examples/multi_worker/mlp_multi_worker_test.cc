// The MLP example under --strategy multi_worker (MultiWorkerMirroredStrategy
// on Gloo): two worker processes on localhost (mlp_worker.cc) against the
// plain single-process MLP with the same global batches (one or two
// replicas per worker, or one and two); a worker that dies
// mid-training; bad GRAPHRT_CONFIGs given to the example itself. Every
// process runs under a hard time limit (killed past it, and the case
// fails), so no case can hang.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/examples/strategy_test_util.h"
#include "tests/executor/gloo/worker_process.h"

namespace {

using ::graphrt::testing::MaxRelativeDiff;

using ::testing::HasSubstr;
using ::testing::Not;

using Proc = ::graphrt::testing::WorkerProcess;
using Result = ::graphrt::testing::WorkerResult;

// name -> values, as mlp_worker writes them.
std::map<std::string, std::vector<float>> ReadVariables(const std::string& path) {
  std::map<std::string, std::vector<float>> vars;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string name, word;
    words >> name;
    std::vector<float>& values = vars[name];
    while (words >> word) {
      float x = 0;
      EXPECT_TRUE(absl::SimpleAtof(word, &x)) << word;
      values.push_back(x);
    }
  }
  return vars;
}

// Worker 0's and 1's variables (OUT.0, OUT.1) against the single process's
// (`single`): bit for bit equal to each other (every replica applies the
// same averaged gradients), within 1e-5 relative of the single process.
void ExpectWorkersTookTheSingleProcessSteps(const std::string& single, const std::string& out) {
  const auto want = ReadVariables(single);
  const auto w0 = ReadVariables(out + ".0");
  const auto w1 = ReadVariables(out + ".1");
  ASSERT_EQ(want.size(), 4u);
  for (const auto& [name, values] : want) {
    SCOPED_TRACE(name);
    ASSERT_EQ(w0.count(name), 1u);
    ASSERT_EQ(w1.count(name), 1u);
    ASSERT_EQ(w0.at(name).size(), values.size());
    EXPECT_EQ(w0.at(name), w1.at(name));
    EXPECT_LE(MaxRelativeDiff(w0.at(name), values), 1e-5);
  }
}

class MlpMultiWorkerTest : public ::graphrt::testing::TwoWorkerTest {
 protected:
  // `steps` steps of global batch 64: the plain MLP in one process (written
  // to single), then workers 0 and 1 (to multi.0, multi.1), each with its
  // extra flags, under a cluster timeout of 30 s. Both must exit 0 having
  // trained on their half of every batch, and end with the single process's
  // variables (ExpectWorkersTookTheSingleProcessSteps).
  void ExpectWorkersMatchOneProcess(int steps, const std::vector<std::string>& flags0,
                                    const std::vector<std::string>& flags1) {
    const std::string n = std::to_string(steps);
    Result single = Proc({GRAPHRT_MLP_WORKER, n, "64", Path("single")}, "", Path("single.log"))
                        .Wait(std::chrono::seconds(60));
    ASSERT_EQ(single.status, 0) << single.output;
    std::vector<std::string> args0 = {GRAPHRT_MLP_WORKER, n, "64", Path("multi")};
    std::vector<std::string> args1 = args0;
    args0.insert(args0.end(), flags0.begin(), flags0.end());
    args1.insert(args1.end(), flags1.begin(), flags1.end());
    Proc a(args0, Config(0, 30), Path("w0.log"));
    Proc b(args1, Config(1, 30), Path("w1.log"));
    const std::string done = absl::StrCat("DONE ", steps, " steps on ", steps * 32, " examples");
    for (Result r : {a.Wait(std::chrono::seconds(90)), b.Wait(std::chrono::seconds(90))}) {
      ASSERT_EQ(r.status, 0) << r.output;
      EXPECT_THAT(r.output, HasSubstr(done));
    }
    ExpectWorkersTookTheSingleProcessSteps(Path("single"), Path("multi"));
  }
};

TEST_F(MlpMultiWorkerTest, TwoWorkersTakeTheSingleProcessStepsFor50Steps) {
  // The reference: the plain MLP, one process, global batch 64.
  Result single = Proc({GRAPHRT_MLP_WORKER, "50", "64", Path("single")}, "", Path("single.log"))
                      .Wait(std::chrono::seconds(120));
  ASSERT_EQ(single.status, 0) << single.output;
  // Two workers through the launcher, each on 32 rows of every batch.
  Result launched =
      Proc({"python3", GRAPHRT_LAUNCH_WORKERS, "2", "--timeout", "30", "--", GRAPHRT_MLP_WORKER,
            "50", "64", Path("multi")},
           "", Path("launch.log"))
          .Wait(std::chrono::seconds(120));
  ASSERT_EQ(launched.status, 0) << launched.output;
  // Each worker trained on its half of every global batch: 50 x 32 rows.
  EXPECT_THAT(launched.output, HasSubstr("[worker:0] DONE 50 steps on 1600 examples"));
  EXPECT_THAT(launched.output, HasSubstr("[worker:1] DONE 50 steps on 1600 examples"));

  ExpectWorkersTookTheSingleProcessSteps(Path("single"), Path("multi"));
  // The run moved the weights (a test of something).
  const auto trained = ReadVariables(Path("single"));
  Result none = Proc({GRAPHRT_MLP_WORKER, "0", "64", Path("initial")}, "", Path("initial.log"))
                    .Wait(std::chrono::seconds(60));
  ASSERT_EQ(none.status, 0) << none.output;
  EXPECT_GT(MaxRelativeDiff(ReadVariables(Path("initial")).at("dense/kernel"),
                         trained.at("dense/kernel")),
            1e-3);
}

TEST_F(MlpMultiWorkerTest, TwoWorkersOfTwoReplicasEachTakeTheSingleProcessSteps) {
  // 4 replicas in all (2 logical CPU devices per worker), 16 rows each of
  // every global batch of 64: averaged in-process, then across the workers
  // by each worker's first replica (Note [Hierarchical all-reduce]).
  ExpectWorkersMatchOneProcess(20, {"--local-devices", "2"}, {"--local-devices", "2"});
}

TEST_F(MlpMultiWorkerTest, WorkersWithDifferentReplicaCountsTakeTheSingleProcessSteps) {
  // The chief has one replica (32 rows of every global batch of 64), worker
  // 1 two (16 rows each): each worker's gradient is the mean over its own 32
  // rows however many replicas share them, so the mean of the two workers'
  // means is still the mean over the whole batch.
  ExpectWorkersMatchOneProcess(20, {}, {"--local-devices", "2"});
}

TEST_F(MlpMultiWorkerTest, EveryWorkerStartsFromTheChiefsValues) {
  // Worker 1 draws other initial weights; the chief's broadcast replaces
  // them, so both still end where the single process (the chief's seed) ends.
  const std::vector<std::string> seeds = {"--seed-rank", "1", "--seed", "99"};
  ExpectWorkersMatchOneProcess(5, seeds, seeds);
}

TEST_F(MlpMultiWorkerTest, AWorkerThatDiesFailsTheOtherNamingItWithinTheTimeout) {
  const std::vector<std::string> args = {GRAPHRT_MLP_WORKER, "40", "64", Path("out"),
                                         "--die-rank", "1", "--die-after", "5"};
  Proc a(args, Config(0, 5), Path("w0.log"));
  Proc b(args, Config(1, 5), Path("w1.log"));
  Result r0 = a.Wait(std::chrono::seconds(60));
  Result r1 = b.Wait(std::chrono::seconds(60));
  EXPECT_EQ(r1.status, 3) << r1.output;
  ASSERT_EQ(r0.status, 1) << r0.output;
  EXPECT_THAT(r0.output, HasSubstr("FAILED at step 5 after "));
  EXPECT_THAT(r0.output, HasSubstr("/job:worker/task:1"));
  // "after S s": within the 5 s timeout (plus scheduling on a loaded machine).
  const size_t at = r0.output.find(" after ");
  double seconds = 1e9;
  ASSERT_NE(at, std::string::npos);
  ASSERT_TRUE(absl::SimpleAtod(
      r0.output.substr(at + 7, r0.output.find(' ', at + 7) - at - 7), &seconds));
  EXPECT_LE(seconds, 6.0) << r0.output;
}

// The example end to end on the real data (skipped where the dataset is not
// installed): 2 workers through the launcher reach the single process's
// validation and test figures (the same steps), only the chief reports.
TEST_F(MlpMultiWorkerTest, TheExampleTrainsLikeOneProcess) {
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "Fashion-MNIST is not installed (scripts/install-deps)";
  }
  const std::vector<std::string> flags = {"--epochs", "2", "--train-examples", "3200",
                                          "--batch-size", "64", "--intra-op-threads", "1"};
  std::vector<std::string> one = {GRAPHRT_MLP_EXAMPLE};
  one.insert(one.end(), flags.begin(), flags.end());
  Result single = Proc(one, "", Path("single.log")).Wait(std::chrono::seconds(120));
  ASSERT_EQ(single.status, 0) << single.output;
  std::vector<std::string> two = {"python3", GRAPHRT_LAUNCH_WORKERS, "2", "--timeout", "30",
                                  "--", GRAPHRT_MLP_EXAMPLE, "--strategy", "multi_worker"};
  two.insert(two.end(), flags.begin(), flags.end());
  Result multi = Proc(two, "", Path("multi.log")).Wait(std::chrono::seconds(120));
  ASSERT_EQ(multi.status, 0) << multi.output;
  // The number after the last `what` in `text` (NaN when absent).
  auto last_number = [](const std::string& text, const std::string& what) {
    const size_t at = text.rfind(what);
    double x = std::nan("");
    if (at == std::string::npos) return x;
    const size_t from = at + what.size();
    if (!absl::SimpleAtod(text.substr(from, text.find_first_of(" \n", from) - from), &x)) {
      return std::nan("");
    }
    return x;
  };
  // The same steps, summed in another order: equal up to the last digits (a
  // prediction at a tie may flip).
  for (const char* what : {"test accuracy: ", "test loss: ", "val_accuracy ", "val_loss "}) {
    SCOPED_TRACE(what);
    const double want = last_number(single.output, what);
    const double got = last_number(multi.output, what);
    ASSERT_FALSE(std::isnan(want)) << single.output;
    ASSERT_FALSE(std::isnan(got)) << multi.output;
    EXPECT_NEAR(got, want, 0.002);
  }
  EXPECT_THAT(multi.output, HasSubstr("[worker:0] test accuracy: "));
  EXPECT_THAT(multi.output, Not(HasSubstr("[worker:1] Epoch")));
  EXPECT_THAT(multi.output, HasSubstr("[worker:1] worker 1: trained 2 epoch(s)"));
}

TEST_F(MlpMultiWorkerTest, TheExampleRefusesATaskOutsideTheCluster) {
  Result r = Proc({GRAPHRT_MLP_EXAMPLE, "--strategy", "multi_worker", "--epochs", "1"},
                  Config(2, 5), Path("bad.log"))
                 .Wait(std::chrono::seconds(60));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("GRAPHRT_CONFIG"));
  EXPECT_THAT(r.output, HasSubstr("task.index is 2"));
  EXPECT_THAT(r.output, HasSubstr("2 task(s)"));
}

TEST_F(MlpMultiWorkerTest, TheExampleWithoutAConfigSaysHowToStartIt) {
  Result r = Proc({GRAPHRT_MLP_EXAMPLE, "--strategy", "multi_worker", "--epochs", "1"}, "",
                  Path("none.log"))
                 .Wait(std::chrono::seconds(60));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("needs GRAPHRT_CONFIG"));
  EXPECT_THAT(r.output, HasSubstr("scripts/launch-workers"));
}

}  // namespace
