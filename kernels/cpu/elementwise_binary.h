// Elementwise binary and ternary CPU kernels of core/graph/ops/elementwise_ops.h,
// with numpy broadcasting (RunBroadcast, kernels/cpu/cwise_binary.h).
//
// Kernels (registered by RegisterElementwiseBinaryKernels, kernels/cpu/register.h):
//   Minimum Pow FloorMod TruncateMod SquaredDifference
//                             T in {float32, float64, int8..int64, uint8..uint64};
//                             Minimum FloorMod TruncateMod also float16 (in float32)
//   PRelu                     T in {float32, float64, int8..int64}
//   LeftShift RightShift      T in {int8..int64, uint8..uint64}
//   Less LessEqual Greater GreaterEqual  T as Minimum's; output bool
//   NotEqual                  T as Minimum's or bool; output bool
//   LogicalAnd LogicalOr LogicalXor      bool
//   SelectV2(condition, t, e) any T: the three broadcast together
//
// Semantics:
//   - Minimum propagates NaN (as Maximum does); comparisons with NaN are
//     false (NotEqual: true).
//   - Pow: floats std::pow. Integers by repeated squaring, wrapping on
//     overflow; a negative exponent gives the truncated real result (1 for
//     base 1, +-1 for base -1, else 0).
//   - FloorMod: the remainder with the divisor's sign (Python's %, ONNX Mod
//     with fmod = 0, TF FloorMod); TruncateMod: the dividend's sign (C's
//     fmod, ONNX Mod with fmod = 1). Integer x % 0 is INVALID_ARGUMENT naming
//     the node, found before any output is written; INT_MIN % -1 is 0.
//   - SquaredDifference is (x - y)^2 (integers wrap).
//   - PRelu(x, slope) = x where x >= 0 else slope * x; slope broadcasts to
//     x's shape (ONNX's unidirectional broadcast): a slope that would widen
//     the output is INVALID_ARGUMENT.
//   - Shifts by a negative amount or by the type's width or more give 0
//     (RightShift of a negative signed value: -1); signed right shifts are
//     arithmetic.
//   - SelectV2 takes t where condition is true, e elsewhere.
//   - Work is split over the intra-op pool; same-typed outputs take over an
//     input's buffer when the executor allows it.
//
// Thread-safety: kernels keep no per-step state.
#ifndef GRAPHRT_KERNELS_CPU_ELEMENTWISE_BINARY_H_
#define GRAPHRT_KERNELS_CPU_ELEMENTWISE_BINARY_H_

#include "core/executor/kernel_registry.h"

namespace graphrt {

void RegisterElementwiseBinaryKernels(KernelRegistry& r);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_ELEMENTWISE_BINARY_H_
