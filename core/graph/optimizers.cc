#include "core/graph/optimizers.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "core/graph/gradients.h"
#include "core/base/status_macros.h"

namespace graphrt {

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
  GraphBuilder& b = *loss.builder();
  std::vector<Output> updates;
  {
    GraphBuilder::NameScope scope(b, name);
    for (size_t i = 0; i < variables.size(); ++i) {
      updates.push_back(variables[i].ApplyGradientDescent(
          learning_rate, grads[i], absl::StrCat("update_", variables[i].name())));
    }
  }
  Output train = b.Group(updates, name);
  if (!b.status().ok()) return b.status();
  return train;
}

absl::StatusOr<Output> MinimizeWithSgd(Output loss, std::span<const Variable> variables,
                                       float learning_rate, absl::string_view name) {
  if (!loss.valid()) return absl::InvalidArgumentError("MinimizeWithSgd: the loss is invalid");
  return MinimizeWithSgd(loss, variables,
                         loss.builder()->Scalar<float>(learning_rate, "learning_rate"), name);
}

}  // namespace graphrt
