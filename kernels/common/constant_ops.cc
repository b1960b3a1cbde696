// Const, Placeholder, Identity and NoOp, for any device (kernels/common/register.h):
//   Const        the "value" attr copied to the device's memory once, when the
//                kernel is made (OpKernelConstruction::CopyToDevice); every
//                step outputs that tensor (shared, so no one writes to it).
//   Placeholder  only reports that no value was fed: the executor fills fed
//                placeholders itself and never runs their kernel.
//   Identity     the input, shared.
//   NoOp         nothing.
// All four are flagged cheap on their OpDef (the executor runs them inline).
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/register.h"

namespace graphrt {
namespace {

class ConstOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(Tensor value, c.attr<Tensor>("value"));
    // Keep the value in the device's memory.
    ASSIGN_OR_RETURN(value_, c.CopyToDevice(value));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override { return ctx.set_output(0, value_); }

 private:
  Tensor value_;
};

class PlaceholderOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    return absl::InvalidArgumentError(
        absl::StrCat("placeholder '", name(), "' must be fed a value"));
  }
};

class IdentityOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override { return ctx.set_output(0, ctx.input(0)); }
};

class NoOpKernel final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext&) override { return absl::OkStatus(); }
};

}  // namespace

void RegisterNeutralConstantKernels(KernelRegistry& r, const std::string& device_type,
                                    const NeutralKernelTypes& types) {
  r.Register<ConstOp>("Const", device_type, NeutralConstraint("dtype", types.constant));
  if (types.placeholder) r.Register<PlaceholderOp>("Placeholder", device_type);
  r.Register<IdentityOp>("Identity", device_type, NeutralConstraint("T", types.data));
  r.Register<NoOpKernel>("NoOp", device_type);
}

}  // namespace graphrt
