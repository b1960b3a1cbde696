// Variable kernels: VarHandleOp, ReadVariable, AssignVariable,
// AssignAddVariable and ApplyGradientDescent (see core/executor/resource_mgr.h
// for the copy-on-write rule that keeps reads stable).
#include "kernels/cpu/variable_ops.h"

#include "absl/strings/str_cat.h"
#include "core/executor/resource_mgr.h"
#include "kernels/cpu/register.h"

namespace graphrt {

VariableResource* VariableOf(const OpKernelContext& ctx) {
  return static_cast<VariableResource*>(ctx.input(0).resource());
}

absl::Status VarHandleOp::Init(const OpKernelConstruction& c) {
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

absl::Status ReadVariableOp::Compute(OpKernelContext& ctx) {
  absl::StatusOr<Tensor> value = VariableOf(ctx)->Read();
  if (!value.ok()) return value.status();
  return ctx.set_output(0, *std::move(value));
}

namespace {

class AssignVariableOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    // Copy the value into the variable's own buffer (Update hands out a
    // private one when readers share it): later writes to either never show
    // through the other. A new shape gets a fresh buffer.
    const Tensor& value = ctx.input(1);
    return VariableOf(ctx)->Update([&](Tensor& var) -> absl::Status {
      if (var.shape() != value.shape()) {
        auto fresh = value.Clone(var.allocator());
        if (!fresh.ok()) return fresh.status();
        var = *std::move(fresh);
        return absl::OkStatus();
      }
      std::memcpy(var.raw_data(), value.raw_data(), value.TotalBytes());
      return absl::OkStatus();
    });
  }
};

template <typename T>
absl::Status AddInto(Tensor& var, const Tensor& delta, T scale, const std::string& var_name) {
  if (var.shape() != delta.shape()) {
    return absl::InvalidArgumentError(absl::StrCat("variable '", var_name, "' is ",
                                                   var.ShapeString(), ", the update is ",
                                                   delta.ShapeString()));
  }
  T* v = var.data<T>();
  const T* d = delta.data<T>();
  for (int64_t i = 0, n = var.num_elements(); i < n; ++i) v[i] += scale * d[i];
  return absl::OkStatus();
}

class AssignAddVariableOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    VariableResource* var = VariableOf(ctx);
    const Tensor& delta = ctx.input(1);
    return var->Update([&](Tensor& v) -> absl::Status {
      switch (v.dtype()) {
        case DataType::kFloat32: return AddInto<float>(v, delta, 1.0f, var->name());
        case DataType::kInt32: return AddInto<int32_t>(v, delta, 1, var->name());
        case DataType::kInt64: return AddInto<int64_t>(v, delta, 1, var->name());
        default:
          return absl::InvalidArgumentError(
              absl::StrCat("AssignAdd on ", DataTypeName(v.dtype()), " is not supported"));
      }
    });
  }
};

class ApplyGradientDescentOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    VariableResource* var = VariableOf(ctx);
    const Tensor& alpha = ctx.input(1);
    const Tensor& delta = ctx.input(2);
    if (alpha.num_elements() != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("alpha must be a scalar, got ", alpha.ShapeString()));
    }
    return var->Update([&](Tensor& v) -> absl::Status {
      if (v.dtype() != DataType::kFloat32) {
        return absl::InvalidArgumentError(absl::StrCat(
            "variable '", var->name(), "' is ", DataTypeName(v.dtype()), ", expected float32"));
      }
      return AddInto<float>(v, delta, -alpha.scalar<float>(), var->name());
    });
  }
};

}  // namespace

void RegisterVariableKernels(KernelRegistry& r) {
  r.Register<VarHandleOp>("VarHandleOp", kDeviceCpu);
  r.Register<ReadVariableOp>("ReadVariable", kDeviceCpu);
  r.Register<AssignVariableOp>("AssignVariable", kDeviceCpu);
  r.Register<AssignAddVariableOp>("AssignAddVariable", kDeviceCpu);
  r.Register<ApplyGradientDescentOp>("ApplyGradientDescent", kDeviceCpu);
}

}  // namespace graphrt
