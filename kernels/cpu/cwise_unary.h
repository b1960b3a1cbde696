// Elementwise unary CPU kernels, and the vectorised float maps behind them.
//
// Kernels (registered by RegisterCwiseUnaryKernels, kernels/cpu/register.h):
//   Neg, Relu               T in {float32, float64, int8, int16, int32, int64}
//   Exp, Log, Sigmoid, Tanh float32, float64 (<cmath> per element)
//   Sqrt, Rsqrt             float32, float64
//   Square                  T in {float32, int32, int64}
//
// Semantics:
//   - Integer Neg wraps (-INT_MIN is INT_MIN). Relu(x) is x < 0 ? 0 : x, so
//     Relu(NaN) is NaN.
//   - Exp, Log, Tanh follow IEEE at the edges (Exp(-inf) = 0, Exp(+inf) =
//     +inf, Log(0) = -inf, Log(x < 0) = NaN) with Eigen's vectorised
//     polynomials in between (a few ulp).
//   - Sigmoid is 1 / (1 + exp(-x)): exp overflowing to +inf gives 0, so it is
//     finite for every finite x (Sigmoid(-1000) = 0, Sigmoid(1000) = 1) and
//     keeps its relative accuracy for large negative x (Eigen's logistic
//     switches to exp(x) below -9, off by up to 1e-4 relative).
//   - Sqrt and Rsqrt are IEEE: Sqrt(-x) = NaN, Rsqrt(0) = +inf,
//     Rsqrt(+inf) = 0; Rsqrt is 1 / sqrt(x), two correctly rounded steps.
//     Integer Square wraps.
//   - The output takes over the input's buffer when the executor allows it.
//   - Work is split over the intra-op pool (about 1 ns per element for
//     Neg/Relu, 2-4 ns for the transcendental ones).
//
// The maps below are for other kernels that need the same numerics
// (Softmax, cross-entropy). `out` may equal `in`; they must not otherwise
// overlap. Thread-safe (pure functions).
#ifndef GRAPHRT_KERNELS_CPU_CWISE_UNARY_H_
#define GRAPHRT_KERNELS_CPU_CWISE_UNARY_H_

#include <cstdint>

namespace graphrt {

void ExpFloat(const float* in, float* out, int64_t n);
void LogFloat(const float* in, float* out, int64_t n);
void TanhFloat(const float* in, float* out, int64_t n);
void SigmoidFloat(const float* in, float* out, int64_t n);
void SqrtFloat(const float* in, float* out, int64_t n);
void RsqrtFloat(const float* in, float* out, int64_t n);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_CWISE_UNARY_H_
