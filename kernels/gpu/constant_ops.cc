// Const, Identity, NoOp and _Copy on the GPU. The first three are the CPU's
// kernels (kernels/cpu/constant_ops.h), registered here with the GPU's dtypes:
//   Const     float32: the "value" attr copied to device memory once, when
//             the kernel is made (OpKernelConstruction::CopyToDevice); every
//             step outputs that tensor (shared, so no one writes to it).
//   Identity  float32, int32, int64, uint8, bool: the input, shared.
//   NoOp      nothing.
//   _Copy     any dtype: input 0 from its source device (host memory or
//             another GPU device) into a buffer of this device, through
//             Device::CopyFrom (the device's copy streams, fenced against its
//             compute stream); zero-byte tensors copy nothing. A resource
//             handle is INVALID_ARGUMENT (as on the CPU: its users go with it).
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/cpu/constant_ops.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

class CopyOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    if (in.dtype() == DataType::kResource) {
      return absl::InvalidArgumentError(
          "a resource handle cannot be copied between devices; place its users with it");
    }
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, in.shape()));
    const size_t bytes = in.TotalBytes();
    if (bytes == 0) return absl::OkStatus();
    return device->CopyFrom(*ctx.source_device(), in.raw_data(), out->raw_data(), bytes);
  }
};

}  // namespace

void RegisterConstantGpuKernels(KernelRegistry& r) {
  r.Register<ConstOp>("Const", kDeviceGpu, {{"dtype", {DataType::kFloat32}}});
  r.Register<IdentityOp>("Identity", kDeviceGpu, {{"T", GpuDataTypes()}});
  r.Register<NoOpKernel>("NoOp", kDeviceGpu);
  r.Register<CopyOp>("_Copy", kDeviceGpu);
}

}  // namespace graphrt
