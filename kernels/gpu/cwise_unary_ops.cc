// Elementwise unary GPU kernels, float32, mirroring kernels/cpu/cwise_unary.h:
// Neg Relu Exp Log Tanh Sigmoid Sqrt Rsqrt Square. The output takes over the input's buffer
// when the executor allows it. Sigmoid is 1 / (1 + exp(-x)) (0 for very
// negative x), as on the CPU; accuracy is CUDA's expf/logf/tanhf (a few ulp).
#include "core/base/status_macros.h"
#include "kernels/gpu/cwise_kernels.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

template <GpuUnaryOp kOp>
class UnaryOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    const float* in = x.device_data<float>();
    const int64_t n = x.num_elements();
    ASSIGN_OR_RETURN(Tensor * y, ctx.forward_input_or_allocate_output(0, 0, x.shape()));
    if (n == 0) return absl::OkStatus();
    LaunchUnary(kOp, in, y->device_data<float>(), n, device->stream());
    return CheckLaunch(op().c_str());
  }
};

}  // namespace

void RegisterCwiseUnaryGpuKernels(KernelRegistry& r) {
  const std::vector<TypeConstraint> f32 = {{"T", {DataType::kFloat32}}};
  r.Register<UnaryOp<GpuUnaryOp::kNeg>>("Neg", kDeviceGpu, f32);
  r.Register<UnaryOp<GpuUnaryOp::kRelu>>("Relu", kDeviceGpu, f32);
  r.Register<UnaryOp<GpuUnaryOp::kExp>>("Exp", kDeviceGpu, f32);
  r.Register<UnaryOp<GpuUnaryOp::kLog>>("Log", kDeviceGpu, f32);
  r.Register<UnaryOp<GpuUnaryOp::kTanh>>("Tanh", kDeviceGpu, f32);
  r.Register<UnaryOp<GpuUnaryOp::kSigmoid>>("Sigmoid", kDeviceGpu, f32);
  r.Register<UnaryOp<GpuUnaryOp::kSqrt>>("Sqrt", kDeviceGpu, f32);
  r.Register<UnaryOp<GpuUnaryOp::kRsqrt>>("Rsqrt", kDeviceGpu, f32);
  r.Register<UnaryOp<GpuUnaryOp::kSquare>>("Square", kDeviceGpu, f32);
}

}  // namespace graphrt
