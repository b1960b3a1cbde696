#include "tests/graph/gradient_checker.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "core/executor/session.h"
#include "core/graph/gradients.h"
#include "core/graph/ops/math_ops.h"
#include "core/base/status_macros.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt::testing {

Tensor RandomAwayFromZero(const TensorShape& shape, float lo, float hi, uint32_t seed) {
  Tensor t = RandomFloats(shape, lo, hi, seed);
  std::mt19937 gen(seed + 1);
  for (float& v : t.flat<float>()) v = (gen() & 1) ? v : -v;
  return t;
}

absl::StatusOr<std::vector<double>> GradientErrors(const GradientFn& f,
                                                   std::vector<GradientInput> inputs,
                                                   double eps, uint32_t seed) {
  GraphBuilder b;
  std::vector<Output> xs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const PartialShape shape =
        inputs[i].shape.known_rank() ? inputs[i].shape : PartialShape(inputs[i].value.shape());
    xs.push_back(b.Placeholder(DataType::kFloat32, shape, absl::StrCat("x", i)));
  }
  Output y = f(b, xs);
  FeedList feeds;
  for (size_t i = 0; i < inputs.size(); ++i) feeds.emplace_back(xs[i], inputs[i].value);

  // Run y once to learn its shape, then weight it.
  ASSIGN_OR_RETURN(Graph forward, b.Build());
  ASSIGN_OR_RETURN(std::unique_ptr<Session> probe, Session::Create(std::move(forward)));
  ASSIGN_OR_RETURN(std::vector<Tensor> y_value, probe->Run(feeds, {y}));
  Output w = b.Const(RandomFloats(y_value[0].shape(), 0.5f, 1.5f, seed), "w");
  Output loss = ops::Sum(y * w, {}, "loss");
  ASSIGN_OR_RETURN(std::vector<Output> grads, AddGradients(loss, xs));
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].valid()) return absl::InternalError(absl::StrCat("no gradient for x", i));
  }
  ASSIGN_OR_RETURN(Graph graph, b.Build());
  SessionOptions options;
  options.inter_op_threads = 1;
  options.intra_op_threads = 1;
  ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Session::Create(std::move(graph), options));
  std::vector<TensorName> fetches(grads.begin(), grads.end());
  ASSIGN_OR_RETURN(std::vector<Tensor> symbolic, session->Run(feeds, fetches));

  std::vector<double> errors;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (symbolic[i].shape() != inputs[i].value.shape()) {
      return absl::InternalError(absl::StrCat("gradient of x", i, " is ",
                                              symbolic[i].ShapeString(), ", x is ",
                                              inputs[i].value.ShapeString()));
    }
    double max_diff = 0, max_numeric = 0;
    for (int64_t j = 0; j < inputs[i].value.num_elements(); ++j) {
      const float x0 = inputs[i].value.data<float>()[j];
      auto moved_x = [&](double delta) { return static_cast<float>(x0 + delta); };
      auto loss_at = [&](double delta) -> absl::StatusOr<double> {
        Tensor x = *inputs[i].value.Clone(HostAllocator());
        x.data<float>()[j] = moved_x(delta);
        FeedList moved = feeds;
        moved[i].second = x;
        ASSIGN_OR_RETURN(std::vector<Tensor> out, session->Run(moved, {loss}));
        return static_cast<double>(out[0].scalar<float>());
      };
      // The step actually taken, after rounding x +- eps to float32.
      const double h = static_cast<double>(moved_x(eps)) - moved_x(-eps);
      ASSIGN_OR_RETURN(double up, loss_at(eps));
      ASSIGN_OR_RETURN(double down, loss_at(-eps));
      const double numeric = (up - down) / h;
      max_diff = std::max(max_diff, std::abs(numeric - symbolic[i].data<float>()[j]));
      max_numeric = std::max(max_numeric, std::abs(numeric));
    }
    errors.push_back(max_diff / std::max(max_numeric, 1e-6));
  }
  return errors;
}

void ExpectGradientsMatch(const GradientFn& f, std::vector<GradientInput> inputs, double eps,
                          double tolerance) {
  absl::StatusOr<std::vector<double>> errors = GradientErrors(f, std::move(inputs), eps);
  ASSERT_TRUE(errors.ok()) << errors.status();
  for (size_t i = 0; i < errors->size(); ++i) {
    EXPECT_LE((*errors)[i], tolerance) << "input " << i;
  }
}

}  // namespace graphrt::testing
