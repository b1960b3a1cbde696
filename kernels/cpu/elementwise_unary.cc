#include "kernels/cpu/elementwise_unary.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "Eigen/Core"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "unsupported/Eigen/SpecialFunctions"

namespace graphrt {
namespace {

// The attrs an op may have, read once when the kernel is made; an op reads
// only its own (its OpDef gives each a default).
struct Params {
  float alpha = 0, beta = 0, gamma = 0;
  bool approximate = false;
  bool detect_positive = true, detect_negative = true;
};

Params ReadParams(const OpKernelConstruction& c) {
  Params p;
  p.alpha = c.attr<float>("alpha").value_or(p.alpha);
  p.beta = c.attr<float>("beta").value_or(p.beta);
  p.gamma = c.attr<float>("gamma").value_or(p.gamma);
  p.approximate = c.attr<bool>("approximate").value_or(p.approximate);
  p.detect_positive = c.attr<bool>("detect_positive").value_or(p.detect_positive);
  p.detect_negative = c.attr<bool>("detect_negative").value_or(p.detect_negative);
  return p;
}

using ConstMap = Eigen::Map<const Eigen::ArrayXf>;
using Map = Eigen::Map<Eigen::ArrayXf>;

// ---------------------------------------------------------------------------
// The operations. Each gives Apply(x, params) for one element, its output
// type Out and its cost in ns per element for ParallelFor; an op with a
// vectorised float32 form also gives RunFloat(in, out, n, params).

// Float32 through <cmath>'s float overloads; float64 through the double ones.
#define GRAPHRT_CMATH_OP(Name, fn, cost)                                         \
  template <typename T>                                                           \
  struct Name {                                                                   \
    using Out = T;                                                                \
    static constexpr int64_t kCostNs = cost;                                      \
    static T Apply(T x, const Params&) { return std::fn(x); }                     \
  };
GRAPHRT_CMATH_OP(SinOp, sin, 8)
GRAPHRT_CMATH_OP(CosOp, cos, 8)
GRAPHRT_CMATH_OP(TanOp, tan, 10)
GRAPHRT_CMATH_OP(AsinOp, asin, 10)
GRAPHRT_CMATH_OP(AcosOp, acos, 10)
GRAPHRT_CMATH_OP(AtanOp, atan, 10)
GRAPHRT_CMATH_OP(SinhOp, sinh, 10)
GRAPHRT_CMATH_OP(CoshOp, cosh, 10)
GRAPHRT_CMATH_OP(AsinhOp, asinh, 10)
GRAPHRT_CMATH_OP(AcoshOp, acosh, 10)
GRAPHRT_CMATH_OP(AtanhOp, atanh, 10)
GRAPHRT_CMATH_OP(ErfcOp, erfc, 10)
GRAPHRT_CMATH_OP(FloorOp, floor, 1)
GRAPHRT_CMATH_OP(CeilOp, ceil, 1)
// nearbyint rounds in the current mode, round-to-nearest-even by default
// (std::round would round halves away from zero).
GRAPHRT_CMATH_OP(RoundOp, nearbyint, 1)
#undef GRAPHRT_CMATH_OP

// Note [Vectorised expm1 and log1p]
// Rationale: Eigen 3.4 evaluates float expm1(), log1p() and select() one
// element at a time (perf: Elu at ~40 M elements/s against Relu's ~1 G/s),
// while its exp(), log(), min() and max() are vectorised.
// Approach: branch-free forms on those. Kahan's: with u = exp(x),
// expm1(x) = x * (u - 1) / log(u); with u = 1 + e, log1p(e) = e * log(u) /
// (u - 1). A tiny term in both parts of each ratio makes it 1 where u
// rounds to 1 (and changes nothing elsewhere), so tiny x and e keep their
// relative accuracy with no select.
// Limitations: ExpMinusOne takes x <= 0 only (Elu's negative side), clamped
// at -80 where expm1 is -1 in float32; the float64 kernels use <cmath>.
constexpr float kTiny = 1e-30f;
// Both evaluate into arrays (no expression outlives the locals it reads).
Eigen::ArrayXf ExpMinusOne(const Eigen::ArrayXf& x_nonpositive) {
  const Eigen::ArrayXf x = x_nonpositive.max(-80.0f);
  const Eigen::ArrayXf u = x.exp();
  return x * (((u - 1.0f) + kTiny) / (u.log() + kTiny));
}
// log(1 + e) for e >= 0.
Eigen::ArrayXf LogOnePlus(const Eigen::ArrayXf& e) {
  const Eigen::ArrayXf u = e + 1.0f;
  return e * ((u.log() + kTiny) / ((u - 1.0f) + kTiny));
}

template <typename T>
struct ErfOp {
  using Out = T;
  static constexpr int64_t kCostNs = 3;
  static T Apply(T x, const Params&) { return std::erf(x); }
  static void RunFloat(const float* in, float* out, int64_t n, const Params&) {
    Map(out, n) = ConstMap(in, n).erf();
  }
};

template <typename T>
struct ReciprocalOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T x, const Params&) { return T{1} / x; }
};

template <typename T>
struct AbsOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T x, const Params&) {
    if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else if constexpr (std::is_integral_v<T>) {
      // Through the unsigned type: |INT_MIN| wraps to INT_MIN.
      using U = std::make_unsigned_t<T>;
      return x < 0 ? static_cast<T>(U{0} - static_cast<U>(x)) : x;
    } else {
      return std::fabs(x);
    }
  }
};

template <typename T>
struct SignOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T x, const Params&) {
    if constexpr (std::is_floating_point_v<T>) {
      if (x != x) return x;  // NaN stays NaN
    }
    return static_cast<T>((T{0} < x) - (x < T{0}));
  }
};

template <typename T>
struct IsNanOp {
  using Out = bool;
  static constexpr int64_t kCostNs = 1;
  static bool Apply(T x, const Params&) { return x != x; }
};

template <typename T>
struct IsInfOp {
  using Out = bool;
  static constexpr int64_t kCostNs = 1;
  static bool Apply(T x, const Params& p) {
    constexpr T kInf = std::numeric_limits<T>::infinity();
    return (p.detect_positive && x == kInf) || (p.detect_negative && x == -kInf);
  }
};

template <typename T>
struct LogicalNotOp {
  using Out = bool;
  static constexpr int64_t kCostNs = 1;
  static bool Apply(bool x, const Params&) { return !x; }
};

template <typename T>
struct LeakyReluOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T x, const Params& p) { return x < T{0} ? static_cast<T>(p.alpha) * x : x; }
};

template <typename T>
struct EluOp {
  using Out = T;
  static constexpr int64_t kCostNs = 3;
  static T Apply(T x, const Params& p) {
    return x > T{0} ? x : static_cast<T>(p.alpha) * std::expm1(x);
  }
  static void RunFloat(const float* in, float* out, int64_t n, const Params& p) {
    const ConstMap x(in, n);
    // max(x, 0) + alpha * expm1(min(x, 0)): one side is 0 (Note [Vectorised expm1 and log1p]).
    Map(out, n) = x.max(0.0f) + p.alpha * ExpMinusOne(x.min(0.0f));
  }
};

template <typename T>
struct CeluOp {
  using Out = T;
  static constexpr int64_t kCostNs = 4;
  static T Apply(T x, const Params& p) {
    const T a = static_cast<T>(p.alpha);
    return std::max(T{0}, x) + std::min(T{0}, a * std::expm1(x / a));
  }
};

template <typename T>
struct SeluOp {
  using Out = T;
  static constexpr int64_t kCostNs = 3;
  static T Apply(T x, const Params& p) {
    const T v = x > T{0} ? x : static_cast<T>(p.alpha) * std::expm1(x);
    return static_cast<T>(p.gamma) * v;
  }
};

// max(x, 0) + log1p(exp(-|x|)): log(1 + exp(x)) with no overflow for large x.
template <typename T>
struct SoftplusOp {
  using Out = T;
  static constexpr int64_t kCostNs = 4;
  static T Apply(T x, const Params&) {
    return std::max(x, T{0}) + std::log1p(std::exp(-std::fabs(x)));
  }
  static void RunFloat(const float* in, float* out, int64_t n, const Params&) {
    const ConstMap x(in, n);
    Map(out, n) = x.max(0.0f) + LogOnePlus((-x.abs()).exp());
  }
};

template <typename T>
struct SoftsignOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T x, const Params&) { return x / (T{1} + std::fabs(x)); }
};

template <typename T>
struct HardSigmoidOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T x, const Params& p) {
    const T v = static_cast<T>(p.alpha) * x + static_cast<T>(p.beta);
    return std::min(T{1}, std::max(T{0}, v));
  }
};

template <typename T>
struct HardSwishOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T x, const Params&) {
    return x * std::min(T{1}, std::max(T{0}, x / T{6} + T{0.5}));
  }
};

template <typename T>
struct ThresholdedReluOp {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T x, const Params& p) { return x > static_cast<T>(p.alpha) ? x : T{0}; }
};

template <typename T>
struct GeluOp {
  using Out = T;
  static constexpr int64_t kCostNs = 5;
  static constexpr double kSqrt2OverPi = 0.79788456080286535588;
  static constexpr double kSqrtHalf = 0.70710678118654752440;
  static T Apply(T x, const Params& p) {
    if (p.approximate) {
      const T inner = static_cast<T>(kSqrt2OverPi) * (x + T{0.044715} * x * x * x);
      return T{0.5} * x * (T{1} + std::tanh(inner));
    }
    return T{0.5} * x * (T{1} + std::erf(x * static_cast<T>(kSqrtHalf)));
  }
  static void RunFloat(const float* in, float* out, int64_t n, const Params& p) {
    const ConstMap x(in, n);
    if (p.approximate) {
      const float c = static_cast<float>(kSqrt2OverPi);
      Map(out, n) = 0.5f * x * (1.0f + (c * (x + 0.044715f * x.cube())).tanh());
    } else {
      Map(out, n) = 0.5f * x * (1.0f + (x * static_cast<float>(kSqrtHalf)).erf());
    }
  }
};

// The backward ops: Apply(gradient, feature or output, params).
template <typename T>
struct LeakyReluGradOp {
  static constexpr int64_t kCostNs = 1;
  static T Apply(T g, T x, const Params& p) { return x > T{0} ? g : static_cast<T>(p.alpha) * g; }
};

template <typename T>
struct EluGradOp {
  static constexpr int64_t kCostNs = 1;
  static T Apply(T g, T y, const Params& p) {
    return y > T{0} ? g : g * (y + static_cast<T>(p.alpha));
  }
};

template <typename T>
struct SoftplusGradOp {
  static constexpr int64_t kCostNs = 3;
  static T Apply(T g, T x, const Params&) { return g / (T{1} + std::exp(-x)); }
};

// ---------------------------------------------------------------------------
// The kernels.

template <typename Op, typename T>
class MapKernel final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  using Out = typename Op::Out;

  absl::Status Init(const OpKernelConstruction& c) {
    params_ = ReadParams(c);
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor* y = nullptr;
    if constexpr (std::is_same_v<Out, T>) {
      ASSIGN_OR_RETURN(y, ctx.forward_input_or_allocate_output(0, 0, x.shape()));
    } else {
      ASSIGN_OR_RETURN(y, ctx.allocate_output(0, x.shape()));
    }
    const T* in = x.data<T>();
    Out* out = y->data<Out>();  // may be `in`: each index is read, then written
    ctx.ParallelFor(x.num_elements(), Op::kCostNs,
                    [&](int64_t b, int64_t e) { Run(in + b, out + b, e - b); });
    return absl::OkStatus();
  }

 private:
  void Run(const T* in, Out* out, int64_t n) const {
    const Params p = params_;  // a local, so the loop keeps it in registers
    if constexpr (std::is_same_v<T, float> &&
                  requires(const float* i, float* o) { Op::RunFloat(i, o, n, p); }) {
      Op::RunFloat(in, out, n, p);
    } else {
      for (int64_t i = 0; i < n; ++i) out[i] = Op::Apply(in[i], p);
    }
  }

  Params params_;
};

template <typename Op, typename T>
class GradKernel final : public OpKernel {
 public:
  using OpKernel::OpKernel;

  absl::Status Init(const OpKernelConstruction& c) {
    params_ = ReadParams(c);
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& g = ctx.input(0);
    const Tensor& v = ctx.input(1);
    if (g.shape() != v.shape()) {
      return absl::InvalidArgumentError(
          absl::StrCat(op(), " '", name(), "': gradients ", g.ShapeString(),
                       " and its second input ", v.ShapeString(),
                       " must have the same shape (the forward op's)"));
    }
    const T* gd = g.data<T>();
    const T* vd = v.data<T>();
    ASSIGN_OR_RETURN(Tensor * out, ctx.forward_input_or_allocate_output(0, 0, g.shape()));
    T* o = out->data<T>();
    const Params p = params_;
    ctx.ParallelFor(g.num_elements(), Op::kCostNs, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) o[i] = Op::Apply(gd[i], vd[i], p);
    });
    return absl::OkStatus();
  }

 private:
  Params params_;
};

template <template <typename> class Op, typename... Ts>
void Register(KernelRegistry& r, const char* name) {
  (r.Register<MapKernel<Op<Ts>, Ts>>(name, kDeviceCpu, {{"T", {DataTypeOf<Ts>()}}}), ...);
}

template <template <typename> class Op>
void RegisterFloats(KernelRegistry& r, const char* name) {
  Register<Op, float, double>(r, name);
}

template <template <typename> class Op>
void RegisterGrad(KernelRegistry& r, const char* name) {
  r.Register<GradKernel<Op<float>, float>>(name, kDeviceCpu, {{"T", {DataType::kFloat32}}});
  r.Register<GradKernel<Op<double>, double>>(name, kDeviceCpu, {{"T", {DataType::kFloat64}}});
}

}  // namespace

void RegisterElementwiseUnaryKernels(KernelRegistry& r) {
  RegisterFloats<ReciprocalOp>(r, "Reciprocal");
  RegisterFloats<ErfOp>(r, "Erf");
  RegisterFloats<ErfcOp>(r, "Erfc");
  RegisterFloats<FloorOp>(r, "Floor");
  RegisterFloats<CeilOp>(r, "Ceil");
  RegisterFloats<RoundOp>(r, "Round");
  RegisterFloats<SinOp>(r, "Sin");
  RegisterFloats<CosOp>(r, "Cos");
  RegisterFloats<TanOp>(r, "Tan");
  RegisterFloats<AsinOp>(r, "Asin");
  RegisterFloats<AcosOp>(r, "Acos");
  RegisterFloats<AtanOp>(r, "Atan");
  RegisterFloats<SinhOp>(r, "Sinh");
  RegisterFloats<CoshOp>(r, "Cosh");
  RegisterFloats<AsinhOp>(r, "Asinh");
  RegisterFloats<AcoshOp>(r, "Acosh");
  RegisterFloats<AtanhOp>(r, "Atanh");
  RegisterFloats<SoftplusOp>(r, "Softplus");
  RegisterFloats<SoftsignOp>(r, "Softsign");
  RegisterFloats<HardSwishOp>(r, "HardSwish");
  RegisterFloats<LeakyReluOp>(r, "LeakyRelu");
  RegisterFloats<EluOp>(r, "Elu");
  RegisterFloats<CeluOp>(r, "Celu");
  RegisterFloats<SeluOp>(r, "Selu");
  RegisterFloats<HardSigmoidOp>(r, "HardSigmoid");
  RegisterFloats<ThresholdedReluOp>(r, "ThresholdedRelu");
  RegisterFloats<GeluOp>(r, "Gelu");
  RegisterFloats<IsNanOp>(r, "IsNan");
  RegisterFloats<IsInfOp>(r, "IsInf");
  Register<AbsOp, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t,
           uint64_t>(r, "Abs");
  Register<SignOp, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t,
           uint32_t, uint64_t>(r, "Sign");
  Register<LogicalNotOp, bool>(r, "LogicalNot");
  RegisterGrad<LeakyReluGradOp>(r, "LeakyReluGrad");
  RegisterGrad<EluGradOp>(r, "EluGrad");
  RegisterGrad<SoftplusGradOp>(r, "SoftplusGrad");
}

}  // namespace graphrt
