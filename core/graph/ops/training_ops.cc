#include "core/graph/ops/training_ops.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

using DT = DataType;

// Note [Where Adam's epsilon goes]
// Rationale: Kingma & Ba's Algorithm 1 adds epsilon to sqrt(v_hat), the
// bias-corrected second moment. TF's ResourceApplyAdam (and Keras's Adam,
// which calls it) folds both bias corrections into the learning rate
// instead, lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t), and adds epsilon to
// the uncorrected sqrt(v): var -= lr_t * m / (sqrt(v) + epsilon). That
// epsilon is the paper's "epsilon hat" (end of its section 2): epsilon_hat =
// epsilon * sqrt(1 - beta2^t), so the two agree only up to that rescaling of
// epsilon. graphrt follows TF exactly, so a model trained here with TF's
// hyperparameters takes TF's steps.
// Approach: the kernels compute lr_t from the beta-power inputs once per
// step, then update m, v and var element by element, reading m and v after
// their update.
// Limitations: no amsgrad and no use_nesterov for Adam (TF has both).

struct ScalarInput {
  int index;
  const char* name;
};

// The hyperparameter inputs are scalars (where their rank is known).
absl::Status ScalarInputs(ShapeContext& c, std::initializer_list<ScalarInput> inputs) {
  for (const ScalarInput& in : inputs) {
    const PartialShape& s = c.input(in.index);
    if (s.known_rank() && s.rank() != 0) {
      return c.Error(absl::StrCat("input '", in.name, "' must be a scalar, got ",
                                  s.DebugString()));
    }
  }
  return absl::OkStatus();
}

absl::Status MomentumShape(ShapeContext& c) {
  return ScalarInputs(c, {{2, "lr"}, {4, "momentum"}});
}
absl::Status AdamShape(ShapeContext& c) {
  return ScalarInputs(c, {{3, "beta1_power"}, {4, "beta2_power"}, {5, "lr"}, {6, "beta1"},
                          {7, "beta2"}, {8, "epsilon"}});
}

Output Call(absl::string_view op, std::span<const Output> inputs, AttrMap attrs,
            absl::string_view name) {
  for (const Output& in : inputs) {
    if (!in.valid()) return Output();
  }
  return inputs[0].builder()->Op(op, inputs, std::move(attrs), name);
}

}  // namespace

namespace ops {

Output ApplyMomentum(const Variable& var, const Variable& accum, Output lr, Output grad,
                     Output momentum, bool use_nesterov, absl::string_view name) {
  const Output in[] = {var.handle(), accum.handle(), lr, grad, momentum};
  return Call("ApplyMomentum", in, {{"use_nesterov", use_nesterov}},
              name.empty() ? absl::StrCat(var.name(), "/apply_momentum") : std::string(name));
}

Output ApplyAdam(const Variable& var, const Variable& m, const Variable& v, Output beta1_power,
                 Output beta2_power, Output lr, Output beta1, Output beta2, Output epsilon,
                 Output grad, absl::string_view name) {
  const Output in[] = {var.handle(), m.handle(), v.handle(), beta1_power, beta2_power,
                       lr,           beta1,      beta2,      epsilon,     grad};
  return Call("ApplyAdam", in, {},
              name.empty() ? absl::StrCat(var.name(), "/apply_adam") : std::string(name));
}

}  // namespace ops

void RegisterTrainingOps(OpRegistry& r) {
  (void)r.Register(OpDefBuilder("ApplyMomentum")
                       .Input("var: resource")
                       .Input("accum: resource")
                       .Input("lr: T")
                       .Input("grad: T")
                       .Input("momentum: T")
                       .TypeAttr("T", {DT::kFloat32})
                       .Attr("use_nesterov", AttrType::kBool, false)
                       .Stateful()
                       .Shape(MomentumShape)
                       .Doc("accum = momentum * accum + grad; var -= lr * accum (use_nesterov: "
                            "var -= lr * grad + lr * momentum * accum)"));
  (void)r.Register(OpDefBuilder("ApplyAdam")
                       .Input("var: resource")
                       .Input("m: resource")
                       .Input("v: resource")
                       .Input("beta1_power: T")
                       .Input("beta2_power: T")
                       .Input("lr: T")
                       .Input("beta1: T")
                       .Input("beta2: T")
                       .Input("epsilon: T")
                       .Input("grad: T")
                       .TypeAttr("T", {DT::kFloat32})
                       .Stateful()
                       .Shape(AdamShape)
                       .Doc("TF's ResourceApplyAdam: lr_t = lr * sqrt(1 - beta2_power) / "
                            "(1 - beta1_power); m, v moving averages of grad and grad^2; "
                            "var -= lr_t * m / (sqrt(v) + epsilon)"));
}

}  // namespace graphrt
