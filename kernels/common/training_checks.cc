#include "kernels/common/training_checks.h"

#include "absl/strings/str_cat.h"

namespace graphrt {

absl::Status CheckScalarArgs(const OpKernelContext& ctx, std::initializer_list<ScalarArg> args) {
  for (const ScalarArg& a : args) {
    const Tensor& t = ctx.input(a.index);
    if (t.num_elements() != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(a.name, " must be a scalar, got ", t.ShapeString()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<VariableResource*>> DistinctVariables(
    const OpKernelContext& ctx, std::initializer_list<int> indices) {
  std::vector<VariableResource*> vars;
  for (int i : indices) {
    auto* var = static_cast<VariableResource*>(ctx.input(i).resource());
    if (var == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("input ", i, " holds no variable"));
    }
    for (const VariableResource* seen : vars) {
      if (seen == var) {
        return absl::InvalidArgumentError(absl::StrCat(
            "variable '", var->name(), "' is passed twice; a variable and each of its "
            "optimizer slots must be distinct variables"));
      }
    }
    vars.push_back(var);
  }
  return vars;
}

absl::Status CheckTrainedValue(const VariableResource& var, const Tensor& value,
                               const Tensor& grad) {
  if (value.dtype() != DataType::kFloat32) {
    return absl::InvalidArgumentError(absl::StrCat(
        "variable '", var.name(), "' is ", DataTypeName(value.dtype()), ", expected float32"));
  }
  if (value.shape() != grad.shape()) {
    return absl::InvalidArgumentError(absl::StrCat("variable '", var.name(), "' is ",
                                                   value.ShapeString(), ", the gradient is ",
                                                   grad.ShapeString()));
  }
  return absl::OkStatus();
}

}  // namespace graphrt
