// NegativeLogLikelihoodLoss on the CPU (core/graph/ops/nn_ext_ops.h), as
// ONNX defines it: for input [N, C, d...] and target [N, d...],
//   loss[n, d] = -weight[t] * input[n, t, d]   with t = target[n, d],
// 0 where t == ignore_index; "sum" adds them, "mean" divides the sum by the
// weights of the targets not ignored (their count without weights). One
// thread: the op is a gather of N * d values.
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

class NllLossOp final : public OpKernel {
 public:
  explicit NllLossOp(const OpKernelConstruction& c) : OpKernel(c) {}
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(reduction_, c.attr<std::string>("reduction"));
    ASSIGN_OR_RETURN(ignore_index_, c.attr<int64_t>("ignore_index"));
    ASSIGN_OR_RETURN(has_ignore_index_, c.attr<bool>("has_ignore_index"));
    if (reduction_ != "none" && reduction_ != "sum" && reduction_ != "mean") {
      return absl::InvalidArgumentError(
          absl::StrCat("reduction '", reduction_, "' is not none, sum or mean"));
    }
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    if (ctx.input(1).dtype() == DataType::kInt32) return Run<int32_t>(ctx);
    return Run<int64_t>(ctx);
  }

 private:
  template <typename Index>
  absl::Status Run(OpKernelContext& ctx);
  std::string reduction_;
  int64_t ignore_index_ = 0;
  bool has_ignore_index_ = false;
};

template <typename Index>
absl::Status NllLossOp::Run(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& target = ctx.input(1);
  const Tensor& weight = ctx.input(2);
  bool fits = input.rank() >= 2 && target.rank() == input.rank() - 1 && target.dim(0) == input.dim(0);
  for (int i = 1; fits && i < target.rank(); ++i) fits = target.dim(i) == input.dim(i + 1);
  if (!fits) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target ", target.shape().DebugString(), " must be input ",
        input.shape().DebugString(), " without its class axis (input is [N, C, d...])"));
  }
  const int64_t n = input.dim(0), classes = input.dim(1);
  const int64_t d = n == 0 ? 0 : target.num_elements() / n;
  const bool weighted = weight.num_elements() != 0;
  if (weighted && (weight.rank() != 1 || weight.dim(0) != classes)) {
    return absl::InvalidArgumentError(absl::StrCat("weight ", weight.shape().DebugString(),
                                                   " must be [", classes, "] (C)"));
  }
  const bool none = reduction_ == "none";
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, none ? target.shape() : TensorShape{}));
  const float* in = input.data<float>();
  const Index* t = target.data<Index>();
  const float* w = weighted ? weight.data<float>() : nullptr;
  float* o = out->data<float>();
  double sum = 0, weight_sum = 0;
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t j = 0; j < d; ++j) {
      const int64_t cls = t[b * d + j];
      float loss = 0;
      if (!(has_ignore_index_ && cls == ignore_index_)) {
        if (cls < 0 || cls >= classes) {
          return absl::InvalidArgumentError(absl::StrCat(
              "target value ", cls, " at flat index ", b * d + j, " is not a class in [0, ",
              classes, ")", has_ignore_index_ ? absl::StrCat(" nor ignore_index ", ignore_index_)
                                              : std::string()));
        }
        const float wc = weighted ? w[cls] : 1.0f;
        loss = -wc * in[(b * classes + cls) * d + j];
        weight_sum += wc;
      }
      if (none) o[b * d + j] = loss;
      sum += loss;
    }
  }
  if (reduction_ == "sum") o[0] = static_cast<float>(sum);
  if (reduction_ == "mean") o[0] = static_cast<float>(sum / weight_sum);
  return absl::OkStatus();
}

}  // namespace

void RegisterNllLossKernels(KernelRegistry& r) {
  r.Register<NllLossOp>("NegativeLogLikelihoodLoss", kDeviceCpu,
                        {{"T", {DataType::kFloat32}}, {"Tind", {DataType::kInt32, DataType::kInt64}}});
}

}  // namespace graphrt
