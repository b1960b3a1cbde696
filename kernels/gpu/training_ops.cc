// Training kernels on the GPU: ApplyMomentum and ApplyAdam for float32
// variables, with the CPU kernels' semantics and messages
// (kernels/cpu/training_ops.cc). Like every GPU variable update they work out
// of place (Note [GPU variable updates] in variable_ops.cc): under
// GpuVariableUpdateMutex they read the variable and its slots, launch one
// kernel writing fresh buffers for all of them, and assign those, so a
// concurrent step or reader sees either the old or the new values of each.
//
// Thread-safety: safe to call concurrently.
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/common/training_checks.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/register.h"
#include "kernels/gpu/training_kernels.h"
#include "kernels/gpu/variable_update.h"

namespace graphrt {
namespace {

// The current value of `var`, checked against the gradient.
absl::StatusOr<Tensor> ReadTrained(const VariableResource& var, const Tensor& grad) {
  absl::StatusOr<Tensor> value = var.Read();
  if (!value.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "variable '", var.name(), "' is updated before it was given a value"));
  }
  RETURN_IF_ERROR(CheckTrainedValue(var, *value, grad));
  return value;
}

class ApplyMomentumOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(use_nesterov_, c.attr<bool>("use_nesterov"));
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    RETURN_IF_ERROR(CheckScalarArgs(ctx, {{2, "lr"}, {4, "momentum"}}));
    ASSIGN_OR_RETURN(std::vector<VariableResource*> vars, DistinctVariables(ctx, {0, 1}));
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    const Tensor& grad = ctx.input(3);
    MutexLock lock(&GpuVariableUpdateMutex());
    ASSIGN_OR_RETURN(Tensor var, ReadTrained(*vars[0], grad));
    ASSIGN_OR_RETURN(Tensor accum, ReadTrained(*vars[1], grad));
    ASSIGN_OR_RETURN(Tensor var_out,
                     Tensor::Allocate(ctx.allocator(), DataType::kFloat32, var.shape()));
    ASSIGN_OR_RETURN(Tensor accum_out,
                     Tensor::Allocate(ctx.allocator(), DataType::kFloat32, var.shape()));
    const int64_t n = var.num_elements();
    if (n > 0) {
      MomentumArgs args{var.device_data<float>(),       accum.device_data<float>(),
                        grad.device_data<float>(),      ctx.input(2).device_data<float>(),
                        ctx.input(4).device_data<float>(), use_nesterov_,
                        var_out.device_data<float>(),   accum_out.device_data<float>()};
      LaunchApplyMomentum(args, n, device->stream());
      RETURN_IF_ERROR(CheckLaunch("ApplyMomentum"));
    }
    RETURN_IF_ERROR(vars[1]->Assign(accum_out));
    return vars[0]->Assign(var_out);
  }

 private:
  bool use_nesterov_ = false;
};

class ApplyAdamOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    RETURN_IF_ERROR(CheckScalarArgs(ctx, {{3, "beta1_power"}, {4, "beta2_power"}, {5, "lr"},
                                          {6, "beta1"}, {7, "beta2"}, {8, "epsilon"}}));
    ASSIGN_OR_RETURN(std::vector<VariableResource*> vars, DistinctVariables(ctx, {0, 1, 2}));
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    const Tensor& grad = ctx.input(9);
    MutexLock lock(&GpuVariableUpdateMutex());
    ASSIGN_OR_RETURN(Tensor var, ReadTrained(*vars[0], grad));
    ASSIGN_OR_RETURN(Tensor m, ReadTrained(*vars[1], grad));
    ASSIGN_OR_RETURN(Tensor v, ReadTrained(*vars[2], grad));
    Allocator* alloc = ctx.allocator();
    ASSIGN_OR_RETURN(Tensor var_out, Tensor::Allocate(alloc, DataType::kFloat32, var.shape()));
    ASSIGN_OR_RETURN(Tensor m_out, Tensor::Allocate(alloc, DataType::kFloat32, var.shape()));
    ASSIGN_OR_RETURN(Tensor v_out, Tensor::Allocate(alloc, DataType::kFloat32, var.shape()));
    const int64_t n = var.num_elements();
    if (n > 0) {
      AdamArgs args;
      args.var = var.device_data<float>();
      args.m = m.device_data<float>();
      args.v = v.device_data<float>();
      args.grad = grad.device_data<float>();
      args.beta1_power = ctx.input(3).device_data<float>();
      args.beta2_power = ctx.input(4).device_data<float>();
      args.lr = ctx.input(5).device_data<float>();
      args.beta1 = ctx.input(6).device_data<float>();
      args.beta2 = ctx.input(7).device_data<float>();
      args.epsilon = ctx.input(8).device_data<float>();
      args.var_out = var_out.device_data<float>();
      args.m_out = m_out.device_data<float>();
      args.v_out = v_out.device_data<float>();
      LaunchApplyAdam(args, n, device->stream());
      RETURN_IF_ERROR(CheckLaunch("ApplyAdam"));
    }
    RETURN_IF_ERROR(vars[2]->Assign(v_out));
    RETURN_IF_ERROR(vars[1]->Assign(m_out));
    return vars[0]->Assign(var_out);
  }
};

}  // namespace

void RegisterTrainingGpuKernels(KernelRegistry& r) {
  const std::vector<TypeConstraint> f32 = {{"T", {DataType::kFloat32}}};
  r.Register<ApplyMomentumOp>("ApplyMomentum", kDeviceGpu, f32);
  r.Register<ApplyAdamOp>("ApplyAdam", kDeviceGpu, f32);
}

}  // namespace graphrt
