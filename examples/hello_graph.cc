// A small graph on the CPU: y = relu(x W + b), a variable updated in place,
// and the placement of every node. Run by ./scripts/demo.
//   hello_graph [--trace out.json]   also writes the last step's trace
//                                    (Chrome trace JSON) and per-op stats
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"

using namespace graphrt;

int main(int argc, char** argv) {
  std::string trace_path;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--trace") == 0 && i + 1 < argc) {
      trace_path = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--trace out.json]\n", argv[0]);
      return 2;
    }
  }
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {-1, 3}, "x");
  Output w = b.Const(Tensor::FromVector<float>({1, -1, 0.5f, 2, 0, -2}, {3, 2}), "w");
  Output bias = b.Const(Tensor::FromVector<float>({0.5f, -0.5f}), "b");
  Output y = ops::Relu(ops::BiasAdd(ops::MatMul(x, w), bias), "y");
  Variable steps = b.NewVariable("steps", Tensor::Scalar<int32_t>(0));
  Output steps_before = steps.Read("steps_before");  // read, then count
  Output count = steps.AssignAdd(b.Scalar<int32_t>(1), "count");

  absl::StatusOr<Graph> graph = b.Build();
  if (!graph.ok()) return std::fprintf(stderr, "%s\n", graph.status().ToString().c_str()), 1;
  SessionOptions options;
  options.log_device_placement = true;
  auto session = Session::Create(*std::move(graph), options);
  if (!session.ok()) return std::fprintf(stderr, "%s\n", session.status().ToString().c_str()), 1;

  Tensor batch = Tensor::FromVector<float>({1, 2, 3, -1, 0, 1}, {2, 3});
  RunOptions run_options;
  run_options.trace = !trace_path.empty();
  std::vector<StepTrace> traces;
  for (int i = 0; i < 3; ++i) {
    RunMetadata metadata;
    auto out = (*session)->Run(run_options, {{x, batch}}, {y}, {count}, &metadata);
    if (run_options.trace) traces.push_back(metadata.trace);
    if (!out.ok()) return std::fprintf(stderr, "%s\n", out.status().ToString().c_str()), 1;
    std::printf("step %d: y = %s\n", i, (*out)[0].DebugString().c_str());
  }
  if (!traces.empty()) {
    std::ofstream(trace_path) << traces.back().ToChromeJson();
    std::printf("wrote the last step's trace to %s (open it in Perfetto or chrome://tracing)\n%s",
                trace_path.c_str(), OpStatsTable(SummarizeOps(traces)).c_str());
  }
  auto n = (*session)->Run({}, {steps_before});
  if (!n.ok()) return std::fprintf(stderr, "%s\n", n.status().ToString().c_str()), 1;
  std::printf("steps run: %d\n", (*n)[0].scalar<int32_t>());
  return (*n)[0].scalar<int32_t>() == 3 ? 0 : 1;
}
