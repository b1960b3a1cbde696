// Training kernels on the CPU: ApplyMomentum and ApplyAdam (float32), the
// formulas of core/graph/ops/training_ops.h written in TF's operation order
// (so results match TF's kernels to the rounding), in place through
// VariableResource::Update (copy-on-write against readers:
// core/executor/resource_mgr.h).
//
// Note [Locking a variable and its slots]
// Rationale: a step updates a variable and its slots together; a concurrent
// step (or a checkpoint restore) must not interleave with half an update.
// Approach: Update locks the variable, and inside it each slot, always in the
// op's input order (var, then accum / m, then v). Slots belong to one
// variable and are never trained themselves, so no other op takes the same
// locks in another order; DistinctVariables refuses a variable passed as its
// own slot (it would wait on itself).
// Limitations: a checkpoint or read of a slot taken between two steps sees
// either the old or new value of each variable separately, not a snapshot.
//
// Thread-safety: safe to call concurrently (the variables lock themselves).
#include <cmath>

#include "core/base/status_macros.h"
#include "kernels/common/training_checks.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

// Rough ns per element for ParallelFor.
constexpr int64_t kMomentumCostNs = 2;
constexpr int64_t kAdamCostNs = 8;

class ApplyMomentumOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(use_nesterov_, c.attr<bool>("use_nesterov"));
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    RETURN_IF_ERROR(CheckScalarArgs(ctx, {{2, "lr"}, {4, "momentum"}}));
    ASSIGN_OR_RETURN(std::vector<VariableResource*> vars, DistinctVariables(ctx, {0, 1}));
    const float lr = ctx.input(2).scalar<float>();
    const Tensor& grad = ctx.input(3);
    const float momentum = ctx.input(4).scalar<float>();
    // Note [Locking a variable and its slots]
    return vars[0]->Update([&](Tensor& var) -> absl::Status {
      RETURN_IF_ERROR(CheckTrainedValue(*vars[0], var, grad));
      return vars[1]->Update([&](Tensor& accum) -> absl::Status {
        RETURN_IF_ERROR(CheckTrainedValue(*vars[1], accum, grad));
        float* v = var.data<float>();
        float* a = accum.data<float>();
        const float* g = grad.data<float>();
        const bool nesterov = use_nesterov_;
        ctx.ParallelFor(var.num_elements(), kMomentumCostNs, [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) {
            a[i] = a[i] * momentum + g[i];
            v[i] -= nesterov ? g[i] * lr + a[i] * momentum * lr : a[i] * lr;
          }
        });
        return absl::OkStatus();
      });
    });
  }

 private:
  bool use_nesterov_ = false;
};

class ApplyAdamOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    RETURN_IF_ERROR(CheckScalarArgs(ctx, {{3, "beta1_power"}, {4, "beta2_power"}, {5, "lr"},
                                          {6, "beta1"}, {7, "beta2"}, {8, "epsilon"}}));
    ASSIGN_OR_RETURN(std::vector<VariableResource*> vars, DistinctVariables(ctx, {0, 1, 2}));
    const float beta1_power = ctx.input(3).scalar<float>();
    const float beta2_power = ctx.input(4).scalar<float>();
    const float lr = ctx.input(5).scalar<float>();
    const float beta1 = ctx.input(6).scalar<float>();
    const float beta2 = ctx.input(7).scalar<float>();
    const float epsilon = ctx.input(8).scalar<float>();
    const Tensor& grad = ctx.input(9);
    // Note [Where Adam's epsilon goes] in core/graph/ops/training_ops.cc.
    const float lr_t = lr * std::sqrt(1 - beta2_power) / (1 - beta1_power);
    // Note [Locking a variable and its slots]
    return vars[0]->Update([&](Tensor& var) -> absl::Status {
      RETURN_IF_ERROR(CheckTrainedValue(*vars[0], var, grad));
      return vars[1]->Update([&](Tensor& m_value) -> absl::Status {
        RETURN_IF_ERROR(CheckTrainedValue(*vars[1], m_value, grad));
        return vars[2]->Update([&](Tensor& v_value) -> absl::Status {
          RETURN_IF_ERROR(CheckTrainedValue(*vars[2], v_value, grad));
          float* w = var.data<float>();
          float* m = m_value.data<float>();
          float* v = v_value.data<float>();
          const float* g = grad.data<float>();
          ctx.ParallelFor(var.num_elements(), kAdamCostNs, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
              m[i] += (g[i] - m[i]) * (1 - beta1);
              v[i] += (g[i] * g[i] - v[i]) * (1 - beta2);
              w[i] -= (m[i] * lr_t) / (std::sqrt(v[i]) + epsilon);
            }
          });
          return absl::OkStatus();
        });
      });
    });
  }
};

}  // namespace

void RegisterTrainingKernels(KernelRegistry& r) {
  r.Register<ApplyMomentumOp>("ApplyMomentum", kDeviceCpu);
  r.Register<ApplyAdamOp>("ApplyAdam", kDeviceCpu);
}

}  // namespace graphrt
