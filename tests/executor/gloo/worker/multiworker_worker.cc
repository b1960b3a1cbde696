// One task of the multi-worker tests (tests/executor/gloo/multiworker_test.cc
// starts two of these, directly or through scripts/launch-workers). It reads
// GRAPHRT_CONFIG, makes a runtime with the Gloo communicator and runs
// collective ops with communication_hint "cluster" in Sessions, checking
// every result against a plain reference computed here (each task's input is
// a known function of its rank). Prints "PASS <what>" lines and exits 0, or
// "FAIL ..." and exits 1.
//
//   multiworker_worker collectives   all-reduce sum/mean/max (float32, int32,
//                                    int64; 1 to 1M elements), broadcast,
//                                    uneven all-gather
//   multiworker_worker mismatch      shapes differ: INVALID_ARGUMENT naming
//                                    both tasks, then a good all-reduce works
//   multiworker_worker die           task 1 exits after one all-reduce; task
//                                    0's next one must fail naming task 1
//                                    within the timeout, then refuse
//   multiworker_worker stall         task 1 stops calling collectives (sleeps
//                                    past the timeout, then exits 0); task
//                                    0's next one must time out naming it
//   multiworker_worker absent        (only task 0 started) the first
//                                    collective fails naming task 1
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/executor/cluster_spec.h"
#include "core/executor/gloo/gloo_communicator.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/ops/collective_ops.h"

namespace graphrt {
namespace {

int failures = 0;

void Fail(const std::string& what) {
  std::printf("FAIL %s\n", what.c_str());
  std::fflush(stdout);
  ++failures;
}

struct Env {
  ClusterSpec spec;
  std::shared_ptr<Runtime> runtime;
  int rank = 0, n = 1;
  int next_key = 1;
};

ops::CollectiveOptions Options(Env& env) {
  ops::CollectiveOptions o;
  o.group_size = env.n;
  o.group_key = 1;
  o.instance_key = env.next_key++;
  o.communication_hint = "cluster";
  return o;
}

// Runs `out` with `x` fed `value`.
absl::StatusOr<Tensor> RunOne(Env& env, GraphBuilder& b, Output x, Output out, Tensor value) {
  absl::StatusOr<Graph> g = b.Build();
  if (!g.ok()) return g.status();
  SessionOptions so;
  so.runtime = env.runtime;
  absl::StatusOr<std::unique_ptr<Session>> s = Session::Create(std::move(*g), so);
  if (!s.ok()) return s.status();
  FeedList feeds;
  if (x.valid()) feeds.push_back({x, std::move(value)});
  absl::StatusOr<std::vector<Tensor>> r = (*s)->Run(feeds, {out});
  if (!r.ok()) return r.status();
  return (*r)[0];
}

// Element i of task r's input: exact in every dtype, so sums are exact.
template <typename T>
T Value(int r, int64_t i) {
  const int64_t v = (i * 7 + r * 13) % 2001 - 1000;
  if constexpr (std::is_same_v<T, float>) return static_cast<float>(v) / 4.0f;
  if constexpr (std::is_same_v<T, int64_t>) return v + (int64_t{1} << 40) * (r + 1);
  return static_cast<T>(v);
}

template <typename T>
Tensor Input(int r, TensorShape shape) {
  Tensor t(DataTypeOf<T>(), shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<T>()[i] = Value<T>(r, i);
  return t;
}

template <typename T>
void CheckAllReduce(Env& env, int64_t n, ops::CollectiveReduction red, const char* label) {
  GraphBuilder b;
  Output x = b.Placeholder(DataTypeOf<T>(), PartialShape({n}), "x");
  Output y = ops::CollectiveAllReduce(x, red, Options(env), "ar");
  const std::string what = absl::StrCat("all-reduce ", label, " ", DataTypeName(DataTypeOf<T>()),
                                        "[", n, "]");
  absl::StatusOr<Tensor> got = RunOne(env, b, x, y, Input<T>(env.rank, TensorShape{n}));
  if (!got.ok()) return Fail(absl::StrCat(what, ": ", got.status().ToString()));
  for (int64_t i = 0; i < n; ++i) {
    T want = Value<T>(0, i);
    for (int r = 1; r < env.n; ++r) {
      want = red == ops::CollectiveReduction::kMax ? std::max(want, Value<T>(r, i))
                                                   : static_cast<T>(want + Value<T>(r, i));
    }
    if (red == ops::CollectiveReduction::kMean) want = static_cast<T>(want / static_cast<T>(env.n));
    if (got->data<T>()[i] != want) {
      return Fail(absl::StrCat(what, ": element ", i, " is ", got->data<T>()[i], ", want ", want));
    }
  }
  std::printf("PASS %s\n", what.c_str());
}

void CheckBroadcast(Env& env) {
  GraphBuilder b;
  const TensorShape shape{3, 5};
  Output x, y;
  if (env.rank == 1) {
    x = b.Placeholder(DataType::kInt64, PartialShape({3, 5}), "x");
    y = ops::CollectiveBroadcastSend(x, Options(env), "send");
  } else {
    y = ops::CollectiveBroadcastRecv(b, DataType::kInt64, shape, Options(env), "recv");
  }
  absl::StatusOr<Tensor> got = RunOne(env, b, x, y, Input<int64_t>(1, shape));
  if (!got.ok()) return Fail(absl::StrCat("broadcast: ", got.status().ToString()));
  for (int64_t i = 0; i < 15; ++i) {
    if (got->data<int64_t>()[i] != Value<int64_t>(1, i)) {
      return Fail(absl::StrCat("broadcast: element ", i, " differs"));
    }
  }
  std::printf("PASS broadcast int64[3,5] from task 1\n");
}

// Task r gathers 3r+1 rows of 4 (uneven).
void CheckAllGather(Env& env) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, PartialShape({-1, 4}), "x");
  Output y = ops::CollectiveAllGather(x, Options(env), "gather");
  auto rows = [](int r) { return int64_t{3} * r + 1; };
  absl::StatusOr<Tensor> got =
      RunOne(env, b, x, y, Input<float>(env.rank, TensorShape{rows(env.rank), 4}));
  if (!got.ok()) return Fail(absl::StrCat("all-gather: ", got.status().ToString()));
  int64_t total = 0;
  for (int r = 0; r < env.n; ++r) total += rows(r);
  if (got->shape() != TensorShape{total, 4}) {
    return Fail(absl::StrCat("all-gather: shape ", got->ShapeString()));
  }
  int64_t at = 0;
  for (int r = 0; r < env.n; ++r) {
    for (int64_t i = 0; i < rows(r) * 4; ++i, ++at) {
      if (got->data<float>()[at] != Value<float>(r, i)) {
        return Fail(absl::StrCat("all-gather: element ", at, " (task ", r, ") differs"));
      }
    }
  }
  std::printf("PASS all-gather uneven float32[%lld,4]\n", static_cast<long long>(total));
}

absl::Status AllReduceOnce(Env& env, int64_t n) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, PartialShape({n}), "x");
  Output y = ops::CollectiveAllReduce(x, ops::CollectiveReduction::kSum, Options(env), "ar");
  return RunOne(env, b, x, y, Input<float>(env.rank, TensorShape{n})).status();
}

void Expect(const absl::Status& st, absl::StatusCode code, const std::string& needle,
            const std::string& what);

// Refused before any communication: no communicator in the runtime, and a
// group_size that is not the number of tasks.
void CheckLocalRefusals(Env& env) {
  Env bare = env;
  bare.runtime = Runtime::Create(RuntimeOptions{1, 1, nullptr});
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, PartialShape({2}), "x");
  Output y = ops::CollectiveAllReduce(x, ops::CollectiveReduction::kSum, Options(bare), "ar");
  Expect(RunOne(bare, b, x, y, Input<float>(0, TensorShape{2})).status(),
         absl::StatusCode::kFailedPrecondition, "has no cluster communicator",
         "no communicator");
  GraphBuilder b2;
  Output x2 = b2.Placeholder(DataType::kFloat32, PartialShape({2}), "x");
  ops::CollectiveOptions o = Options(env);
  o.group_size = env.n + 1;
  Output y2 = ops::CollectiveAllReduce(x2, ops::CollectiveReduction::kSum, o, "ar");
  Expect(RunOne(env, b2, x2, y2, Input<float>(0, TensorShape{2})).status(),
         absl::StatusCode::kInvalidArgument, absl::StrCat("the cluster has ", env.n, " tasks"),
         "group_size not the number of tasks");
}

void Expect(const absl::Status& st, absl::StatusCode code, const std::string& needle,
            const std::string& what) {
  std::printf("%s: %s\n", what.c_str(), st.ToString().c_str());
  if (st.code() != code || st.message().find(needle) == absl::string_view::npos) {
    return Fail(absl::StrCat(what, ": want ", absl::StatusCodeToString(code), " naming '",
                             needle, "'"));
  }
  std::printf("PASS %s\n", what.c_str());
}

int Main(int argc, char** argv) {
  const std::string scenario = argc > 1 ? argv[1] : "collectives";
  absl::StatusOr<std::optional<ClusterSpec>> spec = ClusterSpecFromEnv();
  if (!spec.ok() || !spec->has_value()) {
    std::printf("FAIL no cluster: %s\n", spec.ok() ? "GRAPHRT_CONFIG unset"
                                                   : spec.status().ToString().c_str());
    return 1;
  }
  Env env;
  env.spec = **spec;
  env.rank = env.spec.rank();
  env.n = env.spec.num_tasks();
  auto comm = CreateGlooCommunicator(env.spec);
  if (!comm.ok()) return std::printf("FAIL %s\n", comm.status().ToString().c_str()), 1;
  RuntimeOptions ro;
  ro.inter_op_threads = 1;
  ro.intra_op_threads = 1;
  ro.communicator = *comm;
  env.runtime = Runtime::Create(ro);

  if (scenario == "collectives") {
    CheckLocalRefusals(env);
    for (int64_t n : {int64_t{1}, int64_t{3}, int64_t{257}, int64_t{65541}, int64_t{1} << 20}) {
      for (auto [red, label] : {std::pair{ops::CollectiveReduction::kSum, "sum"},
                                std::pair{ops::CollectiveReduction::kMean, "mean"},
                                std::pair{ops::CollectiveReduction::kMax, "max"}}) {
        CheckAllReduce<float>(env, n, red, label);
        CheckAllReduce<int32_t>(env, n, red, label);
        CheckAllReduce<int64_t>(env, n, red, label);
      }
    }
    CheckBroadcast(env);
    CheckAllGather(env);
  } else if (scenario == "mismatch") {
    Expect(AllReduceOnce(env, 4 + env.rank), absl::StatusCode::kInvalidArgument,
           absl::StrCat(env.spec.task_name(1 - env.rank), " has float32[", 5 - env.rank, "]"),
           "mismatched shapes");
    CheckAllReduce<float>(env, 10, ops::CollectiveReduction::kSum, "sum after a mismatch");
  } else if (scenario == "die") {
    CheckAllReduce<float>(env, 100, ops::CollectiveReduction::kSum, "sum before the loss");
    if (env.rank == 1) {
      std::fflush(stdout);
      _exit(7);  // as if killed: no goodbye to the others
    }
    const auto start = std::chrono::steady_clock::now();
    absl::Status st = AllReduceOnce(env, 1000);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("failed after %.2f s\n", s);
    if (st.code() == absl::StatusCode::kDeadlineExceeded) {
      Expect(st, absl::StatusCode::kDeadlineExceeded, "/job:worker/task:1", "peer lost");
    } else {
      Expect(st, absl::StatusCode::kUnavailable, "/job:worker/task:1", "peer lost");
    }
    if (s > std::chrono::duration<double>(env.spec.timeout).count() + 2.0) {
      Fail(absl::StrCat("peer lost: took ", s, " s, more than the timeout"));
    }
    Expect(AllReduceOnce(env, 10), absl::StatusCode::kFailedPrecondition, "failed earlier",
           "refused after the failure");
  } else if (scenario == "stall") {
    CheckAllReduce<float>(env, 100, ops::CollectiveReduction::kSum, "sum before the stall");
    if (env.rank == 1) {
      std::fflush(stdout);
      std::this_thread::sleep_for(env.spec.timeout + std::chrono::seconds(2));
      std::printf("DONE stall (task 1 slept)\n");
      return 0;
    }
    const auto start = std::chrono::steady_clock::now();
    absl::Status st = AllReduceOnce(env, 1000);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("failed after %.2f s\n", s);
    Expect(st, absl::StatusCode::kDeadlineExceeded, "/job:worker/task:1", "stalled peer");
    if (s > std::chrono::duration<double>(env.spec.timeout).count() + 2.0) {
      Fail(absl::StrCat("stalled peer: took ", s, " s, more than the timeout"));
    }
  } else if (scenario == "absent") {
    const auto start = std::chrono::steady_clock::now();
    absl::Status st = AllReduceOnce(env, 10);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("failed after %.2f s\n", s);
    Expect(st, absl::StatusCode::kDeadlineExceeded, "/job:worker/task:1 did not join",
           "absent peer");
    Expect(AllReduceOnce(env, 10), absl::StatusCode::kFailedPrecondition, "failed earlier",
           "refused after the failure");
  } else {
    std::printf("FAIL unknown scenario '%s'\n", scenario.c_str());
    return 1;
  }
  std::printf("%s %s (%d failure(s))\n", failures == 0 ? "DONE" : "FAILED", scenario.c_str(),
              failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace graphrt

int main(int argc, char** argv) { return graphrt::Main(argc, argv); }
