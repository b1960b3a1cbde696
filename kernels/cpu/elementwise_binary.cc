#include "kernels/cpu/elementwise_binary.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/cwise_shape.h"
#include "kernels/cpu/cwise_binary.h"

namespace graphrt {
namespace {

// ---------------------------------------------------------------------------
// The operations, in RunBroadcast's form: Out, kCostNs, Apply(a, b). An op
// whose integer form divides sets kNeedsNonZero: its kernel checks y first.

template <typename T>
using Bits = std::make_unsigned_t<T>;

template <typename T>
struct MinimumOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T a, T b) { return (a < b || a != a) ? a : b; }  // NaN wins
};

template <typename T>
struct SquaredDifferenceOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      using U = cwise_internal::WrapUnsigned<T>;
      const U d = static_cast<U>(a) - static_cast<U>(b);
      return static_cast<T>(static_cast<U>(d * d));
    } else {
      return (a - b) * (a - b);
    }
  }
};

template <typename T>
struct PowOp {
  using Out = T;
  static constexpr int64_t kCostNs = 10;
  static T Apply(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      return std::pow(a, b);
    } else {
      if constexpr (std::is_signed_v<T>) {
        if (b < 0) {  // the real result a^b, truncated
          if (a == 1) return 1;
          if (a == -1) return (b & 1) ? T(-1) : T(1);
          return 0;
        }
      }
      // Repeated squaring in the unsigned type: overflow wraps.
      using U = cwise_internal::WrapUnsigned<T>;
      U base = static_cast<U>(a), result = 1;
      for (Bits<T> e = static_cast<Bits<T>>(b); e != 0; e >>= 1) {
        if (e & 1) result = static_cast<U>(result * base);
        base = static_cast<U>(base * base);
      }
      return static_cast<T>(result);
    }
  }
};

template <typename T>
struct TruncateModOp {
  using Out = T;
  static constexpr int64_t kCostNs = 4;
  static constexpr bool kNeedsNonZero = std::is_integral_v<T>;
  static T Apply(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      return std::fmod(a, b);
    } else {
      if constexpr (std::is_signed_v<T>) {
        if (b == -1) return 0;  // INT_MIN % -1 would trap
      }
      return static_cast<T>(a % b);
    }
  }
};

template <typename T>
struct FloorModOp {
  using Out = T;
  static constexpr int64_t kCostNs = 4;
  static constexpr bool kNeedsNonZero = std::is_integral_v<T>;
  static T Apply(T a, T b) {
    T r = TruncateModOp<T>::Apply(a, b);
    if constexpr (std::is_signed_v<T> || std::is_floating_point_v<T>) {
      if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
    }
    return r;
  }
};

template <typename T>
struct PReluOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T x, T slope) {
    if (!(x < T{0})) return x;
    if constexpr (std::is_integral_v<T>) {  // wraps, as Mul does
      using U = cwise_internal::WrapUnsigned<T>;
      return static_cast<T>(static_cast<U>(static_cast<U>(slope) * static_cast<U>(x)));
    } else {
      return slope * x;
    }
  }
};

// x < 0, written so that unsigned types draw no "always false" warning.
template <typename T>
constexpr bool Negative(T x) {
  if constexpr (std::is_signed_v<T>) {
    return x < 0;
  } else {
    return false;
  }
}

template <typename T>
struct LeftShiftOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T a, T b) {
    constexpr T kBits = sizeof(T) * 8;
    if (Negative(b) || b >= kBits) return 0;
    return static_cast<T>(static_cast<Bits<T>>(static_cast<Bits<T>>(a) << b));
  }
};

template <typename T>
struct RightShiftOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T a, T b) {
    constexpr T kBits = sizeof(T) * 8;
    if (Negative(b) || b >= kBits) return Negative(a) ? T(-1) : T(0);
    return static_cast<T>(a >> b);  // arithmetic for signed T (C++20)
  }
};

#define GRAPHRT_COMPARE_OP(Name, expr)         \
  template <typename T>                        \
  struct Name {                                \
    using Out = bool;                          \
    static constexpr int64_t kCostNs = 1;      \
    static bool Apply(T a, T b) { return expr; } \
  };
GRAPHRT_COMPARE_OP(LessOp, a < b)
GRAPHRT_COMPARE_OP(LessEqualOp, a <= b)
GRAPHRT_COMPARE_OP(GreaterOp, a > b)
GRAPHRT_COMPARE_OP(GreaterEqualOp, a >= b)
GRAPHRT_COMPARE_OP(NotEqualOp, a != b)
GRAPHRT_COMPARE_OP(LogicalAndOp, a && b)
GRAPHRT_COMPARE_OP(LogicalOrOp, a || b)
GRAPHRT_COMPARE_OP(LogicalXorOp, a != b)
#undef GRAPHRT_COMPARE_OP

template <typename Op>
constexpr bool NeedsNonZero() {
  if constexpr (requires { Op::kNeedsNonZero; }) {
    return Op::kNeedsNonZero;
  } else {
    return false;
  }
}

// ---------------------------------------------------------------------------
// The kernels.

template <typename Op, typename T>
class BinaryKernel final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  using Out = typename Op::Out;

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    ASSIGN_OR_RETURN(BroadcastPlan plan, MakeBinaryPlan(op(), x.shape(), y.shape()));
    if constexpr (std::is_same_v<Op, PReluOp<T>>) {
      if (plan.out_shape != x.shape()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "PRelu '", name(), "': slope ", y.ShapeString(), " must broadcast to x ",
            x.ShapeString(), " without widening it (ONNX's unidirectional broadcast)"));
      }
    }
    if constexpr (NeedsNonZero<Op>()) {
      const T* d = y.data<T>();
      const int64_t n = plan.kind == BroadcastPlan::Kind::kEmpty ? 0 : y.num_elements();
      const int64_t zero = std::find(d, d + n, T{0}) - d;
      if (zero < n) {
        return absl::InvalidArgumentError(absl::StrCat(
            op(), " '", name(), "': integer modulo by zero: the divisor y (", y.ShapeString(),
            ") holds a zero at flat index ", zero, "; guard the divisor or use floats"));
      }
    }
    const T* a = x.data<T>();
    const T* b = y.data<T>();
    Tensor* out = nullptr;
    if constexpr (std::is_same_v<Out, T>) {
      const int64_t n = plan.out_shape.num_elements();
      if (x.num_elements() == n) {
        ASSIGN_OR_RETURN(out, ctx.forward_input_or_allocate_output(0, 0, plan.out_shape));
      } else if (y.num_elements() == n) {
        ASSIGN_OR_RETURN(out, ctx.forward_input_or_allocate_output(1, 0, plan.out_shape));
      }
    }
    if (out == nullptr) {
      ASSIGN_OR_RETURN(out, ctx.allocate_output(0, plan.out_shape));
    }
    RunBroadcast<Op>(ctx, plan, a, b, out->data<Out>());
    return absl::OkStatus();
  }
};

// SelectV2: condition, t and e broadcast together, numpy-style.
struct Select3Plan {
  TensorShape out;
  DimVector dims;        // the output's dims
  DimVector strides[3];  // each input's element stride per output dim (0: broadcast)
};

absl::StatusOr<Select3Plan> PlanSelect(const OpKernel& k, const Tensor* in[3]) {
  int rank = 0;
  for (int i = 0; i < 3; ++i) rank = std::max(rank, in[i]->rank());
  Select3Plan p;
  p.dims.assign(rank, 1);
  for (int d = 0; d < rank; ++d) {
    for (int i = 0; i < 3; ++i) {
      const int k_axis = d - (rank - in[i]->rank());
      const int64_t size = k_axis < 0 ? 1 : in[i]->dim(k_axis);
      if (size == 1) continue;
      if (p.dims[d] != 1 && p.dims[d] != size) {
        return absl::InvalidArgumentError(absl::StrCat(
            "SelectV2 '", k.name(), "': condition ", in[0]->ShapeString(), ", t ",
            in[1]->ShapeString(), " and e ", in[2]->ShapeString(),
            " do not broadcast together (dims must match or be 1, aligned at the right)"));
      }
      p.dims[d] = size;
    }
  }
  p.out = TensorShape(std::vector<int64_t>(p.dims.begin(), p.dims.end()));
  for (int i = 0; i < 3; ++i) {
    p.strides[i].assign(rank, 0);
    int64_t stride = 1;
    for (int d = rank - 1; d >= rank - in[i]->rank(); --d) {
      const int64_t size = in[i]->dim(d - (rank - in[i]->rank()));
      p.strides[i][d] = size == 1 ? 0 : stride;
      stride *= size;
    }
  }
  return p;
}

template <typename T>
class SelectKernel final : public OpKernel {
 public:
  using OpKernel::OpKernel;

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor* in[3] = {&ctx.input(0), &ctx.input(1), &ctx.input(2)};
    ASSIGN_OR_RETURN(Select3Plan p, PlanSelect(*this, in));
    const bool* c = in[0]->data<bool>();
    const T* t = in[1]->data<T>();
    const T* e = in[2]->data<T>();
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, p.out));
    T* o = out->data<T>();
    const int64_t n = p.out.num_elements();
    if (in[0]->num_elements() == n && in[1]->num_elements() == n && in[2]->num_elements() == n) {
      ctx.ParallelFor(n, 1, [&](int64_t b, int64_t end) {
        // Both values loaded first: a select, not a branch on random conditions.
        for (int64_t i = b; i < end; ++i) {
          const T tv = t[i], ev = e[i];
          o[i] = c[i] ? tv : ev;
        }
      });
      return absl::OkStatus();
    }
    ctx.ParallelFor(n, 2, [&](int64_t b, int64_t end) { Strided(p, c, t, e, o, b, end); });
    return absl::OkStatus();
  }

 private:
  // Elements [begin, end) by an odometer over the output's dims.
  static void Strided(const Select3Plan& p, const bool* c, const T* t, const T* e, T* o,
                      int64_t begin, int64_t end) {
    const int rank = static_cast<int>(p.dims.size());
    if (rank == 0) {
      if (begin < end) o[0] = c[0] ? t[0] : e[0];
      return;
    }
    DimVector idx(rank, 0);
    int64_t off[3] = {0, 0, 0};
    for (int64_t d = rank - 1, rem = begin; d >= 0; --d) {
      idx[d] = rem % p.dims[d];
      rem /= p.dims[d];
      for (int i = 0; i < 3; ++i) off[i] += idx[d] * p.strides[i][d];
    }
    for (int64_t pos = begin; pos < end; ++pos) {
      const T tv = t[off[1]], ev = e[off[2]];
      o[pos] = c[off[0]] ? tv : ev;
      for (int d = rank - 1; d >= 0; --d) {
        ++idx[d];
        for (int i = 0; i < 3; ++i) off[i] += p.strides[i][d];
        if (idx[d] < p.dims[d]) break;
        for (int i = 0; i < 3; ++i) off[i] -= idx[d] * p.strides[i][d];
        idx[d] = 0;
      }
    }
  }
};

template <template <typename> class Op, typename... Ts>
void Register(KernelRegistry& r, const char* name) {
  (r.Register<BinaryKernel<Op<Ts>, Ts>>(name, kDeviceCpu, {{"T", {DataTypeOf<Ts>()}}}), ...);
}

template <template <typename> class Op>
void RegisterNumeric(KernelRegistry& r, const char* name) {
  Register<Op, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t,
           uint64_t>(r, name);
}

template <template <typename> class Op>
void RegisterHalf(KernelRegistry& r, const char* name) {
  r.Register<BinaryKernel<HalfViaFloat<Op>, Float16>>(name, kDeviceCpu,
                                                      {{"T", {DataType::kFloat16}}});
}

}  // namespace

void RegisterElementwiseBinaryKernels(KernelRegistry& r) {
  RegisterNumeric<MinimumOp>(r, "Minimum");
  RegisterNumeric<PowOp>(r, "Pow");
  RegisterNumeric<FloorModOp>(r, "FloorMod");
  RegisterNumeric<TruncateModOp>(r, "TruncateMod");
  RegisterHalf<MinimumOp>(r, "Minimum");
  RegisterHalf<FloorModOp>(r, "FloorMod");
  RegisterHalf<TruncateModOp>(r, "TruncateMod");
  RegisterNumeric<SquaredDifferenceOp>(r, "SquaredDifference");
  Register<PReluOp, float, double, int8_t, int16_t, int32_t, int64_t>(r, "PRelu");
  Register<LeftShiftOp, int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t,
           uint64_t>(r, "LeftShift");
  Register<RightShiftOp, int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t,
           uint64_t>(r, "RightShift");
  RegisterNumeric<LessOp>(r, "Less");
  RegisterNumeric<LessEqualOp>(r, "LessEqual");
  RegisterNumeric<GreaterOp>(r, "Greater");
  RegisterNumeric<GreaterEqualOp>(r, "GreaterEqual");
  RegisterNumeric<NotEqualOp>(r, "NotEqual");
  Register<NotEqualOp, bool>(r, "NotEqual");
  Register<LogicalAndOp, bool>(r, "LogicalAnd");
  Register<LogicalOrOp, bool>(r, "LogicalOr");
  Register<LogicalXorOp, bool>(r, "LogicalXor");
  const auto select = [&]<typename... Ts>() {
    (r.Register<SelectKernel<Ts>>("SelectV2", kDeviceCpu, {{"T", {DataTypeOf<Ts>()}}}), ...);
  };
  select.operator()<float, double, int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t,
                    uint32_t, uint64_t, bool, Float16>();
}

}  // namespace graphrt
