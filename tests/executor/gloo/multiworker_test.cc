// Two worker processes on localhost (tests/executor/gloo/worker/
// multiworker_worker.cc) running collective ops with communication_hint
// "cluster" over Gloo: results against a plain reference, disagreeing
// shapes, a worker that dies mid-run and one that never starts. Each case
// has a 5 s cluster timeout and a hard limit on the whole run, so the test
// never hangs: a worker still running past it is killed and the case fails.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/executor/gloo/worker_process.h"

namespace {

using ::testing::HasSubstr;

using Proc = ::graphrt::testing::WorkerProcess;
using Result = ::graphrt::testing::WorkerResult;

class MultiWorkerTest : public ::graphrt::testing::TwoWorkerTest {
 protected:
  std::vector<Result> RunTwo(const std::string& scenario, std::chrono::seconds limit) {
    Proc a({GRAPHRT_MULTIWORKER_WORKER, scenario}, Config(0, 5), (dir_ / "w0.log").string());
    Proc b({GRAPHRT_MULTIWORKER_WORKER, scenario}, Config(1, 5), (dir_ / "w1.log").string());
    return {a.Wait(limit), b.Wait(limit)};
  }
};

TEST_F(MultiWorkerTest, CollectivesMatchThePlainReference) {
  std::vector<Result> r = RunTwo("collectives", std::chrono::seconds(120));
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(r[i].status, 0) << "worker " << i << ":\n" << r[i].output;
    EXPECT_THAT(r[i].output, HasSubstr("PASS all-reduce mean float32[1048576]"));
    EXPECT_THAT(r[i].output, HasSubstr("PASS all-reduce max int64[65541]"));
    EXPECT_THAT(r[i].output, HasSubstr("PASS broadcast"));
    EXPECT_THAT(r[i].output, HasSubstr("PASS all-gather uneven float32[5,4]"));
    EXPECT_THAT(r[i].output, HasSubstr("DONE collectives (0 failure(s))"));
  }
}

TEST_F(MultiWorkerTest, DisagreeingShapesFailOnBothAndTheMeshStaysUsable) {
  std::vector<Result> r = RunTwo("mismatch", std::chrono::seconds(60));
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(r[i].status, 0) << "worker " << i << ":\n" << r[i].output;
    EXPECT_THAT(r[i].output, HasSubstr("INVALID_ARGUMENT"));
    EXPECT_THAT(r[i].output, HasSubstr("PASS all-reduce sum after a mismatch"));
  }
}

TEST_F(MultiWorkerTest, ADeadWorkerFailsTheOtherNamingItWithinTheTimeout) {
  std::vector<Result> r = RunTwo("die", std::chrono::seconds(60));
  EXPECT_EQ(r[1].status, 7) << r[1].output;
  EXPECT_EQ(r[0].status, 0) << r[0].output;
  EXPECT_THAT(r[0].output, HasSubstr("PASS peer lost"));
  EXPECT_THAT(r[0].output, HasSubstr("/job:worker/task:1"));
  EXPECT_THAT(r[0].output, HasSubstr("PASS refused after the failure"));
}

TEST_F(MultiWorkerTest, AStalledWorkerTimesTheOtherOutNamingIt) {
  std::vector<Result> r = RunTwo("stall", std::chrono::seconds(60));
  EXPECT_EQ(r[1].status, 0) << r[1].output;
  EXPECT_EQ(r[0].status, 0) << r[0].output;
  EXPECT_THAT(r[0].output, HasSubstr("PASS stalled peer"));
  EXPECT_THAT(r[0].output, HasSubstr("DEADLINE_EXCEEDED"));
}

TEST_F(MultiWorkerTest, AWorkerThatNeverStartsIsNamedWithinTheTimeout) {
  const auto start = std::chrono::steady_clock::now();
  Proc a({GRAPHRT_MULTIWORKER_WORKER, "absent"}, Config(0, 2), (dir_ / "w0.log").string());
  Result r = a.Wait(std::chrono::seconds(60));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("DEADLINE_EXCEEDED"));
  EXPECT_THAT(r.output, HasSubstr("/job:worker/task:1 did not join within 2 s"));
  EXPECT_LT(s, 30);
}

// The launcher gives each worker its config and a fresh rendezvous
// directory, prefixes their output and returns their status.
TEST_F(MultiWorkerTest, LauncherRunsTwoWorkers) {
  Proc p({"/usr/bin/env", "python3", GRAPHRT_LAUNCH_WORKERS, "2", "--timeout", "5", "--",
          GRAPHRT_MULTIWORKER_WORKER, "mismatch"},
         "", (dir_ / "launch.log").string());
  Result r = p.Wait(std::chrono::seconds(60));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("[worker:0] PASS all-reduce sum after a mismatch"));
  EXPECT_THAT(r.output, HasSubstr("[worker:1] PASS all-reduce sum after a mismatch"));
}

// One worker fails: the launcher stops the other and reports the failure.
TEST_F(MultiWorkerTest, LauncherStopsTheOthersWhenOneFails) {
  Proc p({"/usr/bin/env", "python3", GRAPHRT_LAUNCH_WORKERS, "2", "--timeout", "30", "--",
          GRAPHRT_MULTIWORKER_WORKER, "die"},
         "", (dir_ / "launch.log").string());
  const auto start = std::chrono::steady_clock::now();
  Result r = p.Wait(std::chrono::seconds(60));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.status, 7) << r.output;
  EXPECT_THAT(r.output, HasSubstr("launch-workers: worker 1 failed (exit status 7)"));
  EXPECT_LT(s, 25) << "the launcher should not wait for worker 0's 30 s timeout";
}

}  // namespace
