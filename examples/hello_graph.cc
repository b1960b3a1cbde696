// A small graph on the CPU: y = relu(x W + b), a variable updated in place,
// and the placement of every node. Run by ./scripts/demo.
#include <cstdio>

#include "core/executor/session.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"

using namespace graphrt;

int main() {
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
  for (int i = 0; i < 3; ++i) {
    auto out = (*session)->Run({{x, batch}}, {y}, {count});
    if (!out.ok()) return std::fprintf(stderr, "%s\n", out.status().ToString().c_str()), 1;
    std::printf("step %d: y = %s\n", i, (*out)[0].DebugString().c_str());
  }
  auto n = (*session)->Run({}, {steps_before});
  if (!n.ok()) return std::fprintf(stderr, "%s\n", n.status().ToString().c_str()), 1;
  std::printf("steps run: %d\n", (*n)[0].scalar<int32_t>());
  return (*n)[0].scalar<int32_t>() == 3 ? 0 : 1;
}
