// BiasAdd and BiasAddGrad on the GPU, float32, mirroring
// kernels/cpu/bias_add_op.h (shape checks: kernels/common/bias_add_shape.h): value [..., C] + bias [C] (the output may take
// over value's buffer), and the sum of out_backprop over all but its last dim
// (accumulated in double on the GPU, in float on the CPU).
#include "core/base/status_macros.h"
#include "kernels/common/bias_add_shape.h"
#include "kernels/gpu/bias_kernels.h"
#include "kernels/gpu/fill.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/reduction_kernels.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

class BiasAddGpuOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& value = ctx.input(0);
    const Tensor& bias = ctx.input(1);
    RETURN_IF_ERROR(CheckBiasAddShapes(value, bias));
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    const float* in = value.device_data<float>();
    const float* b = bias.device_data<float>();
    const int64_t total = value.num_elements();
    ASSIGN_OR_RETURN(Tensor * out, ctx.forward_input_or_allocate_output(0, 0, value.shape()));
    if (total == 0) return absl::OkStatus();
    LaunchBiasAdd(in, b, out->device_data<float>(), total, bias.dim(0), device->stream());
    return CheckLaunch("BiasAdd");
  }
};

class BiasAddGradGpuOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& g = ctx.input(0);
    RETURN_IF_ERROR(CheckBiasAddGradShape(g));
    const int64_t channels = g.dim(g.rank() - 1);
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape{channels}));
    if (channels == 0) return absl::OkStatus();
    const int64_t rows = g.num_elements() / channels;
    if (rows == 0) {
      LaunchFill(out->device_data<float>(), channels, 0.0f, device->stream());
    } else {
      LaunchReduceMiddle(GpuReduceOp::kSum, g.device_data<float>(), 1, rows, channels,
                         out->device_data<float>(), device->stream());
    }
    return CheckLaunch("BiasAddGrad");
  }
};

}  // namespace

void RegisterBiasAddGpuKernels(KernelRegistry& r) {
  r.Register<BiasAddGpuOp>("BiasAdd", kDeviceGpu, {{"T", {DataType::kFloat32}}});
  r.Register<BiasAddGradGpuOp>("BiasAddGrad", kDeviceGpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
