// Conformance of the training kernels (core/graph/ops/training_ops.h):
// ApplyMomentum (plain and Nesterov) and ApplyAdam run for ten steps on every
// device, the variable and its slots fetched after the last one and checked
// against references computed here in double from TF's formulas (and, off
// the CPU, against the CPU's result). Adam's beta powers are variables
// advanced every step, as MinimizeWithAdam does. See conformance.h.
#include <cmath>
#include <vector>

#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/training_ops.h"
#include "tests/kernels/conformance/conformance.h"

namespace graphrt::conformance {
namespace {

GRAPHRT_CONFORMANCE_SUITE(TrainingConformance);

constexpr int kSteps = 10;
// Ten steps of float32 updates (fused multiply-adds on the GPU) drift from
// the double reference by more than one elementwise op's rounding.
constexpr Tolerance kTenSteps = kAccumulating;

Tensor Zeros(const TensorShape& shape) {
  return MakeTensor(DataType::kFloat32, shape, [](int64_t) { return 0.0; });
}
std::vector<double> Values(const Tensor& t) {
  return std::vector<double>(t.flat<float>().begin(), t.flat<float>().end());
}
Tensor FromValues(const TensorShape& shape, const std::vector<double>& v) {
  return MakeTensor(DataType::kFloat32, shape, [&](int64_t i) { return v[i]; });
}

Case Momentum(bool nesterov) {
  const TensorShape shape{4, 5};
  const Tensor init = RandomTensor(shape, 31);
  const double lr = 0.05, momentum = 0.9;
  Case c;
  c.inputs = {Tensor::Scalar<float>(static_cast<float>(lr)), RandomTensor(shape, 32),
              Tensor::Scalar<float>(static_cast<float>(momentum))};
  c.build = [init, shape, nesterov](GraphBuilder& b, const Inputs& in) {
    Variable var = b.NewVariable("var", init);
    Variable accum = b.NewVariable("accum", Zeros(shape));
    ops::ApplyMomentum(var, accum, in[0], in[1], in[2], nesterov, "op");
    return Fetches{var.Read("read_var"), accum.Read("read_accum")};
  };
  c.steps = kSteps;
  std::vector<double> w = Values(init), a(w.size(), 0.0);
  const std::vector<double> g = Values(c.inputs[1]);
  for (int step = 0; step < kSteps; ++step) {
    for (size_t i = 0; i < w.size(); ++i) {
      a[i] = momentum * a[i] + g[i];
      w[i] -= nesterov ? lr * g[i] + lr * momentum * a[i] : lr * a[i];
    }
  }
  c.expected = {FromValues(shape, w), FromValues(shape, a)};
  c.tol = kTenSteps;
  return c;
}

TEST_P(TrainingConformance, ApplyMomentumTenSteps) { RunCase(Momentum(false)); }
TEST_P(TrainingConformance, ApplyMomentumNesterovTenSteps) { RunCase(Momentum(true)); }

TEST_P(TrainingConformance, ApplyAdamTenSteps) {
  const TensorShape shape{3, 7};
  const Tensor init = RandomTensor(shape, 33);
  const double lr = 0.01, beta1 = 0.9, beta2 = 0.99, epsilon = 1e-3;
  Case c;
  c.inputs = {Tensor::Scalar<float>(static_cast<float>(lr)),
              Tensor::Scalar<float>(static_cast<float>(beta1)),
              Tensor::Scalar<float>(static_cast<float>(beta2)),
              Tensor::Scalar<float>(static_cast<float>(epsilon)), RandomTensor(shape, 34)};
  c.build = [init, shape, beta1, beta2](GraphBuilder& b, const Inputs& in) {
    Variable var = b.NewVariable("var", init);
    Variable m = b.NewVariable("m", Zeros(shape));
    Variable v = b.NewVariable("v", Zeros(shape));
    Variable beta1_power = b.NewVariable("beta1_power", Tensor::Scalar<float>(beta1));
    Variable beta2_power = b.NewVariable("beta2_power", Tensor::Scalar<float>(beta2));
    Output p1 = beta1_power.Read("read_beta1_power");
    Output p2 = beta2_power.Read("read_beta2_power");
    ops::ApplyAdam(var, m, v, p1, p2, in[0], in[1], in[2], in[3], in[4], "op");
    beta1_power.Assign(p1 * in[1], "next_beta1_power");
    beta2_power.Assign(p2 * in[2], "next_beta2_power");
    // Fetching the powers after their update makes every step run it.
    return Fetches{var.Read("read_var"), m.Read("read_m"), v.Read("read_v"),
                   beta1_power.Read("read_next_beta1_power"),
                   beta2_power.Read("read_next_beta2_power")};
  };
  c.steps = kSteps;
  std::vector<double> w = Values(init), m(w.size(), 0.0), v(w.size(), 0.0);
  const std::vector<double> g = Values(c.inputs[4]);
  for (int t = 1; t <= kSteps; ++t) {
    const double lr_t = lr * std::sqrt(1 - std::pow(beta2, t)) / (1 - std::pow(beta1, t));
    for (size_t i = 0; i < w.size(); ++i) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + epsilon);
    }
  }
  c.expected = {FromValues(shape, w), FromValues(shape, m), FromValues(shape, v),
                Tensor::Scalar<float>(static_cast<float>(std::pow(beta1, kSteps + 1))),
                Tensor::Scalar<float>(static_cast<float>(std::pow(beta2, kSteps + 1)))};
  c.tol = kTenSteps;
  RunCase(c);
}

}  // namespace
}  // namespace graphrt::conformance
