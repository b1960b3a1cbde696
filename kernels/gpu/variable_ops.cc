// Variable update kernels on the GPU for float32 variables (int32 / int64
// ones stay on the CPU, as in TensorFlow): AssignVariable, AssignAddVariable
// and ApplyGradientDescent, with the CPU kernels' semantics
// (kernels/cpu/variable_ops.cc) and messages. VarHandleOp and ReadVariable
// are device-neutral kernels (kernels/common/variable_ops.h), registered for
// float32 in register.cc (the initial value reaches device memory through
// OpKernelConstruction::CopyToDevice). A GPU variable's value is a tensor in
// the device's memory.
//
// Note [GPU variable updates]
// Rationale: VariableResource::Update copies a value a reader still holds
// with Tensor::Clone, a host memcpy, which must never touch device memory;
// and a value read in a step must never change under its reader.
// Approach: GPU kernels never write a variable's buffer in place. An update
// reads the current value, launches new = value + scale * delta into a fresh
// buffer of the device, and assigns that; AssignVariable assigns the input
// tensor itself (sharing its buffer: nobody writes to a buffer a variable
// holds, since in-place writes need the buffer unshared). Readers keep the
// old buffer, which goes back to the pool once the last one lets go (reuse is
// ordered after them on the compute stream: Note [GPU stream order]). A
// process-wide mutex makes each read-launch-assign atomic against other
// GPU updates, so concurrent updates are never lost; it is held only while
// the host enqueues one kernel.
// Limitations: an update allocates a buffer the size of the variable (from
// the device's pool; the old one is freed), instead of writing in place.
#include "absl/strings/str_cat.h"
#include "core/executor/resource_mgr.h"
#include "core/base/status_macros.h"
#include "core/base/sync.h"
#include "kernels/common/variable_ops.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/register.h"
#include "kernels/gpu/variable_kernels.h"
#include "kernels/gpu/variable_update.h"

namespace graphrt {

// Orders every read-launch-assign of GPU variables (Note [GPU variable updates]).
Mutex& GpuVariableUpdateMutex() {
  static Mutex* const mu = new Mutex();
  return *mu;
}

namespace {

class AssignVariableOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    // Shares the value's buffer: Note [GPU variable updates].
    MutexLock lock(&GpuVariableUpdateMutex());
    return VariableOf(ctx)->Assign(ctx.input(1));
  }
};

// var = var + scale * delta (scale = -*alpha, or 1 without alpha), out of
// place: Note [GPU variable updates].
absl::Status UpdateVariable(OpKernelContext& ctx, const Tensor& delta, const float* alpha) {
  VariableResource* var = VariableOf(ctx);
  ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
  MutexLock lock(&GpuVariableUpdateMutex());
  absl::StatusOr<Tensor> current = var->Read();
  if (!current.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "variable '", var->name(), "' is updated before it was given a value"));
  }
  if (current->dtype() != DataType::kFloat32) {
    return absl::InvalidArgumentError(absl::StrCat("variable '", var->name(), "' is ",
                                                   DataTypeName(current->dtype()),
                                                   ", expected float32"));
  }
  if (current->shape() != delta.shape()) {
    return absl::InvalidArgumentError(absl::StrCat("variable '", var->name(), "' is ",
                                                   current->ShapeString(), ", the update is ",
                                                   delta.ShapeString()));
  }
  ASSIGN_OR_RETURN(Tensor next,
                   Tensor::Allocate(ctx.allocator(), DataType::kFloat32, current->shape()));
  const int64_t n = next.num_elements();
  if (n > 0) {
    LaunchVariableUpdate(current->device_data<float>(), delta.device_data<float>(), alpha, next.device_data<float>(),
                         n, device->stream());
    RETURN_IF_ERROR(CheckLaunch("variable update"));
  }
  return var->Assign(next);
}

class AssignAddVariableOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    return UpdateVariable(ctx, ctx.input(1), /*alpha=*/nullptr);
  }
};

class ApplyGradientDescentOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& alpha = ctx.input(1);
    if (alpha.num_elements() != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("alpha must be a scalar, got ", alpha.ShapeString()));
    }
    // alpha lives in device memory: the kernel reads it there.
    return UpdateVariable(ctx, ctx.input(2), alpha.device_data<float>());
  }
};

}  // namespace

void RegisterVariableGpuKernels(KernelRegistry& r) {
  const std::vector<TypeConstraint> f32 = {{"dtype", {DataType::kFloat32}}};
  r.Register<AssignVariableOp>("AssignVariable", kDeviceGpu, f32);
  r.Register<AssignAddVariableOp>("AssignAddVariable", kDeviceGpu, f32);
  r.Register<ApplyGradientDescentOp>("ApplyGradientDescent", kDeviceGpu,
                                     {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
