#include "kernels/cpu/constant_ops.h"

#include "absl/strings/str_cat.h"
#include "kernels/cpu/register.h"

namespace graphrt {

absl::Status ConstOp::Init(const OpKernelConstruction& c) {
  absl::StatusOr<Tensor> value = c.attr<Tensor>("value");
  if (!value.ok()) return value.status();
  // Keep the value in the device's memory.
  absl::StatusOr<Tensor> copy = c.CopyToDevice(*value);
  if (!copy.ok()) return copy.status();
  value_ = *std::move(copy);
  return absl::OkStatus();
}

absl::Status ConstOp::Compute(OpKernelContext& ctx) { return ctx.set_output(0, value_); }

namespace {

class PlaceholderOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    return absl::InvalidArgumentError(
        absl::StrCat("placeholder '", name(), "' must be fed a value"));
  }
  bool IsAlwaysCheap() const override { return true; }
};

}  // namespace

void RegisterConstantKernels(KernelRegistry& r) {
  r.Register<ConstOp>("Const", kDeviceCpu);
  r.Register<PlaceholderOp>("Placeholder", kDeviceCpu);
  r.Register<IdentityOp>("Identity", kDeviceCpu);
  r.Register<NoOpKernel>("NoOp", kDeviceCpu);
}

}  // namespace graphrt
