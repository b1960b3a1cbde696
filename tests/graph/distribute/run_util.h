// Helpers of the strategy tests that run graphs: a Session over N logical
// CPU devices (one inter-op and one intra-op thread each, so runs are
// reproducible), random MLP batches, and comparisons of variable values.
#ifndef GRAPHRT_TESTS_GRAPH_DISTRIBUTE_RUN_UTIL_H_
#define GRAPHRT_TESTS_GRAPH_DISTRIBUTE_RUN_UTIL_H_

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/initializers.h"
#include "gtest/gtest.h"
#include "tests/graph/distribute/test_models.h"

namespace graphrt::testing_distribute {

inline absl::StatusOr<std::unique_ptr<Session>> SessionOnCpus(const GraphBuilder& b, int devices,
                                                              bool soft_placement = true) {
  auto runtime = Runtime::Create({1, 1, nullptr});
  if (devices > 1) {
    absl::Status split = runtime->SetLogicalDeviceConfiguration(
        runtime->ListPhysicalDevices("CPU")[0], std::vector<LogicalDeviceConfiguration>(devices));
    if (!split.ok()) return split;
  }
  SessionOptions options;
  options.runtime = std::move(runtime);
  options.allow_soft_placement = soft_placement;
  absl::StatusOr<Graph> graph = b.Build();
  if (!graph.ok()) return graph.status();
  return Session::Create(*std::move(graph), options);
}

// x uniform in [0, 1), labels uniform in [0, out), from `seed`.
struct Batch {
  Tensor x, labels;
};
inline Batch RandomBatch(int n, const MlpShape& s, uint64_t seed) {
  InitRng rng(seed * 7919 + 13);
  Batch b{Tensor(DataType::kFloat32, TensorShape{n, s.in}), Tensor(DataType::kInt64, TensorShape{n})};
  for (float& v : b.x.flat<float>()) v = rng.Uniform();
  for (int64_t& v : b.labels.flat<int64_t>()) {
    v = std::min<int64_t>(s.out - 1, static_cast<int64_t>(rng.Uniform() * s.out));
  }
  return b;
}

inline std::vector<TensorName> Names(const std::vector<Output>& outputs) {
  return std::vector<TensorName>(outputs.begin(), outputs.end());
}

// Largest |got - want| over the tensor, relative to the largest |want|.
inline double RelativeError(const Tensor& got, const Tensor& want) {
  double diff = 0, scale = 0;
  auto g = got.flat<float>();
  auto w = want.flat<float>();
  for (size_t i = 0; i < w.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(g[i]) - w[i]));
    scale = std::max(scale, std::abs(static_cast<double>(w[i])));
  }
  return scale == 0 ? diff : diff / scale;
}

}  // namespace graphrt::testing_distribute

#endif  // GRAPHRT_TESTS_GRAPH_DISTRIBUTE_RUN_UTIL_H_
