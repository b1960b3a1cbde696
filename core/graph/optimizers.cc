#include "core/graph/optimizers.h"

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/graph/gradients.h"
#include "core/graph/ops/training_ops.h"
#include "core/base/status_macros.h"

namespace graphrt {
namespace {

// A variable an optimiser with slots can train: float32, fully known shape.
absl::StatusOr<TensorShape> SlotShape(const Variable& var, absl::string_view slot,
                                      absl::string_view optimizer) {
  if (var.dtype() != DataType::kFloat32) {
    return absl::InvalidArgumentError(absl::StrCat(
        optimizer, ": variable '", var.name(), "' is ", DataTypeName(var.dtype()),
        "; only float32 variables can be trained"));
  }
  absl::StatusOr<TensorShape> shape = var.shape().ToTensorShape();
  if (!shape.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        optimizer, ": variable '", var.name(), "' has shape ", var.shape().DebugString(),
        "; its slot '", slot, "' needs a fully known shape (give the variable a shaped "
        "initial value)"));
  }
  return *shape;
}

absl::Status CheckSlots(std::span<const Variable> variables, absl::string_view slot,
                        absl::string_view optimizer) {
  for (const Variable& var : variables) RETURN_IF_ERROR(SlotShape(var, slot, optimizer).status());
  return absl::OkStatus();
}

// A zero-initialised float32 variable "<var>/<slot>" colocated with `var`.
absl::StatusOr<Variable> MakeSlot(GraphBuilder& b, const Variable& var, absl::string_view slot,
                                  absl::string_view optimizer) {
  ASSIGN_OR_RETURN(TensorShape shape, SlotShape(var, slot, optimizer));
  Tensor zeros(DataType::kFloat32, shape);
  if (zeros.num_elements() > 0) std::memset(zeros.raw_data(), 0, zeros.TotalBytes());
  GraphBuilder::ColocateWith colocate(b, var.handle());
  Variable made = b.NewVariable(absl::StrCat(var.name(), "/", slot), std::move(zeros));
  if (!b.status().ok()) return b.status();
  return made;
}

absl::Status CheckLoss(const Output& loss, absl::string_view optimizer) {
  if (!loss.valid()) {
    return absl::InvalidArgumentError(absl::StrCat(optimizer, ": the loss is invalid"));
  }
  return absl::OkStatus();
}

absl::Status CheckPairs(std::span<const Variable> variables, std::span<const Output> gradients,
                        absl::string_view optimizer) {
  if (variables.size() != gradients.size()) {
    return absl::InvalidArgumentError(absl::StrCat(optimizer, ": ", variables.size(),
                                                   " variables but ", gradients.size(),
                                                   " gradients; pass one gradient per variable"));
  }
  for (size_t i = 0; i < variables.size(); ++i) {
    if (!variables[i].handle().valid() || !gradients[i].valid()) {
      return absl::InvalidArgumentError(absl::StrCat(
          optimizer, ": variable ", i, " ('", variables[i].name(), "') or its gradient is invalid"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Output> ApplyGradientsWithSgd(std::span<const Variable> variables,
                                             std::span<const Output> gradients,
                                             Output learning_rate, absl::string_view name) {
  RETURN_IF_ERROR(CheckPairs(variables, gradients, "ApplyGradientsWithSgd"));
  if (!learning_rate.valid() || learning_rate.dtype() != DataType::kFloat32) {
    return absl::InvalidArgumentError(
        "ApplyGradientsWithSgd: the learning rate must be a valid float32 scalar");
  }
  GraphBuilder& b = *learning_rate.builder();
  std::vector<Output> updates;
  {
    GraphBuilder::NameScope scope(b, name);
    for (size_t i = 0; i < variables.size(); ++i) {
      updates.push_back(variables[i].ApplyGradientDescent(
          learning_rate, gradients[i], absl::StrCat("update_", variables[i].name())));
    }
  }
  Output train = b.Group(updates, name);
  if (!b.status().ok()) return b.status();
  return train;
}

absl::StatusOr<Output> MinimizeWithSgd(Output loss, std::span<const Variable> variables,
                                       Output learning_rate, absl::string_view name) {
  if (!loss.valid() || !learning_rate.valid()) {
    return absl::InvalidArgumentError("MinimizeWithSgd: the loss or learning rate is invalid");
  }
  if (learning_rate.dtype() != DataType::kFloat32) {
    return absl::InvalidArgumentError(absl::StrCat(
        "MinimizeWithSgd: the learning rate must be float32, not ",
        DataTypeName(learning_rate.dtype())));
  }
  ASSIGN_OR_RETURN(std::vector<Output> grads, AddVariableGradients(loss, variables));
  return ApplyGradientsWithSgd(variables, grads, learning_rate, name);
}

absl::StatusOr<Output> MinimizeWithSgd(Output loss, std::span<const Variable> variables,
                                       float learning_rate, absl::string_view name) {
  if (!loss.valid()) return absl::InvalidArgumentError("MinimizeWithSgd: the loss is invalid");
  return MinimizeWithSgd(loss, variables,
                         loss.builder()->Scalar<float>(learning_rate, "learning_rate"), name);
}

absl::StatusOr<Output> ApplyGradientsWithMomentum(std::span<const Variable> variables,
                                                  std::span<const Output> gradients,
                                                  const MomentumOptions& options,
                                                  absl::string_view name) {
  RETURN_IF_ERROR(CheckPairs(variables, gradients, "ApplyGradientsWithMomentum"));
  if (variables.empty()) return absl::InvalidArgumentError("ApplyGradientsWithMomentum: no variables");
  GraphBuilder& b = *variables[0].handle().builder();
  std::vector<Variable> slots;
  for (const Variable& var : variables) {
    ASSIGN_OR_RETURN(Variable slot, MakeSlot(b, var, "momentum", "MinimizeWithMomentum"));
    slots.push_back(slot);
  }
  std::vector<Output> updates;
  {
    GraphBuilder::NameScope scope(b, name);
    Output lr = b.Scalar<float>(options.learning_rate, "learning_rate");
    Output momentum = b.Scalar<float>(options.momentum, "momentum");
    for (size_t i = 0; i < variables.size(); ++i) {
      updates.push_back(ops::ApplyMomentum(variables[i], slots[i], lr, gradients[i], momentum,
                                           options.use_nesterov,
                                           absl::StrCat("update_", variables[i].name())));
    }
  }
  Output train = b.Group(updates, name);
  if (!b.status().ok()) return b.status();
  return train;
}

absl::StatusOr<Output> MinimizeWithMomentum(Output loss, std::span<const Variable> variables,
                                            const MomentumOptions& options,
                                            absl::string_view name) {
  RETURN_IF_ERROR(CheckLoss(loss, "MinimizeWithMomentum"));
  RETURN_IF_ERROR(CheckSlots(variables, "momentum", "MinimizeWithMomentum"));
  ASSIGN_OR_RETURN(std::vector<Output> grads, AddVariableGradients(loss, variables));
  return ApplyGradientsWithMomentum(variables, grads, options, name);
}

absl::StatusOr<Output> ApplyGradientsWithAdam(std::span<const Variable> variables,
                                              std::span<const Output> gradients,
                                              const AdamOptions& options,
                                              absl::string_view name) {
  RETURN_IF_ERROR(CheckPairs(variables, gradients, "ApplyGradientsWithAdam"));
  if (variables.empty()) return absl::InvalidArgumentError("ApplyGradientsWithAdam: no variables");
  GraphBuilder& b = *variables[0].handle().builder();
  std::vector<Variable> m, v;
  for (const Variable& var : variables) {
    ASSIGN_OR_RETURN(Variable slot_m, MakeSlot(b, var, "adam_m", "MinimizeWithAdam"));
    ASSIGN_OR_RETURN(Variable slot_v, MakeSlot(b, var, "adam_v", "MinimizeWithAdam"));
    m.push_back(slot_m);
    v.push_back(slot_v);
  }
  std::vector<Output> updates;
  {
    GraphBuilder::NameScope scope(b, name);
    Variable beta1_power, beta2_power;
    {
      // TF1 colocates the beta powers with the first variable.
      GraphBuilder::ColocateWith colocate(b, variables[0].handle());
      beta1_power = b.NewVariable("beta1_power", Tensor::Scalar<float>(options.beta1));
      beta2_power = b.NewVariable("beta2_power", Tensor::Scalar<float>(options.beta2));
    }
    Output lr = b.Scalar<float>(options.learning_rate, "learning_rate");
    Output beta1 = b.Scalar<float>(options.beta1, "beta1");
    Output beta2 = b.Scalar<float>(options.beta2, "beta2");
    Output epsilon = b.Scalar<float>(options.epsilon, "epsilon");
    // One read of each power per step, shared by every update; the powers
    // advance after all updates (the builder orders each write after its read).
    Output b1p = beta1_power.Read("beta1_power_read");
    Output b2p = beta2_power.Read("beta2_power_read");
    for (size_t i = 0; i < variables.size(); ++i) {
      updates.push_back(ops::ApplyAdam(variables[i], m[i], v[i], b1p, b2p, lr, beta1, beta2,
                                       epsilon, gradients[i],
                                       absl::StrCat("update_", variables[i].name())));
    }
    Output next1 = beta1_power.Assign(b1p * beta1, "update_beta1_power");
    Output next2 = beta2_power.Assign(b2p * beta2, "update_beta2_power");
    for (const Output& u : updates) {
      b.AddControlDependency(u, next1);
      b.AddControlDependency(u, next2);
    }
    updates.push_back(next1);
    updates.push_back(next2);
  }
  Output train = b.Group(updates, name);
  if (!b.status().ok()) return b.status();
  return train;
}

absl::StatusOr<Output> MinimizeWithAdam(Output loss, std::span<const Variable> variables,
                                        const AdamOptions& options, absl::string_view name) {
  RETURN_IF_ERROR(CheckLoss(loss, "MinimizeWithAdam"));
  RETURN_IF_ERROR(CheckSlots(variables, "adam_m", "MinimizeWithAdam"));
  ASSIGN_OR_RETURN(std::vector<Output> grads, AddVariableGradients(loss, variables));
  return ApplyGradientsWithAdam(variables, grads, options, name);
}

absl::StatusOr<Output> ApplyGradients(const OptimizerOptions& options,
                                      std::span<const Variable> variables,
                                      std::span<const Output> gradients, absl::string_view name) {
  if (const auto* sgd = std::get_if<SgdOptions>(&options)) {
    if (gradients.empty() || !gradients[0].valid()) {
      return absl::InvalidArgumentError("ApplyGradients: no gradients");
    }
    GraphBuilder& b = *gradients[0].builder();
    Output lr;
    {
      GraphBuilder::NameScope scope(b, name);
      lr = b.Scalar<float>(sgd->learning_rate, "learning_rate");
    }
    return ApplyGradientsWithSgd(variables, gradients, lr, name);
  }
  if (const auto* momentum = std::get_if<MomentumOptions>(&options)) {
    return ApplyGradientsWithMomentum(variables, gradients, *momentum, name);
  }
  return ApplyGradientsWithAdam(variables, gradients, std::get<AdamOptions>(options), name);
}

absl::string_view OptimizerName(const OptimizerOptions& options) {
  if (std::holds_alternative<SgdOptions>(options)) return "SGD";
  if (std::holds_alternative<MomentumOptions>(options)) return "Momentum";
  return "Adam";
}

}  // namespace graphrt
