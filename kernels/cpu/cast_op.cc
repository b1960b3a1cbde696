#include "kernels/cpu/cast_op.h"

#include <limits>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "core/executor/op_kernel.h"
#include "core/base/status_macros.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

template <typename To>
To FloatToInt(float x) {
  // The range bounds as floats: -min is 2^(bits-1) (or 2^8 for uint8), exact.
  constexpr float kLo = static_cast<float>(std::numeric_limits<To>::min());
  constexpr float kHiExclusive =
      std::is_signed_v<To> ? -kLo : static_cast<float>(std::numeric_limits<To>::max()) + 1.0f;
  if (!(x == x)) return To{0};
  if (x >= kHiExclusive) return std::numeric_limits<To>::max();
  if (x <= kLo) return std::numeric_limits<To>::min();
  return static_cast<To>(x);
}

template <typename From, typename To>
To Convert(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From{0};
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    return FloatToInt<To>(x);
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
  switch (dst) {
    case DataType::kFloat32: return CastRange<From, float>;
    case DataType::kInt32: return CastRange<From, int32_t>;
    case DataType::kInt64: return CastRange<From, int64_t>;
    case DataType::kUint8: return CastRange<From, uint8_t>;
    case DataType::kBool: return CastRange<From, bool>;
    default: return nullptr;
  }
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
  CastFn fn = nullptr;
  switch (src) {
    case DataType::kFloat32: fn = CastFrom<float>(dst); break;
    case DataType::kInt32: fn = CastFrom<int32_t>(dst); break;
    case DataType::kInt64: fn = CastFrom<int64_t>(dst); break;
    case DataType::kUint8: fn = CastFrom<uint8_t>(dst); break;
    case DataType::kBool: fn = CastFrom<bool>(dst); break;
    default: break;
  }
  if (fn == nullptr) {  // CheckCastTypes and the switches above disagree
    return absl::InternalError(absl::StrCat("no CPU cast from ", DataTypeName(src), " to ",
                                            DataTypeName(dst)));
  }
  return fn;
}

void RegisterCastKernels(KernelRegistry& r) {
  const std::vector<DataType> all = {DataType::kFloat32, DataType::kInt32, DataType::kInt64,
                                     DataType::kUint8, DataType::kBool};
  r.Register<CastOp>("Cast", kDeviceCpu, {{"SrcT", all}, {"DstT", all}});
}

}  // namespace graphrt
