// Cast on the GPU between float32, int32, int64, uint8 and bool (attrs SrcT,
// DstT), with the CPU's conversion rules (kernels/cpu/cast_op.h) and the
// shared type checks and messages (kernels/common/cast_types.h); SrcT ==
// DstT outputs the input itself.
#include <optional>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/common/cast_types.h"
#include "kernels/gpu/cast_kernels.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

std::optional<GpuCastType> ToCastType(DataType t) {
  switch (t) {
    case DataType::kFloat32: return GpuCastType::kFloat32;
    case DataType::kInt32: return GpuCastType::kInt32;
    case DataType::kInt64: return GpuCastType::kInt64;
    case DataType::kUint8: return GpuCastType::kUint8;
    case DataType::kBool: return GpuCastType::kBool;
    default: return std::nullopt;
  }
}

class CastOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(src_, c.attr<DataType>("SrcT"));
    ASSIGN_OR_RETURN(DataType dst, c.attr<DataType>("DstT"));
    // The CPU's check and message first; the GPU converts fewer types (it is
    // registered only for GpuDataTypes(), so others are placed on the CPU).
    RETURN_IF_ERROR(CheckCastTypes(src_, dst));
    const std::optional<GpuCastType> src = ToCastType(src_), to = ToCastType(dst);
    if (!src || !to) {
      return absl::UnimplementedError(absl::StrCat("no GPU cast from ", DataTypeName(src_),
                                                   " to ", DataTypeName(dst),
                                                   "; place this Cast on the CPU"));
    }
    gpu_src_ = *src;
    gpu_dst_ = *to;
    identity_ = src_ == dst;
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    RETURN_IF_ERROR(CheckCastInput(x, src_));
    if (identity_) return ctx.set_output(0, x);
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.shape()));
    const int64_t n = x.num_elements();
    if (n == 0) return absl::OkStatus();
    LaunchCast(gpu_src_, gpu_dst_, x.raw_data(), y->raw_data(), n, device->stream());
    return CheckLaunch("Cast");
  }

 private:
  DataType src_ = DataType::kInvalid;
  GpuCastType gpu_src_ = GpuCastType::kFloat32;
  GpuCastType gpu_dst_ = GpuCastType::kFloat32;
  bool identity_ = false;
};

}  // namespace

void RegisterCastGpuKernels(KernelRegistry& r) {
  r.Register<CastOp>("Cast", kDeviceGpu, {{"SrcT", GpuDataTypes()}, {"DstT", GpuDataTypes()}});
}

}  // namespace graphrt
