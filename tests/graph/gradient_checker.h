// A numeric gradient checker for tests of core/graph/gradients.h.
//
// CheckGradients builds y = f(x_0, ..., x_n) from placeholders, weights y
// with a random constant W (so that sum(W * y) has no symmetry that would
// hide a wrong gradient, as sum(softmax) = 1 would), asks AddGradients for
// d(sum(W * y))/d(x_i), and compares each with central finite differences
// of the loss evaluated by the session (float32 kernels, float64
// differences). The error reported is norm-wise: max |symbolic - numeric|
// over max |numeric| for each x (infinity norms).
#ifndef GRAPHRT_TESTS_GRAPH_GRADIENT_CHECKER_H_
#define GRAPHRT_TESTS_GRAPH_GRADIENT_CHECKER_H_

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/builder.h"
#include "core/graph/tensor.h"

namespace graphrt::testing {

struct GradientInput {
  Tensor value;        // float32; the point at which the gradient is checked
  PartialShape shape;  // the placeholder's shape; unknown rank: the value's own
};

using GradientFn = std::function<Output(GraphBuilder&, std::vector<Output>&)>;

// The norm-wise relative error for each input, or the error of building or
// running the graph. `eps` is the finite-difference step.
absl::StatusOr<std::vector<double>> GradientErrors(const GradientFn& f,
                                                   std::vector<GradientInput> inputs,
                                                   double eps = 1e-2, uint32_t seed = 7);

// Expects GradientErrors to succeed and every input's error to be at most
// `tolerance` (a gtest failure naming the input otherwise).
void ExpectGradientsMatch(const GradientFn& f, std::vector<GradientInput> inputs,
                          double eps = 1e-2, double tolerance = 1e-3);

// Like RandomFloats (tests/kernels/kernel_test_util.h), but |values| in [lo, hi] with random signs (keeps
// values away from kinks such as Relu's at 0).
Tensor RandomAwayFromZero(const TensorShape& shape, float lo, float hi, uint32_t seed);

}  // namespace graphrt::testing

#endif  // GRAPHRT_TESTS_GRAPH_GRADIENT_CHECKER_H_
