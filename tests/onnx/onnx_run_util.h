// Running an imported ONNX model in a Session, for the importer's tests that
// execute graphs (the RUNS files of tests/onnx: they link the runtime).
#ifndef GRAPHRT_TESTS_ONNX_ONNX_RUN_UTIL_H_
#define GRAPHRT_TESTS_ONNX_ONNX_RUN_UTIL_H_

#include <memory>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/executor/session.h"
#include "core/graph/onnx/onnx_import.h"
#include "core/graph/tensor.h"

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

}  // namespace graphrt::onnx_test

#endif  // GRAPHRT_TESTS_ONNX_ONNX_RUN_UTIL_H_
