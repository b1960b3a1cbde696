#include "kernels/cpu/cwise_unary.h"

#include <cmath>
#include <type_traits>

#include "Eigen/Core"
#include "core/executor/op_kernel.h"
#include "core/base/status_macros.h"
#include "kernels/cpu/register.h"

namespace graphrt {

namespace {
using ConstMap = Eigen::Map<const Eigen::ArrayXf>;
using Map = Eigen::Map<Eigen::ArrayXf>;
}  // namespace

void ExpFloat(const float* in, float* out, int64_t n) { Map(out, n) = ConstMap(in, n).exp(); }

void LogFloat(const float* in, float* out, int64_t n) { Map(out, n) = ConstMap(in, n).log(); }

void TanhFloat(const float* in, float* out, int64_t n) { Map(out, n) = ConstMap(in, n).tanh(); }

void SigmoidFloat(const float* in, float* out, int64_t n) {
  // exp(-x) evaluated once per element; 1 / (1 + inf) = 0 for very negative x.
  Map(out, n) = (1.0f + (-ConstMap(in, n)).exp()).inverse();
}

void SqrtFloat(const float* in, float* out, int64_t n) { Map(out, n) = ConstMap(in, n).sqrt(); }

void RsqrtFloat(const float* in, float* out, int64_t n) {
  // Two correctly rounded steps, not Eigen's rsqrt (an approximation refined
  // once on some targets).
  Map(out, n) = ConstMap(in, n).sqrt().inverse();
}

namespace {

template <typename T>
struct SquareOp {
  static constexpr int64_t kCostNs = 1;
  static void Run(const T* in, T* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_integral_v<T>) {
        using U = std::make_unsigned_t<T>;  // wraps instead of overflowing
        out[i] = static_cast<T>(static_cast<U>(in[i]) * static_cast<U>(in[i]));
      } else {
        out[i] = in[i] * in[i];
      }
    }
  }
};

// Each op maps n elements from `in` to `out` (which may be `in`) and states
// its cost in ns per element for ParallelFor.
template <typename T>
struct NegOp {
  static constexpr int64_t kCostNs = 1;
  static void Run(const T* in, T* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_integral_v<T>) {
        using U = std::make_unsigned_t<T>;
        out[i] = static_cast<T>(U{0} - static_cast<U>(in[i]));
      } else {
        out[i] = -in[i];
      }
    }
  }
};

template <typename T>
struct ReluOp {
  static constexpr int64_t kCostNs = 1;
  static void Run(const T* in, T* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = in[i] < T{0} ? T{0} : in[i];
  }
};

template <void (*F)(const float*, float*, int64_t), int64_t kCost>
struct FloatOp {
  static constexpr int64_t kCostNs = kCost;
  static void Run(const float* in, float* out, int64_t n) { F(in, out, n); }
};

// The float64 versions, for imported models: <cmath> per element (correctly
// rounded or nearly so; float64 is rare on the hot path).
template <double (*F)(double)>
struct DoubleOp {
  static constexpr int64_t kCostNs = 10;
  static void Run(const double* in, double* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = F(in[i]);
  }
};

double ExpD(double x) { return std::exp(x); }
double LogD(double x) { return std::log(x); }
double TanhD(double x) { return std::tanh(x); }
double SigmoidD(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double SqrtD(double x) { return std::sqrt(x); }
double RsqrtD(double x) { return 1.0 / std::sqrt(x); }

template <typename Op, typename T>
class UnaryOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    ASSIGN_OR_RETURN(Tensor * y, ctx.forward_input_or_allocate_output(0, 0, x.shape()));
    const T* in = x.data<T>();
    T* out = y->data<T>();
    ctx.ParallelFor(x.num_elements(), Op::kCostNs,
                    [&](int64_t b, int64_t e) { Op::Run(in + b, out + b, e - b); });
    return absl::OkStatus();
  }
};

template <template <typename> class Op, typename... Ts>
void RegisterNumeric(KernelRegistry& r, const char* name) {
  (r.Register<UnaryOp<Op<Ts>, Ts>>(name, kDeviceCpu, {{"T", {DataTypeOf<Ts>()}}}), ...);
}

template <typename Op>
void RegisterFloat(KernelRegistry& r, const char* name) {
  r.Register<UnaryOp<Op, float>>(name, kDeviceCpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace

void RegisterCwiseUnaryKernels(KernelRegistry& r) {
  RegisterNumeric<NegOp, float, int32_t, int64_t>(r, "Neg");
  RegisterNumeric<ReluOp, float, int32_t, int64_t>(r, "Relu");
  RegisterFloat<FloatOp<ExpFloat, 2>>(r, "Exp");
  RegisterFloat<FloatOp<LogFloat, 2>>(r, "Log");
  RegisterFloat<FloatOp<TanhFloat, 2>>(r, "Tanh");
  RegisterFloat<FloatOp<SigmoidFloat, 3>>(r, "Sigmoid");
  RegisterFloat<FloatOp<SqrtFloat, 1>>(r, "Sqrt");
  RegisterFloat<FloatOp<RsqrtFloat, 1>>(r, "Rsqrt");
  RegisterNumeric<SquareOp, float, int32_t, int64_t>(r, "Square");
  // The other types of imported models (ONNX).
  RegisterNumeric<NegOp, double, int8_t, int16_t>(r, "Neg");
  RegisterNumeric<ReluOp, double, int8_t, int16_t>(r, "Relu");
  const auto f64 = [&]<typename Op>(const char* name) {
    r.Register<UnaryOp<Op, double>>(name, kDeviceCpu, {{"T", {DataType::kFloat64}}});
  };
  f64.operator()<DoubleOp<ExpD>>("Exp");
  f64.operator()<DoubleOp<LogD>>("Log");
  f64.operator()<DoubleOp<TanhD>>("Tanh");
  f64.operator()<DoubleOp<SigmoidD>>("Sigmoid");
  f64.operator()<DoubleOp<SqrtD>>("Sqrt");
  f64.operator()<DoubleOp<RsqrtD>>("Rsqrt");
}

}  // namespace graphrt
