#include "kernels/common/variable_ops.h"

#include <utility>

#include "kernels/common/register.h"

namespace graphrt {

VariableResource* VariableOf(const OpKernelContext& ctx) {
  return static_cast<VariableResource*>(ctx.input(0).resource());
}

namespace {

class VarHandleOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    if (c.resources() == nullptr) return absl::InternalError("no resource manager");
    auto dtype = c.attr<DataType>("dtype");
    auto shape = c.attr<PartialShape>("shape");
    auto init = c.attr<Tensor>("initial_value");
    if (!dtype.ok()) return dtype.status();
    if (!shape.ok()) return shape.status();
    if (!init.ok()) return init.status();
    auto var = c.resources()->LookupOrCreateVariable(c.node().name(), *dtype, *shape);
    if (!var.ok()) return var.status();
    if (init->IsInitialized() && !(*var)->Read().ok()) {
      auto copy = c.CopyToDevice(*init);  // the variable's value lives on its device
      if (!copy.ok()) return copy.status();
      absl::Status s = (*var)->Assign(*copy);
      if (!s.ok()) return s;
    }
    handle_ = Tensor::FromResource(*std::move(var));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override { return ctx.set_output(0, handle_); }

 private:
  Tensor handle_;
};

class ReadVariableOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    absl::StatusOr<Tensor> value = VariableOf(ctx)->Read();
    if (!value.ok()) return value.status();
    return ctx.set_output(0, *std::move(value));
  }
};

}  // namespace

void RegisterNeutralVariableKernels(KernelRegistry& r, const std::string& device_type,
                                    const NeutralKernelTypes& types) {
  r.Register<VarHandleOp>("VarHandleOp", device_type, NeutralConstraint("dtype", types.variable));
  r.Register<ReadVariableOp>("ReadVariable", device_type,
                             NeutralConstraint("dtype", types.variable));
}

}  // namespace graphrt
