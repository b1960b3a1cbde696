// Elementwise unary CPU kernels of core/graph/ops/elementwise_ops.h: math,
// tests and activations for imported models (ONNX, TF/Keras), and the
// activations' backward ops.
//
// Kernels (registered by RegisterElementwiseUnaryKernels, kernels/cpu/register.h):
//   Reciprocal Erf Erfc Floor Ceil Round Sin Cos Tan Asin Acos Atan Sinh Cosh
//   Asinh Acosh Atanh Softplus Softsign HardSwish          float32, float64
//   LeakyRelu Elu Celu Selu HardSigmoid ThresholdedRelu Gelu float32, float64
//   Abs Sign                      float32, float64, int8..int64, uint8..uint64
//   IsNan IsInf                   float32, float64 -> bool
//   LogicalNot                    bool
//   LeakyReluGrad EluGrad SoftplusGrad  float32, float64 (two same-shaped inputs)
//
// Semantics (the ONNX operator spec's formulas; TF's where the op is TF's):
//   - Round is half to even (Round(2.5) = 2, Round(-0.5) = -0), as ONNX and TF.
//   - Sign(NaN) = NaN; Sign(+-0) = 0. Abs and Neg of the most negative integer
//     wrap to itself.
//   - Softplus(x) = log(1 + exp(x)), computed as x + log1p(exp(-x)) for x > 0
//     so that it never overflows (Softplus(1000) = 1000).
//   - Elu(x) = x for x > 0 else alpha * (exp(x) - 1); Celu(x) = max(0, x) +
//     min(0, alpha * (exp(x / alpha) - 1)); Selu(x) = gamma * (x for x > 0
//     else alpha * (exp(x) - 1)); HardSigmoid(x) = max(0, min(1, alpha * x +
//     beta)); HardSwish(x) = x * max(0, min(1, x / 6 + 1/2));
//     ThresholdedRelu(x) = x for x > alpha else 0; LeakyRelu(x) = x for x >= 0
//     else alpha * x; Softsign(x) = x / (1 + |x|).
//   - Gelu: approximate false: x / 2 * (1 + erf(x / sqrt(2))); true:
//     x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))) (TF's two forms).
//   - IsInf's detect_positive / detect_negative pick which infinities count.
//   - LeakyReluGrad(g, x) = g where x > 0 else alpha * g; EluGrad(g, y) = g
//     where y > 0 else g * (y + alpha); SoftplusGrad(g, x) = g * sigmoid(x).
//     Their inputs must have one shape: INVALID_ARGUMENT naming both otherwise.
//   - float32 LeakyRelu, Erf, Gelu and the plain maps (Abs, Floor, ...) are
//     simple loops or Eigen expressions that vectorise (Relu's speed, see
//     bench/RESULTS.md); Elu and Softplus are branch-free on Eigen's exp/log
//     but measured ~25x slower than Relu, cause not yet found; the rest
//     compute through <cmath> per element. Work is split
//     over the intra-op pool; the output takes over the input's buffer when
//     the executor allows it.
//
// Thread-safety: kernels keep only their attrs.
#ifndef GRAPHRT_KERNELS_CPU_ELEMENTWISE_UNARY_H_
#define GRAPHRT_KERNELS_CPU_ELEMENTWISE_UNARY_H_

#include "core/executor/kernel_registry.h"

namespace graphrt {

void RegisterElementwiseUnaryKernels(KernelRegistry& r);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_ELEMENTWISE_UNARY_H_
