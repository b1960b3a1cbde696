#include "kernels/cpu/cwise_binary.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <type_traits>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "core/executor/op_kernel.h"
#include "core/base/status_macros.h"
#include "kernels/cpu/register.h"

namespace graphrt {

namespace {

// ---------------------------------------------------------------------------
// The operations. Each has Apply(a, b), its result type Out and a cost in ns
// per element for ParallelFor.

template <typename T>
using Bits = std::make_unsigned_t<T>;

// f(a, b), through the unsigned type for integers so that overflow wraps.
template <typename T, typename F>
T Wrapping(T a, T b, F f) {
  if constexpr (std::is_integral_v<T>) {
    using U = cwise_internal::WrapUnsigned<T>;
    return static_cast<T>(static_cast<U>(f(static_cast<U>(a), static_cast<U>(b))));
  } else {
    return f(a, b);
  }
}

template <typename T>
struct AddOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T a, T b) { return Wrapping(a, b, std::plus<>()); }
};

template <typename T>
struct SubOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T a, T b) { return Wrapping(a, b, std::minus<>()); }
};

template <typename T>
struct MulOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T a, T b) { return Wrapping(a, b, std::multiplies<>()); }
};

// Float division. Integer Div kernels check the divisor first
// (CheckDivisor) and then run IntDivOp.
template <typename T>
struct DivOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T a, T b) { return a / b; }
};

// Integer division by a divisor holding no zero; kMinusOne: it may hold -1.
template <typename T, bool kMinusOne>
struct IntDivOp {
  using Out = T;
  static constexpr int64_t kCostNs = sizeof(T) == 4 ? 1 : 4;
  static T Apply(T a, T b) {
    if constexpr (kMinusOne && std::is_signed_v<T>) {
      // a / -1 is -a, wrapping: the hardware division would trap on INT_MIN.
      if (b == -1) return static_cast<T>(Bits<T>{0} - static_cast<Bits<T>>(a));
    }
    if constexpr (sizeof(T) == 4) {
      // Note [Exact int32 division in double]: the rounded double quotient
      // is within |a/b| * 2^-53 of the true one, less than 1/|b|, the least
      // distance from a non-integral a/b to an integer; so it never crosses
      // one and truncating it gives a / b exactly. Unlike integer division,
      // this vectorises (when no branch for -1 is needed).
      return static_cast<T>(static_cast<double>(a) / static_cast<double>(b));
    } else {
      return a / b;
    }
  }
};

template <typename T>
struct MaximumOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  // NaN in either operand gives NaN (a != a only for a NaN).
  static T Apply(T a, T b) { return (a > b || a != a) ? a : b; }
};

template <typename T>
struct EqualOp {
  using Out = bool;
  static constexpr int64_t kCostNs = 1;
  static bool Apply(T a, T b) { return a == b; }
};

// ReluGrad(gradients, features): the gradient where the feature is positive.
template <typename T>
struct ReluGradOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T g, T feature) { return feature > T{0} ? g : T{0}; }
};

// OK when `y` holds no zero, with whether it holds a -1; else
// INVALID_ARGUMENT naming the first zero.
template <typename T>
absl::StatusOr<bool> CheckDivisor(const Tensor& y) {
  const T* d = y.data<T>();
  const int64_t n = y.num_elements();
  int64_t zeros = 0, minus_ones = 0;
  for (int64_t i = 0; i < n; ++i) {
    zeros += d[i] == 0;
    if constexpr (std::is_signed_v<T>) minus_ones += d[i] == -1;
  }
  if (zeros == 0) return minus_ones > 0;
  return absl::InvalidArgumentError(absl::StrCat(
      "integer division by zero: the divisor y (", y.ShapeString(), ") holds ", zeros,
      " zero(s), the first at flat index ", std::find(d, d + n, T{0}) - d));
}

// The output, on input 0's or 1's buffer when one has the output's element
// count and dtype and looks unshared (the executor decides in the end).
// `take`: a forwarded input is moved out (take_input_or_allocate_output);
// the caller has read the inputs' data pointers already.
absl::StatusOr<Tensor*> ForwardOrAllocate(OpKernelContext& ctx, std::span<const int> candidates,
                                          const TensorShape& shape, bool take = false) {
  int fallback = -1;
  for (int i : candidates) {
    const Tensor& in = ctx.input(i);
    if (in.num_elements() != shape.num_elements()) continue;
    if (in.RefCountIsOne()) {
      return take ? ctx.take_input_or_allocate_output(i, 0, shape)
                  : ctx.forward_input_or_allocate_output(i, 0, shape);
    }
    if (fallback < 0) fallback = i;
  }
  if (fallback >= 0) return ctx.forward_input_or_allocate_output(fallback, 0, shape);
  return ctx.allocate_output(0, shape);
}

template <typename Op, typename T>
class BinaryOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    constexpr bool kIntDiv = std::is_same_v<Op, DivOp<T>> && std::is_integral_v<T>;
    constexpr bool kSameType = std::is_same_v<Out, T>;
    static constexpr int kBoth[] = {0, 1};
    const std::span<const int> candidates =
        kSameType ? std::span<const int>(kBoth) : std::span<const int>();
    if constexpr (!kIntDiv) {
      if (std::optional<absl::Status> done = SmallFastPath(ctx, x, y, candidates)) return *done;
    }
    absl::StatusOr<BroadcastPlan> plan = MakeBinaryPlan(op(), x.shape(), y.shape());
    if (!plan.ok()) return plan.status();
    bool minus_one = false;
    if constexpr (kIntDiv) {
      if (plan->kind != BroadcastPlan::Kind::kEmpty) {
        ASSIGN_OR_RETURN(minus_one, CheckDivisor<T>(y));
      }
    }
    ASSIGN_OR_RETURN(Tensor * out, ForwardOrAllocate(ctx, candidates, plan->out_shape));
    if constexpr (kIntDiv) {
      if (minus_one) {
        RunBroadcast<IntDivOp<T, true>>(ctx, *plan, x.data<T>(), y.data<T>(), out->data<Out>());
      } else {
        RunBroadcast<IntDivOp<T, false>>(ctx, *plan, x.data<T>(), y.data<T>(), out->data<Out>());
      }
    } else {
      RunBroadcast<Op>(ctx, *plan, x.data<T>(), y.data<T>(), out->data<Out>());
    }
    return absl::OkStatus();
  }

 private:
  using Out = typename Op::Out;
  // Note [Small elementwise fast path]
  // Rationale: for a few elements (a scalar Add chain, a bias on a short
  // vector) building a broadcast plan and going through ParallelFor cost
  // several times the arithmetic: perf put them at ~25% of a scalar Add's
  // time in BM_Executor_AddChain.
  // Approach: equal shapes or a rank-0 operand, at most kSmallElements
  // elements (far below ParallelFor's split threshold): one plain loop.
  // Limitations: a [1]-shaped operand and integer division take the general
  // path (the latter checks its divisor there).
  static constexpr int64_t kSmallElements = 4096;
  static std::optional<absl::Status> SmallFastPath(OpKernelContext& ctx, const Tensor& x,
                                                   const Tensor& y,
                                                   std::span<const int> candidates) {
    const bool same = x.shape() == y.shape();
    const bool y_scalar = !same && y.rank() == 0;
    const bool x_scalar = !same && !y_scalar && x.rank() == 0;
    if (!same && !y_scalar && !x_scalar) return std::nullopt;
    const TensorShape& shape = x_scalar ? y.shape() : x.shape();
    const int64_t n = shape.num_elements();
    if (n > kSmallElements) return std::nullopt;
    // Read before the output may take an input's buffer (and empty it).
    const T* a = x.data<T>();
    const T* b = y.data<T>();
    absl::StatusOr<Tensor*> out = ForwardOrAllocate(ctx, candidates, shape, /*take=*/true);
    if (!out.ok()) return out.status();
    Out* o = (*out)->template data<Out>();  // may alias a or b: same index only
    if (same) {
      cwise_internal::Row<Op, true, true>(a, b, o, n);
    } else if (y_scalar) {
      cwise_internal::Row<Op, true, false>(a, b, o, n);
    } else {
      cwise_internal::Row<Op, false, true>(a, b, o, n);
    }
    return absl::OkStatus();
  }
};

// AddN: all inputs broadcast together. Same-shaped inputs are summed in one
// blocked pass; otherwise out = x0 + x1, then out += xk, each a broadcast plan.
template <typename T>
class AddNOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const int num = ctx.num_inputs();
    ASSIGN_OR_RETURN(TensorShape shape, AddNShape(ctx));
    const int64_t n = shape.num_elements();
    bool same = true;
    for (int k = 0; k < num; ++k) same = same && ctx.input(k).num_elements() == n;
    // Only input 0 may be forwarded: it is read at each index before the
    // output is written there; later inputs are read after.
    static constexpr int kFirst[] = {0};
    ASSIGN_OR_RETURN(Tensor * out, ForwardOrAllocate(ctx, kFirst, shape));
    T* o = out->data<T>();
    if (num == 1) {
      if (!out->SharesBufferWith(ctx.input(0)) && n > 0) {
        std::memcpy(o, ctx.input(0).raw_data(), out->TotalBytes());
      }
      return absl::OkStatus();
    }
    if (same) {
      absl::InlinedVector<const T*, 8> in;
      for (int k = 0; k < num; ++k) in.push_back(ctx.input(k).data<T>());
      ctx.ParallelFor(n, num - 1, [&](int64_t begin, int64_t end) { SumBlocks(in, o, begin, end); });
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(BroadcastPlan first,
                     MakeBroadcastPlan(ctx.input(0).shape(), ctx.input(1).shape(), shape));
    RunBroadcast<AddOp<T>>(ctx, first, ctx.input(0).data<T>(), ctx.input(1).data<T>(), o);
    for (int k = 2; k < num; ++k) {
      ASSIGN_OR_RETURN(BroadcastPlan plan, MakeBroadcastPlan(shape, ctx.input(k).shape(), shape));
      RunBroadcast<AddOp<T>>(ctx, plan, static_cast<const T*>(o), ctx.input(k).data<T>(), o);
    }
    return absl::OkStatus();
  }

 private:
  // Blocks small enough that the output stays in L1 while each input is added.
  static void SumBlocks(std::span<const T* const> in, T* out, int64_t begin, int64_t end) {
    constexpr int64_t kBlock = 2048;
    for (int64_t b = begin; b < end; b += kBlock) {
      const int64_t m = std::min(kBlock, end - b);
      cwise_internal::Row<AddOp<T>, true, true>(in[0] + b, in[1] + b, out + b, m);
      for (size_t k = 2; k < in.size(); ++k) {
        cwise_internal::Row<AddOp<T>, true, true>(static_cast<const T*>(out + b), in[k] + b,
                                                   out + b, m);
      }
    }
  }
};

template <template <typename> class Op, typename... Ts>
void RegisterBinary(KernelRegistry& r, const char* name) {
  (r.Register<BinaryOp<Op<Ts>, Ts>>(name, kDeviceCpu, {{"T", {DataTypeOf<Ts>()}}}), ...);
}

}  // namespace

void RegisterCwiseBinaryKernels(KernelRegistry& r) {
  RegisterBinary<AddOp, float, int32_t, int64_t>(r, "Add");
  RegisterBinary<SubOp, float, int32_t, int64_t>(r, "Sub");
  RegisterBinary<MulOp, float, int32_t, int64_t>(r, "Mul");
  RegisterBinary<DivOp, float, int32_t, int64_t>(r, "Div");
  RegisterBinary<MaximumOp, float, int32_t, int64_t>(r, "Maximum");
  RegisterBinary<ReluGradOp, float>(r, "ReluGrad");
  RegisterBinary<EqualOp, float, int32_t, int64_t, uint8_t, bool>(r, "Equal");
  // The other real types, for imported models (ONNX).
  RegisterBinary<AddOp, double, int8_t, int16_t, uint8_t, uint16_t, uint32_t, uint64_t>(r, "Add");
  RegisterBinary<SubOp, double, int8_t, int16_t, uint8_t, uint16_t, uint32_t, uint64_t>(r, "Sub");
  RegisterBinary<MulOp, double, int8_t, int16_t, uint8_t, uint16_t, uint32_t, uint64_t>(r, "Mul");
  RegisterBinary<DivOp, double, int8_t, int16_t, uint8_t, uint16_t, uint32_t, uint64_t>(r, "Div");
  RegisterBinary<MaximumOp, double, int8_t, int16_t, uint8_t, uint16_t, uint32_t, uint64_t>(
      r, "Maximum");
  RegisterBinary<EqualOp, double, int8_t, int16_t, uint16_t, uint32_t, uint64_t>(r, "Equal");
  r.Register<BinaryOp<HalfViaFloat<MaximumOp>, Float16>>("Maximum", kDeviceCpu,
                                                          {{"T", {DataType::kFloat16}}});
  r.Register<AddNOp<float>>("AddN", kDeviceCpu, {{"T", {DataType::kFloat32}}});
  r.Register<AddNOp<int32_t>>("AddN", kDeviceCpu, {{"T", {DataType::kInt32}}});
  r.Register<AddNOp<int64_t>>("AddN", kDeviceCpu, {{"T", {DataType::kInt64}}});
}

}  // namespace graphrt
