// One ONNX backend test case (a folder of libonnx-testdata: model.onnx and
// test_data_set_*/{input,output}_*.pb), run through the importer and a
// Session, and compared as ONNX's backend runner compares.
//
// Used by onnx_suite_main.cc (the ctest driver) and its unit tests.
// Thread-safety: pure functions.
#ifndef GRAPHRT_TESTS_ONNX_SUITE_SUITE_CASE_H_
#define GRAPHRT_TESTS_ONNX_SUITE_SUITE_CASE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "core/executor/runtime.h"
#include "core/graph/tensor.h"

namespace graphrt::onnx_suite {

// ONNX's tolerance: numpy.testing.assert_allclose(rtol=1e-3, atol=1e-7).
struct Tolerance {
  double rtol = 1e-3;
  double atol = 1e-7;
};

// OK when `got` matches `want` as assert_allclose does: same dtype and
// shape; floating values within atol + rtol * |want|, NaN equal to NaN,
// infinities equal when their signs are; other dtypes exact. Otherwise
// INVALID_ARGUMENT naming the first differing element.
absl::Status CompareTensors(const Tensor& got, const Tensor& want, const Tolerance& tol = {});

// Imports `dir`/model.onnx and runs every test_data_set_* in it. OK when all
// outputs match; otherwise the first failure (import, run or comparison).
absl::Status RunCase(const std::string& dir, const std::shared_ptr<Runtime>& runtime);

}  // namespace graphrt::onnx_suite

#endif  // GRAPHRT_TESTS_ONNX_SUITE_SUITE_CASE_H_
