// StatelessRandomUniformLike on the GPU, mirroring kernels/cpu/random_ops.cc
// bit for bit (the same Philox code; see kernels/gpu/random_kernels.h). The
// seed ([2], int32 or int64) is read by the kernel from device memory; like
// may be any GPU dtype (only its shape is read).
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/random_kernels.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

class UniformLikeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& seed = ctx.input(1);
    if (seed.shape() != TensorShape{2}) {
      return absl::InvalidArgumentError(absl::StrCat(
          "StatelessRandomUniformLike: seed must have shape [2], got ", seed.ShapeString()));
    }
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, ctx.input(0).shape()));
    LaunchUniform(seed.raw_data(), seed.dtype() == DataType::kInt64, out->device_data<float>(),
                  out->num_elements(), device->stream());
    return CheckLaunch("StatelessRandomUniformLike");
  }
};

}  // namespace

void RegisterRandomGpuKernels(KernelRegistry& r) {
  r.Register<UniformLikeOp>("StatelessRandomUniformLike", kDeviceGpu,
                            {{"T", GpuDataTypes()}, {"Tseed", {DataType::kInt32, DataType::kInt64}}});
}

}  // namespace graphrt
