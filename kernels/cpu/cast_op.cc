#include "kernels/cpu/cast_op.h"

#include <limits>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "core/executor/op_kernel.h"
#include "core/base/status_macros.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

template <typename To, typename F>
To FloatToInt(F x) {
  // The range bounds in F: -min is 2^(bits-1), max+1 is 2^bits, both exact.
  constexpr F kLo = static_cast<F>(std::numeric_limits<To>::min());
  constexpr F kHiExclusive =
      std::is_signed_v<To> ? -kLo : static_cast<F>(std::numeric_limits<To>::max()) + F{1};
  if (!(x == x)) return To{0};
  if (x >= kHiExclusive) return std::numeric_limits<To>::max();
  if (x <= kLo) return std::numeric_limits<To>::min();
  return static_cast<To>(x);
}

template <typename From, typename To>
To Convert(From x) {
  if constexpr (std::is_same_v<From, Float16>) {  // half math goes through float
    return Convert<float, To>(HalfToFloat(x));
  } else if constexpr (std::is_same_v<To, Float16>) {
    return FloatToHalf(Convert<From, float>(x));
  } else if constexpr (std::is_same_v<To, bool>) {
    return x != From{0};
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    return FloatToInt<To, From>(x);
  } else if constexpr (std::is_integral_v<From> && std::is_integral_v<To> &&
                       !std::is_same_v<From, bool>) {
    // Modulo 2^bits, through the unsigned type (defined for every value).
    return static_cast<To>(static_cast<std::make_unsigned_t<To>>(x));
  } else {
    return static_cast<To>(x);
  }
}

template <typename From, typename To>
void CastRange(const void* in, void* out, int64_t begin, int64_t end) {
  const From* src = static_cast<const From*>(in);
  To* dst = static_cast<To*>(out);
  for (int64_t i = begin; i < end; ++i) dst[i] = Convert<From, To>(src[i]);
}

template <typename From>
CastFn CastFrom(DataType dst) {
  return VisitElementType<CastFn>(
      dst, []<typename To>() -> CastFn { return CastRange<From, To>; }, nullptr);
}

class CastOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(src_, c.attr<DataType>("SrcT"));
    ASSIGN_OR_RETURN(DataType dst, c.attr<DataType>("DstT"));
    ASSIGN_OR_RETURN(fn_, GetCastFn(src_, dst));
    identity_ = src_ == dst;
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    RETURN_IF_ERROR(CheckCastInput(x, src_));
    if (identity_) return ctx.set_output(0, x);
    ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.shape()));
    const void* in = x.raw_data();
    void* out = y->raw_data();
    ctx.ParallelFor(x.num_elements(), 1, [&](int64_t b, int64_t e) { fn_(in, out, b, e); });
    return absl::OkStatus();
  }

 private:
  DataType src_ = DataType::kInvalid;
  CastFn fn_ = nullptr;
  bool identity_ = false;
};

}  // namespace

absl::StatusOr<CastFn> GetCastFn(DataType src, DataType dst) {
  RETURN_IF_ERROR(CheckCastTypes(src, dst));
  CastFn fn = VisitElementType<CastFn>(
      src, [dst]<typename From>() { return CastFrom<From>(dst); }, nullptr);
  if (fn == nullptr) {  // CheckCastTypes and the switches above disagree
    return absl::InternalError(absl::StrCat("no CPU cast from ", DataTypeName(src), " to ",
                                            DataTypeName(dst)));
  }
  return fn;
}

void RegisterCastKernels(KernelRegistry& r) {
  const std::vector<DataType> all = CastTypes();
  r.Register<CastOp>("Cast", kDeviceCpu, {{"SrcT", all}, {"DstT", all}});
}

}  // namespace graphrt
