// Elementwise binary GPU kernels, mirroring kernels/cpu/cwise_binary.h:
//   Add Sub Mul Div Maximum ReluGrad  float32
//   Equal                             float32, int32, int64 -> bool
//   AddN                              float32, N inputs broadcast together
// Shapes broadcast like numpy through the BroadcastPlan shared with the CPU
// kernels (kernels/common/cwise_shape.h), so the output shapes and the
// INVALID_ARGUMENT messages are the CPU's. The output
// takes over input 0's or 1's buffer when the executor allows it (AddN: 0's).
#include <initializer_list>

#include "core/base/status_macros.h"
#include "kernels/common/cwise_shape.h"
#include "kernels/gpu/cwise_kernels.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

// What x op y needs before its output is allocated: the plan (errors name the
// op, as the CPU's do), the plan as a BroadcastIndex, and the device.
struct BinaryLaunch {
  BroadcastPlan plan;
  BroadcastIndex index;
  CudaDevice* device;
};

absl::StatusOr<BinaryLaunch> PrepareBinary(const OpKernel& k, const OpKernelContext& ctx) {
  ASSIGN_OR_RETURN(BroadcastPlan plan,
                   MakeBinaryPlan(k.op(), ctx.input(0).shape(), ctx.input(1).shape()));
  ASSIGN_OR_RETURN(BroadcastIndex index, ToBroadcastIndex(plan));
  ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
  return BinaryLaunch{std::move(plan), index, device};
}

template <GpuBinaryOp kOp>
class BinaryOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    ASSIGN_OR_RETURN(BinaryLaunch l, PrepareBinary(*this, ctx));
    const float* a = ctx.input(0).device_data<float>();
    const float* b = ctx.input(1).device_data<float>();
    ASSIGN_OR_RETURN(Tensor * out, ForwardInputOrAllocate(ctx, {0, 1}, l.plan.out_shape));
    const int64_t n = l.plan.out_shape.num_elements();
    if (n == 0) return absl::OkStatus();
    LaunchBinary(kOp, a, b, out->device_data<float>(), n, l.index, l.device->stream());
    return CheckLaunch(op().c_str());
  }
};

template <GpuCompareType kType>
class EqualOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    ASSIGN_OR_RETURN(BinaryLaunch l, PrepareBinary(*this, ctx));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, l.plan.out_shape));
    const int64_t n = l.plan.out_shape.num_elements();
    if (n == 0) return absl::OkStatus();
    LaunchEqual(kType, ctx.input(0).raw_data(), ctx.input(1).raw_data(), out->device_data<bool>(), n,
                l.index, l.device->stream());
    return CheckLaunch("Equal");
  }
};

// AddN: out = x0 + x1, then out += xk, each a broadcast onto the shape of
// all the inputs together (as the CPU kernel and the shape function).
class AddNOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const int num = ctx.num_inputs();
    ASSIGN_OR_RETURN(TensorShape shape, AddNShape(ctx));
    if (num == 1) return ctx.set_output(0, ctx.input(0));  // tensors are immutable
    // Plans first: no launch happens unless every one is valid.
    std::vector<BroadcastIndex> steps;
    for (int k = 1; k < num; ++k) {
      const TensorShape& left = k == 1 ? ctx.input(0).shape() : shape;
      ASSIGN_OR_RETURN(BroadcastPlan plan,
                       MakeBroadcastPlan(left, ctx.input(k).shape(), shape));
      ASSIGN_OR_RETURN(BroadcastIndex index, ToBroadcastIndex(plan));
      steps.push_back(index);
    }
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    const float* first = ctx.input(0).device_data<float>();
    // Only input 0 may be forwarded: the first step reads it at each index
    // before writing there; later inputs are read after.
    ASSIGN_OR_RETURN(Tensor * out, ForwardInputOrAllocate(ctx, {0}, shape));
    const int64_t n = shape.num_elements();
    if (n == 0) return absl::OkStatus();
    float* o = out->device_data<float>();
    for (int k = 1; k < num; ++k) {
      const float* left = k == 1 ? first : o;
      LaunchBinary(GpuBinaryOp::kAdd, left, ctx.input(k).device_data<float>(), o, n, steps[k - 1],
                   device->stream());
    }
    return CheckLaunch("AddN");
  }
};

}  // namespace

void RegisterCwiseBinaryGpuKernels(KernelRegistry& r) {
  const std::vector<TypeConstraint> f32 = {{"T", {DataType::kFloat32}}};
  r.Register<BinaryOp<GpuBinaryOp::kAdd>>("Add", kDeviceGpu, f32);
  r.Register<BinaryOp<GpuBinaryOp::kSub>>("Sub", kDeviceGpu, f32);
  r.Register<BinaryOp<GpuBinaryOp::kMul>>("Mul", kDeviceGpu, f32);
  r.Register<BinaryOp<GpuBinaryOp::kDiv>>("Div", kDeviceGpu, f32);
  r.Register<BinaryOp<GpuBinaryOp::kMaximum>>("Maximum", kDeviceGpu, f32);
  r.Register<BinaryOp<GpuBinaryOp::kReluGrad>>("ReluGrad", kDeviceGpu, f32);
  r.Register<EqualOp<GpuCompareType::kFloat32>>("Equal", kDeviceGpu, f32);
  r.Register<EqualOp<GpuCompareType::kInt32>>("Equal", kDeviceGpu, {{"T", {DataType::kInt32}}});
  r.Register<EqualOp<GpuCompareType::kInt64>>("Equal", kDeviceGpu, {{"T", {DataType::kInt64}}});
  r.Register<AddNOp>("AddN", kDeviceGpu, f32);
}

}  // namespace graphrt
