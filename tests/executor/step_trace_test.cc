// Step traces: the book's figure 19-10 graph traced as Chrome JSON, every
// node once and after its inputs; per-op statistics; device tracks. Program
// traces: every step of every session in one file, streamed in bounded
// memory, valid after every flush, capped by GRAPHRT_TRACE_MAX_STEPS, and
// closed validly when the path changes.
#include "core/executor/step_trace.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/executor/test_ops.h"
#include "tests/memory/json_checker.h"

namespace graphrt {
namespace {

using ::graphrt::memtest::Json;
using ::graphrt::memtest::JsonParser;
using ::graphrt::testing::Record;

TEST(StepTraceTest, BookFigureTraceHasEveryNodeOnceAfterItsInputs) {
  graphrt::testing::RegisterTestOps();
  GraphBuilder b;
  Output a = Record(b, "A", {}, {{"sleep_us", int64_t{300}}});
  Output bb = Record(b, "B", {});
  Output c = Record(b, "C", {});
  Output d = Record(b, "D", {c}, {{"sleep_us", int64_t{100}}});
  Output e = Record(b, "E", {c});
  Output f = Record(b, "F", {a, bb, d, e});
  SessionOptions o;
  o.inter_op_threads = 2;
  o.kernels = graphrt::testing::TestKernels();
  auto session = Session::Create(b.Build().value(), o);
  ASSERT_TRUE(session.ok()) << session.status();

  RunOptions options;
  options.trace = true;
  RunMetadata metadata;
  auto out = (*session)->Run(options, {}, {f}, {}, &metadata);
  ASSERT_TRUE(out.ok()) << out.status();
  const StepTrace& trace = metadata.trace;
  ASSERT_EQ(trace.events.size(), 6u);
  std::map<std::string, NodeTraceEvent> by_name;
  for (const NodeTraceEvent& ev : trace.events) {
    EXPECT_TRUE(by_name.emplace(std::string(ev.node), ev).second) << ev.node << " appears twice";
    EXPECT_LE(ev.ready_ns, ev.start_ns) << ev.node;
    EXPECT_LE(ev.start_ns, ev.end_ns) << ev.node;
    EXPECT_EQ(ev.op, "Record");
  }
  for (const char* input : {"A", "B", "D", "E"}) {
    EXPECT_GE(by_name["F"].start_ns, by_name[input].end_ns) << "F started before " << input;
  }
  EXPECT_GE(by_name["D"].start_ns, by_name["C"].end_ns);
  EXPECT_GE(by_name["E"].start_ns, by_name["C"].end_ns);
  EXPECT_GE(by_name["F"].ready_ns, by_name["A"].end_ns);  // A (300 us) is F's last input
  EXPECT_GE(trace.step_ns, by_name["F"].end_ns);

  std::optional<Json> json = JsonParser::Parse(trace.ToChromeJson());
  ASSERT_TRUE(json.has_value()) << trace.ToChromeJson();
  const Json& events = (*json)["traceEvents"];
  int complete = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i]["ph"].str() == "X") {
      ++complete;
      EXPECT_GE(events[i]["dur"].num(), 0.0);
    }
  }
  EXPECT_EQ(complete, 6);

  // Per-op statistics count what ran.
  std::vector<StepTrace> traces = {trace};
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE((*session)->Run(options, {}, {f}, {}, &metadata).ok());
    traces.push_back(metadata.trace);
  }
  std::vector<OpStats> stats = SummarizeOps(traces);
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].op, "Record");
  EXPECT_EQ(stats[0].count, 30);
  EXPECT_GE(stats[0].p99_us, stats[0].p50_us);
  EXPECT_GE(stats[0].p99_us, 300.0);  // A sleeps 300 us
  EXPECT_THAT(OpStatsTable(stats), ::testing::HasSubstr("Record"));
}

TEST(StepTraceTest, NoTraceUnlessAsked) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {}, "x");
  ops::Neg(x, "y");
  auto session = Session::Create(b.Build().value(), {});
  ASSERT_TRUE(session.ok());
  RunMetadata metadata;
  ASSERT_TRUE((*session)->Run(RunOptions{}, {{x, Tensor::Scalar<float>(1)}}, {"y"}, {}, &metadata)
                  .ok());
  EXPECT_TRUE(metadata.trace.events.empty());
}

TEST(StepTraceTest, EachDeviceHasItsOwnTrack) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {4}, "x");
  Output y;
  {
    GraphBuilder::DeviceScope d(b, "/cpu:1");
    y = ops::Neg(x, "on_cpu1");
  }
  ops::Exp(y, "on_cpu0");
  SessionOptions o;
  o.runtime = Runtime::Create({1, 1, nullptr});
  ASSERT_TRUE(o.runtime->SetLogicalDeviceConfiguration(o.runtime->ListPhysicalDevices("CPU")[0],
                                                       {{}, {}})
                  .ok());
  auto session = Session::Create(b.Build().value(), o);
  ASSERT_TRUE(session.ok()) << session.status();
  RunOptions options;
  options.trace = true;
  RunMetadata metadata;
  ASSERT_TRUE((*session)->Run(options, {{x, Tensor::FromVector<float>({1, 2, 3, 4})}},
                              {"on_cpu0"}, {}, &metadata)
                  .ok());
  std::map<std::string, int> device_of;
  for (const NodeTraceEvent& ev : metadata.trace.events) device_of[std::string(ev.node)] = ev.device;
  ASSERT_EQ(metadata.trace.devices.size(), 2u);
  EXPECT_EQ(metadata.trace.devices[device_of["on_cpu1"]], FullDeviceName("CPU", 1));
  EXPECT_EQ(metadata.trace.devices[device_of["on_cpu0"]], FullDeviceName("CPU", 0));
  EXPECT_TRUE(device_of.contains("on_cpu1/_copy_to_CPU_0"));  // the copy is traced too
  for (const NodeTraceEvent& ev : metadata.trace.events) {
    if (ev.op != "_Copy") continue;
    EXPECT_GE(ev.source_device, 0) << ev.node;  // copies name where they came from
    EXPECT_NE(ev.source_device, ev.device) << ev.node;
    EXPECT_EQ(ev.bytes_allocated, 16) << ev.node;  // and how much they moved
    if (ev.node == "on_cpu1/_copy_to_CPU_0") {
      EXPECT_EQ(ev.source_device, device_of["on_cpu1"]);
    }
  }
  std::optional<Json> json = JsonParser::Parse(metadata.trace.ToChromeJson());
  ASSERT_TRUE(json.has_value());
  int processes = 0;
  const Json& events = (*json)["traceEvents"];
  for (size_t i = 0; i < events.size(); ++i) processes += events[i]["name"].str() == "process_name";
  EXPECT_EQ(processes, 2);
  const std::string text = metadata.trace.ToChromeJson();
  EXPECT_THAT(text, ::testing::HasSubstr("\"from\": \"" + FullDeviceName("CPU", 1) + "\""));
  EXPECT_THAT(text, ::testing::HasSubstr("\"to\": \"" + FullDeviceName("CPU", 0) + "\""));
}

TEST(StepTraceTest, NodesRecordBytesAllocatedAndCountersFollowMemory) {
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {2, 3}, "x");
  Output w = b.Const(Tensor::FromVector<float>({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {3, 4}));
  Output y = ops::MatMul(x, w, {}, "y");  // [2, 4] float: 32 bytes
  Output z = ops::Neg(y, "z");            // may take over y's buffer
  auto session = Session::Create(b.Build().value(), {});
  ASSERT_TRUE(session.ok()) << session.status();
  RunOptions options;
  options.trace = true;
  RunMetadata metadata;
  ASSERT_TRUE((*session)->Run(options, {{x, Tensor(DataType::kFloat32, {2, 3})}}, {z}, {},
                              &metadata)
                  .ok());
  std::map<std::string, NodeTraceEvent> by_name;
  for (const NodeTraceEvent& ev : metadata.trace.events) by_name[std::string(ev.node)] = ev;
  EXPECT_EQ(by_name["y"].bytes_allocated, 32);
  EXPECT_GE(by_name["y"].bytes_in_use, 32);  // y's output is alive when y ends
  EXPECT_LE(by_name["z"].bytes_allocated, 32);
  EXPECT_EQ(by_name["y"].source_device, -1);

  std::optional<Json> json = JsonParser::Parse(metadata.trace.ToChromeJson());
  ASSERT_TRUE(json.has_value());
  const Json& events = (*json)["traceEvents"];
  int counters = 0;
  double last_ts = -1;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i]["ph"].str() != "C") continue;
    ++counters;
    EXPECT_EQ(events[i]["name"].str(), "bytes in use");
    EXPECT_GE(events[i]["ts"].num(), last_ts);  // in time order
    last_ts = events[i]["ts"].num();
    EXPECT_GE(events[i]["args"]["bytes"].num(), 0.0);
  }
  EXPECT_EQ(counters, static_cast<int>(metadata.trace.events.size()));

  std::vector<OpStats> nodes = SummarizeNodes({&metadata.trace, 1});
  ASSERT_EQ(nodes.size(), metadata.trace.events.size());
  bool found = false;
  for (const OpStats& n : nodes) found = found || n.op == "y (MatMul)";
  EXPECT_TRUE(found);
}

TEST(StepTraceTest, ProgramTraceHoldsEveryStepOfEverySession) {
  const std::string path = ::testing::TempDir() + "/graphrt_program_trace.json";
  SetProgramTracePath(path);
  ASSERT_TRUE(ProgramTraceEnabled());
  for (int s = 0; s < 2; ++s) {
    GraphBuilder b;
    Output x = b.Placeholder(DataType::kFloat32, {}, "x");
    Output y = ops::Exp(ops::Neg(x, "n"), "e");
    auto session = Session::Create(b.Build().value(), {});
    ASSERT_TRUE(session.ok()) << session.status();
    auto callable = (*session)->MakeCallable({x}, {y});
    ASSERT_TRUE(callable.ok());
    for (int step = 0; step < 3; ++step) {  // untraced Runs and callables are recorded too
      Tensor feed = Tensor::Scalar<float>(1);
      ASSERT_TRUE((step == 0 ? (*session)->Run({{x, feed}}, {y})
                             : (*session)->RunCallable(*callable, {&feed, 1}))
                      .ok());
    }
  }
  ASSERT_TRUE(FlushProgramTrace().ok());
  SetProgramTracePath("");
  EXPECT_FALSE(ProgramTraceEnabled());

  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::optional<Json> json = JsonParser::Parse(text);
  ASSERT_TRUE(json.has_value()) << text.substr(0, 500);
  const Json& events = (*json)["traceEvents"];
  std::map<std::string, int> runs;
  int processes = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i]["ph"].str() == "X") ++runs[events[i]["name"].str()];
    processes += events[i]["name"].str() == "process_name";
  }
  EXPECT_EQ(runs["n"], 6);  // 2 sessions x 3 steps
  EXPECT_EQ(runs["e"], 6);
  EXPECT_EQ(processes, 1);  // both sessions' CPU:0 is one device track
}

// Program traces without sessions: hand-made steps of `nodes` events on
// CPU:0, step k starting k ms after the first.
std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class FakeSteps {
 public:
  explicit FakeSteps(int nodes) {
    for (int n = 0; n < nodes; ++n) names_.push_back("node" + std::to_string(n));
  }
  StepTrace Step(int k) const {
    StepTrace t;
    t.devices = {FullDeviceName("CPU", 0)};
    t.start_ns = 1'000'000'000 + int64_t{k} * 1'000'000;
    for (size_t n = 0; n < names_.size(); ++n) {
      NodeTraceEvent e;
      e.node = names_[n];
      e.op = "Neg";
      e.thread = static_cast<int32_t>(n % 2);
      e.start_ns = static_cast<int64_t>(n) * 1000;
      e.end_ns = e.start_ns + 500;
      t.events.push_back(e);
    }
    return t;
  }

 private:
  std::vector<std::string> names_;
};

// Sets an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

struct TraceCounts {
  int complete = 0;    // "X" events
  int processes = 0;   // process_name metadata
  double last_ts = -1; // of the last "X" event
  const Json* truncated = nullptr;  // the "program trace truncated" event
};

TraceCounts Count(const Json& json) {
  TraceCounts c;
  const Json& events = json["traceEvents"];
  for (size_t i = 0; i < events.size(); ++i) {
    const std::string& ph = events[i]["ph"].str();
    if (ph == "X") {
      ++c.complete;
      c.last_ts = std::max(c.last_ts, events[i]["ts"].num());
    }
    if (ph == "M" && events[i]["name"].str() == "process_name") ++c.processes;
    if (ph == "i" && events[i]["name"].str() == "program trace truncated") c.truncated = &events[i];
  }
  return c;
}

TEST(StepTraceTest, ProgramTraceStreamsInBoundedMemoryAndIsValidAfterEveryFlush) {
  ScopedEnv no_cap("GRAPHRT_TRACE_MAX_STEPS", "0");
  const std::string path = ::testing::TempDir() + "/graphrt_program_trace_stream.json";
  SetProgramTracePath(path);
  const FakeSteps steps(20);
  const std::vector<int> pids = {0};
  const int64_t step_bytes = static_cast<int64_t>(steps.Step(0).ChromeEvents(0, pids).size());
  int64_t max_buffered = 0, last_file_bytes = 0, spills = 0;
  for (int k = 0; k < 600; ++k) {
    AppendToProgramTrace(steps.Step(k));
    const ProgramTraceStats stats = GetProgramTraceStats();
    ASSERT_EQ(stats.steps_traced, k + 1);
    max_buffered = std::max(max_buffered, stats.buffered_bytes);
    if (stats.file_bytes != last_file_bytes) {  // a write: the file is valid without a flush
      last_file_bytes = stats.file_bytes;
      const std::string text = ReadFile(path);
      EXPECT_EQ(static_cast<int64_t>(text.size()), stats.file_bytes);
      if (spills++ % 8 == 0) {  // (parsing every one would take seconds)
        ASSERT_TRUE(JsonParser::Parse(text).has_value()) << "after step " << k;
      }
    }
    if (k % 150 == 149) {
      ASSERT_TRUE(FlushProgramTrace().ok());
      EXPECT_EQ(GetProgramTraceStats().buffered_bytes, 0);
      const std::string text = ReadFile(path);
      std::optional<Json> json = JsonParser::Parse(text);
      ASSERT_TRUE(json.has_value()) << "after step " << k << ": " << text.substr(0, 300);
      const TraceCounts counts = Count(*json);
      EXPECT_EQ(counts.complete, 20 * (k + 1));  // every step so far, none twice
      EXPECT_EQ(counts.processes, 1);            // named once per file
      EXPECT_DOUBLE_EQ(counts.last_ts, k * 1000.0 + 19.0);  // step k at k ms, node 19 at 19 us
      EXPECT_EQ(counts.truncated, nullptr);
    }
  }
  const ProgramTraceStats stats = GetProgramTraceStats();
  SetProgramTracePath("");
  // The events far outgrew the buffer, which stayed under 64 KiB plus a step.
  EXPECT_GT(stats.file_bytes, 600 * step_bytes);
  EXPECT_GT(stats.file_bytes, int64_t{20} * max_buffered);
  EXPECT_LE(max_buffered, (int64_t{64} << 10) + step_bytes + 4096);
  EXPECT_GT(spills, 10);  // written as it went, not only at the flushes
}

TEST(StepTraceTest, ProgramTraceMaxStepsTruncatesAndSaysSo) {
  ScopedEnv cap("GRAPHRT_TRACE_MAX_STEPS", "3");
  const std::string path = ::testing::TempDir() + "/graphrt_program_trace_capped.json";
  SetProgramTracePath(path);
  const FakeSteps steps(4);
  for (int k = 0; k < 10; ++k) AppendToProgramTrace(steps.Step(k));
  ASSERT_TRUE(FlushProgramTrace().ok());
  ProgramTraceStats stats = GetProgramTraceStats();
  EXPECT_EQ(stats.max_steps, 3);
  EXPECT_EQ(stats.steps_traced, 3);
  EXPECT_EQ(stats.steps_left_out, 7);

  std::optional<Json> json = JsonParser::Parse(ReadFile(path));
  ASSERT_TRUE(json.has_value());
  TraceCounts counts = Count(*json);
  EXPECT_EQ(counts.complete, 3 * 4);  // the first three steps only
  ASSERT_NE(counts.truncated, nullptr);
  const Json& args = (*counts.truncated)["args"];
  EXPECT_EQ(args["max_steps"].num(), 3);
  EXPECT_EQ(args["steps_traced"].num(), 3);
  EXPECT_EQ(args["steps_left_out"].num(), 7);
  EXPECT_DOUBLE_EQ((*counts.truncated)["ts"].num(), 3000.0);  // where step 3 began
  EXPECT_EQ((*counts.truncated)["s"].str(), "g");             // across every track

  // Later steps are counted into the same event; the file stays valid.
  for (int k = 10; k < 100; ++k) AppendToProgramTrace(steps.Step(k));
  ASSERT_TRUE(FlushProgramTrace().ok());
  SetProgramTracePath("");
  json = JsonParser::Parse(ReadFile(path));
  ASSERT_TRUE(json.has_value());
  counts = Count(*json);
  EXPECT_EQ(counts.complete, 3 * 4);
  ASSERT_NE(counts.truncated, nullptr);
  EXPECT_EQ((*counts.truncated)["args"]["steps_left_out"].num(), 97);
}

TEST(StepTraceTest, ProgramTraceIgnoresAnInvalidMaxSteps) {
  ScopedEnv cap("GRAPHRT_TRACE_MAX_STEPS", "lots");
  SetProgramTracePath(::testing::TempDir() + "/graphrt_program_trace_invalid_cap.json");
  ::testing::internal::CaptureStderr();
  AppendToProgramTrace(FakeSteps(1).Step(0));
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, ::testing::HasSubstr("ignoring GRAPHRT_TRACE_MAX_STEPS=\"lots\""));
  EXPECT_EQ(GetProgramTraceStats().max_steps, kDefaultProgramTraceMaxSteps);
  SetProgramTracePath("");
}

TEST(StepTraceTest, ProgramTraceSwitchingPathsClosesTheFirstFileValidly) {
  const std::string first = ::testing::TempDir() + "/graphrt_program_trace_first.json";
  const std::string second = ::testing::TempDir() + "/graphrt_program_trace_second.json";
  const FakeSteps steps(3);
  SetProgramTracePath(first);
  for (int k = 0; k < 2; ++k) AppendToProgramTrace(steps.Step(k));
  SetProgramTracePath(first);  // the same path: the trace goes on
  AppendToProgramTrace(steps.Step(2));
  EXPECT_EQ(GetProgramTraceStats().steps_traced, 3);
  SetProgramTracePath(second);  // no flush: the switch completes the first file
  EXPECT_EQ(GetProgramTraceStats().steps_traced, 0);
  AppendToProgramTrace(steps.Step(5));

  std::optional<Json> json = JsonParser::Parse(ReadFile(first));
  ASSERT_TRUE(json.has_value()) << ReadFile(first);
  TraceCounts counts = Count(*json);
  EXPECT_EQ(counts.complete, 3 * 3);
  EXPECT_EQ(counts.processes, 1);

  SetProgramTracePath("");
  json = JsonParser::Parse(ReadFile(second));
  ASSERT_TRUE(json.has_value()) << ReadFile(second);
  counts = Count(*json);
  EXPECT_EQ(counts.complete, 3);      // only its own step
  EXPECT_EQ(counts.processes, 1);     // its devices are named again
  EXPECT_DOUBLE_EQ(counts.last_ts, 2.0);  // on a timeline of its own: node 2 at 2 us
}

TEST(StepTraceTest, ProgramTraceErrorsNameThePath) {
  const std::string path = ::testing::TempDir() + "/no/such/dir/graphrt_trace.json";
  SetProgramTracePath(path);
  ::testing::internal::CaptureStderr();
  AppendToProgramTrace(FakeSteps(1).Step(0));
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, ::testing::HasSubstr(path));
  absl::Status s = FlushProgramTrace();
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr(path));
  EXPECT_EQ(GetProgramTraceStats().steps_left_out, 1);
  SetProgramTracePath("");  // a new path forgets the error
  EXPECT_TRUE(FlushProgramTrace().ok());
}

}  // namespace
}  // namespace graphrt
