// Elementwise binary CPU kernels with numpy broadcasting, and RunBroadcast,
// which runs any elementwise op over a broadcast plan
// (kernels/common/cwise_shape.h, shared with the GPU kernels).
//
// Kernels (registered by RegisterCwiseBinaryKernels, kernels/cpu/register.h):
//   Add Sub Mul Div Maximum  T in {float32, float64, int8..int64, uint8..uint64}, output T
//   Maximum                  also float16, computed in float32
//   Equal                    T as Add's, or bool; output bool
//   AddN                     N inputs of T in {float32, int32, int64}, output T
//   ReluGrad                 float32: gradients where features > 0, else 0
//
// Semantics:
//   - Shapes broadcast like numpy: aligned at the right, each pair of dims
//     equal or one of them 1, any ranks. Incompatible shapes are
//     INVALID_ARGUMENT naming both shapes. AddN broadcasts all N inputs
//     together (as its shape function does).
//   - Integer Add, Sub, Mul wrap (two's complement) on overflow. Integer Div
//     truncates toward zero (C++ and TF semantics), INT_MIN / -1 wraps to
//     INT_MIN, and a zero anywhere in the divisor is INVALID_ARGUMENT, found
//     before any output is written. Float ops follow IEEE (x/0 is +-inf,
//     0/0 is NaN); Maximum propagates NaN; Equal is false against NaN.
//   - The output takes over input 0's or input 1's buffer (AddN: input 0's)
//     when the executor allows it and that input has the output's element
//     count, so elementwise chains run without allocating.
//   - Work is split over the intra-op pool at about 1 ns per element.
//
// RunBroadcast<Op> runs any elementwise Op over a BroadcastPlan, split over
// the intra-op pool; other elementwise CPU kernels use it, and
// RunBroadcastCopy on it serves the kernels that only broadcast x
// (BroadcastLike, DynamicExpand).
//
// Thread-safety: kernels keep no per-step state; plans are plain values.
#ifndef GRAPHRT_KERNELS_CPU_CWISE_BINARY_H_
#define GRAPHRT_KERNELS_CPU_CWISE_BINARY_H_

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "core/executor/op_kernel.h"
#include "kernels/common/cwise_shape.h"

namespace graphrt {

// Runs out = Op(x, y) over `plan` on the intra-op pool. Op provides
//   using Out = ...;                       the output element type
//   static constexpr int64_t kCostNs;      ns per element, for ParallelFor
//   static Out Apply(T a, T b);
// x and y hold the plan's input shapes' elements; `out` the output's. `out`
// may be x or y when that input has the output's element count (each index
// is read before it is written); it must not otherwise overlap them.
template <typename Op, typename T, typename Out>
void RunBroadcast(const OpKernelContext& ctx, const BroadcastPlan& plan, const T* x,
                  const T* y, Out* out);

// out = x broadcast onto the plan's output, for kernels that only move
// elements (BroadcastLike, DynamicExpand). `plan` maps x and a scalar y (as
// BroadcastLikePlan's does) onto the output; y is never read. Elements move
// as unsigned integers of their width (Bits), so one instantiation serves
// every dtype of that size.
template <typename Bits>
void RunBroadcastCopy(const OpKernelContext& ctx, const BroadcastPlan& plan, const void* x,
                      void* out);

// Op<float> on float16 elements: each operand widened to float, the result
// rounded back to nearest even (float16 is storage only: core/graph/types.h).
template <template <typename> class Op>
struct HalfViaFloat {
  using Out = Float16;
  static constexpr int64_t kCostNs = 4 * Op<float>::kCostNs;
  static Float16 Apply(Float16 a, Float16 b) {
    return FloatToHalf(Op<float>::Apply(HalfToFloat(a), HalfToFloat(b)));
  }
};

// ---------------------------------------------------------------------------
// Implementation.

namespace cwise_internal {

// The unsigned type integer T's wrapping arithmetic runs in: T's width, but
// never narrower than unsigned int, since narrower operands are promoted to
// (signed) int, where 0xFFFF * 0xFFFF overflows (undefined behaviour).
template <typename T>
using WrapUnsigned = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned,
                                        std::make_unsigned_t<T>>;

// out[i] = Op(x[kX ? i : 0], y[kY ? i : 0]) for i < n: one plain loop per
// pattern, each vectorisable, with broadcast values loaded once.
template <typename Op, bool kX, bool kY, typename T, typename Out>
inline void Row(const T* x, const T* y, Out* out, int64_t n) {
  if constexpr (kX && kY) {
    for (int64_t i = 0; i < n; ++i) out[i] = Op::Apply(x[i], y[i]);
  } else if constexpr (kX) {
    const T b = *y;
    for (int64_t i = 0; i < n; ++i) out[i] = Op::Apply(x[i], b);
  } else if constexpr (kY) {
    const T a = *x;
    for (int64_t i = 0; i < n; ++i) out[i] = Op::Apply(a, y[i]);
  } else {
    const Out v = Op::Apply(*x, *y);
    for (int64_t i = 0; i < n; ++i) out[i] = v;
  }
}

// Elements [begin, end) of a kRepeatX / kRepeatY plan: the full input at i,
// the repeating one at i % period. A short period is first tiled into a
// buffer so that each Row covers many periods.
template <typename Op, bool kRepeatsX, typename T, typename Out>
void Repeat(const T* full, const T* repeating, int64_t period, Out* out, int64_t begin,
            int64_t end) {
  constexpr int64_t kTile = 1024;
  T tile[kTile];
  const T* pattern = repeating;
  int64_t len = period;
  if (period < kTile / 4) {
    len = kTile / period * period;
    for (int64_t i = 0; i < len; ++i) tile[i] = repeating[i % period];
    pattern = tile;
  }
  for (int64_t pos = begin, phase = begin % period; pos < end; phase = 0) {
    const int64_t n = std::min(end - pos, len - phase);
    if constexpr (kRepeatsX) {
      Row<Op, true, true>(pattern + phase, full + pos, out + pos, n);
    } else {
      Row<Op, true, true>(full + pos, pattern + phase, out + pos, n);
    }
    pos += n;
  }
}

// Elements [begin, end) of a kGeneral plan whose innermost strides are kX,
// kY (0 or 1): one Row per (part of a) row, found by an odometer over the
// outer collapsed dims. Rows are often short ([B,4] + [B,1]), so their
// loops carry no stride dispatch.
template <typename Op, bool kX, bool kY, typename T, typename Out>
void Strided(const BroadcastPlan& p, const T* x, const T* y, Out* out, int64_t begin,
             int64_t end) {
  const int last = static_cast<int>(p.dims.size()) - 1;
  const int64_t inner = p.dims[last];
  if (last == 1) {  // the common case, with no odometer to keep in memory
    const int64_t xs = p.x_strides[0], ys = p.y_strides[0];
    int64_t r = begin / inner, j = begin % inner;
    for (int64_t pos = begin; pos < end; ++r, j = 0) {
      const int64_t n = std::min(end - pos, inner - j);
      Row<Op, kX, kY>(x + r * xs + (kX ? j : 0), y + r * ys + (kY ? j : 0), out + pos, n);
      pos += n;
    }
    return;
  }
  DimVector idx(last + 1);
  int64_t xo = 0, yo = 0, rem = begin;
  for (int i = last; i >= 0; --i) {
    idx[i] = rem % p.dims[i];
    rem /= p.dims[i];
    xo += idx[i] * p.x_strides[i];
    yo += idx[i] * p.y_strides[i];
  }
  for (int64_t pos = begin; pos < end;) {
    const int64_t n = std::min(end - pos, inner - idx[last]);
    Row<Op, kX, kY>(x + xo, y + yo, out + pos, n);
    pos += n;
    // Back to the row's start, then carry into the outer dims.
    xo -= idx[last] * p.x_strides[last];
    yo -= idx[last] * p.y_strides[last];
    idx[last] = 0;
    for (int i = last - 1; i >= 0; --i) {
      ++idx[i];
      xo += p.x_strides[i];
      yo += p.y_strides[i];
      if (idx[i] < p.dims[i]) break;
      xo -= idx[i] * p.x_strides[i];
      yo -= idx[i] * p.y_strides[i];
      idx[i] = 0;
    }
  }
}

template <typename Op, bool kX, bool kY, typename T, typename Out>
void RunStrided(const OpKernelContext& ctx, const BroadcastPlan& p, const T* x, const T* y,
                Out* out) {
  ctx.ParallelFor(p.out_shape.num_elements(), Op::kCostNs,
                  [&](int64_t b, int64_t e) { Strided<Op, kX, kY>(p, x, y, out, b, e); });
}

// Copies x's element: the "op" of a broadcast whose second operand is unused.
template <typename T>
struct TakeFirst {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T a, T) { return a; }
};

}  // namespace cwise_internal

template <typename Op, typename T, typename Out>
void RunBroadcast(const OpKernelContext& ctx, const BroadcastPlan& p, const T* x, const T* y,
                  Out* out) {
  namespace ci = cwise_internal;
  using Kind = BroadcastPlan::Kind;
  const int64_t n = p.out_shape.num_elements();
  switch (p.kind) {
    case Kind::kEmpty:
      return;
    case Kind::kSame:
      return ctx.ParallelFor(n, Op::kCostNs, [&](int64_t b, int64_t e) {
        ci::Row<Op, true, true>(x + b, y + b, out + b, e - b);
      });
    case Kind::kScalarX:
      return ctx.ParallelFor(n, Op::kCostNs, [&](int64_t b, int64_t e) {
        ci::Row<Op, false, true>(x, y + b, out + b, e - b);
      });
    case Kind::kScalarY:
      return ctx.ParallelFor(n, Op::kCostNs, [&](int64_t b, int64_t e) {
        ci::Row<Op, true, false>(x + b, y, out + b, e - b);
      });
    case Kind::kRepeatX:
      return ctx.ParallelFor(n, Op::kCostNs, [&](int64_t b, int64_t e) {
        ci::Repeat<Op, true>(y, x, p.period, out, b, e);
      });
    case Kind::kRepeatY:
      return ctx.ParallelFor(n, Op::kCostNs, [&](int64_t b, int64_t e) {
        ci::Repeat<Op, false>(x, y, p.period, out, b, e);
      });
    case Kind::kGeneral: {
      const bool xs = p.x_strides.back() != 0, ys = p.y_strides.back() != 0;
      if (xs && ys) return ci::RunStrided<Op, true, true>(ctx, p, x, y, out);
      if (xs) return ci::RunStrided<Op, true, false>(ctx, p, x, y, out);
      if (ys) return ci::RunStrided<Op, false, true>(ctx, p, x, y, out);
      return ci::RunStrided<Op, false, false>(ctx, p, x, y, out);
    }
  }
}

template <typename Bits>
void RunBroadcastCopy(const OpKernelContext& ctx, const BroadcastPlan& plan, const void* x,
                      void* out) {
  const Bits unused{};
  RunBroadcast<cwise_internal::TakeFirst<Bits>>(ctx, plan, static_cast<const Bits*>(x), &unused,
                                                static_cast<Bits*>(out));
}

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_CWISE_BINARY_H_
