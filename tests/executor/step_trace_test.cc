// Step traces: the book's figure 19-10 graph traced as Chrome JSON, every
// node once and after its inputs; per-op statistics; device tracks.
#include "core/executor/step_trace.h"

#include <fstream>
#include <iterator>
#include <map>
#include <string>

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

}  // namespace
}  // namespace graphrt
