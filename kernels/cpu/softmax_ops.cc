#include "kernels/cpu/softmax_ops.h"

#include <cmath>

#include <Eigen/Core>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

// Writes softmax(logits) (or its log) for one row of n > 0 values to out,
// which may be logits itself.
void SoftmaxRow(const float* logits, int64_t n, bool log, float* out) {
  Eigen::Map<const Eigen::ArrayXf> x(logits, n);
  Eigen::Map<Eigen::ArrayXf> y(out, n);
  const float max = x.maxCoeff();
  if (log) {
    // Sum first, without storing, so that out may alias logits; subtract the
    // max and the log-sum separately so large logits keep their precision.
    const float log_sum = std::log((x - max).exp().sum());
    y = (x - max) - log_sum;
    return;
  }
  y = (x - max).exp();
  y *= 1.0f / y.sum();
}

}  // namespace

absl::Status SoftmaxOp::Compute(OpKernelContext& ctx) {
  const Tensor& logits = ctx.input(0);
  RETURN_IF_ERROR(CheckSoftmaxLogits(op(), logits));
  const float* in = logits.data<float>();
  ASSIGN_OR_RETURN(Tensor * out, ctx.forward_input_or_allocate_output(0, 0, logits.shape()));
  const int64_t n = logits.dim(logits.rank() - 1);
  if (logits.num_elements() == 0) return absl::OkStatus();
  float* o = out->data<float>();
  // ~1 ns per element: a max pass, an exp pass and a scaling pass.
  ctx.ParallelFor(logits.num_elements() / n, n, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) SoftmaxRow(in + r * n, n, log_, o + r * n);
  });
  return absl::OkStatus();
}

void RegisterSoftmaxKernels(KernelRegistry& r) {
  r.Register<SoftmaxOp>("Softmax", kDeviceCpu, {{"T", {DataType::kFloat32}}});
  r.Register<SoftmaxOp>("LogSoftmax", kDeviceCpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
