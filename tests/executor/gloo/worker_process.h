// What the two-process tests share (tests/executor/gloo/multiworker_test.cc,
// tests/examples/multi_worker/mlp_multi_worker_test.cc): a child process run
// under a hard time limit with its GRAPHRT_CONFIG and its output in a file,
// and a fixture with a fresh directory and the two workers' configs.
//
// Thread-safety: used by one test thread.
#ifndef GRAPHRT_TESTS_EXECUTOR_GLOO_WORKER_PROCESS_H_
#define GRAPHRT_TESTS_EXECUTOR_GLOO_WORKER_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace graphrt::testing {

struct WorkerResult {
  int status = -1;  // exit status, or 128+signal; -1 when killed for overrunning
  std::string output;
};

// Runs `argv` (looked up on PATH) with GRAPHRT_CONFIG=`config` (unset when
// empty), stdout and stderr into the file `log`.
class WorkerProcess {
 public:
  WorkerProcess(std::vector<std::string> argv, const std::string& config, const std::string& log)
      : log_(log) {
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      if (config.empty()) {
        unsetenv("GRAPHRT_CONFIG");
      } else {
        setenv("GRAPHRT_CONFIG", config.c_str(), 1);
      }
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
  }
  // Waits until it exits, or kills it after `limit` (status -1).
  WorkerResult Wait(std::chrono::seconds limit) {
    WorkerResult r;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int st = 0;
    while (true) {
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &st, 0);
        r.status = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    r.output = text.str();
    return r;
  }

 private:
  pid_t pid_ = -1;
  std::string log_;
};

// A fresh directory per test (with rendezvous/ for Gloo's FileStore) and
// the GRAPHRT_CONFIG of each of two workers on localhost.
class TwoWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("graphrt-multiworker-", getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "rendezvous");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Config(int index, double timeout_s) const {
    return absl::StrCat(R"({"cluster": {"worker": ["localhost:)", 20000 + getpid() % 20000,
                        R"(", "localhost:)", 40001 + getpid() % 20000,
                        R"("]}, "task": {"type": "worker", "index": )", index,
                        R"(}, "rendezvous": ")", (dir_ / "rendezvous").string(),
                        R"(", "timeout_seconds": )", timeout_s, "}");
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

}  // namespace graphrt::testing

#endif  // GRAPHRT_TESTS_EXECUTOR_GLOO_WORKER_PROCESS_H_
