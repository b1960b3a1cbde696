// Variable update kernels on the CPU: AssignVariable, AssignAddVariable
// (float32, int32, int64) and ApplyGradientDescent (float32), writing in place
// through VariableResource::Update (see core/executor/resource_mgr.h for the
// copy-on-write rule that keeps reads stable). VarHandleOp and ReadVariable
// are device-neutral kernels (kernels/common/variable_ops.h).
// Thread-safety: all are safe to call concurrently (the variable locks itself).
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/executor/resource_mgr.h"
#include "kernels/common/variable_ops.h"
#include "kernels/cpu/register.h"

namespace graphrt {
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
  r.Register<AssignVariableOp>("AssignVariable", kDeviceCpu);
  r.Register<AssignAddVariableOp>("AssignAddVariable", kDeviceCpu);
  r.Register<ApplyGradientDescentOp>("ApplyGradientDescent", kDeviceCpu);
}

}  // namespace graphrt
