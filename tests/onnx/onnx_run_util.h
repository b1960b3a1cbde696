// Running an imported ONNX model in a Session, for the importer's tests that
// execute graphs (the RUNS files of tests/onnx: they link the runtime).
#ifndef GRAPHRT_TESTS_ONNX_ONNX_RUN_UTIL_H_
#define GRAPHRT_TESTS_ONNX_ONNX_RUN_UTIL_H_

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/executor/session.h"
#include "core/graph/onnx/onnx_import.h"
#include "core/graph/tensor.h"
#include "gtest/gtest.h"

namespace graphrt::onnx_test {

// `model`'s outputs, with `inputs` fed to its inputs in order (fewer when
// some have defaults); the first error of Session::Create or Run.
inline absl::StatusOr<std::vector<Tensor>> RunOnnxModel(OnnxModel model,
                                                        const std::vector<Tensor>& inputs) {
  FeedList feeds;
  for (size_t i = 0; i < inputs.size(); ++i) feeds.emplace_back(model.inputs[i], inputs[i]);
  std::vector<TensorName> fetches(model.outputs.begin(), model.outputs.end());
  absl::StatusOr<std::unique_ptr<Session>> s = Session::Create(std::move(model.graph));
  if (!s.ok()) return s.status();
  return (*s)->Run(feeds, fetches);
}

// Two imports' float outputs agree: as many, the same shapes, and each
// element within `rel` of the output's largest magnitude in `want`.
inline void ExpectOutputsNear(const std::vector<Tensor>& got, const std::vector<Tensor>& want,
                              float rel) {
  EXPECT_EQ(got.size(), want.size());
  for (size_t k = 0; k < std::min(got.size(), want.size()); ++k) {
    const Tensor& a = got[k];
    const Tensor& b = want[k];
    EXPECT_EQ(a.shape(), b.shape());
    if (a.shape() != b.shape()) continue;
    float scale = 0;
    for (float v : b.flat<float>()) scale = std::max(scale, std::abs(v));
    for (int64_t i = 0; i < b.num_elements(); ++i) {
      EXPECT_NEAR(a.flat<float>()[i], b.flat<float>()[i], rel * scale)
          << "output " << k << " at " << i;
    }
  }
}

}  // namespace graphrt::onnx_test

#endif  // GRAPHRT_TESTS_ONNX_ONNX_RUN_UTIL_H_
