#include "kernels/cpu/xent_op.h"

#include <cmath>

#include <Eigen/Core>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/cpu/register.h"

namespace graphrt {

template <typename Label>
absl::Status SparseXentOp<Label>::Compute(OpKernelContext& ctx) {
  const Tensor& features = ctx.input(0);
  const Tensor& labels = ctx.input(1);
  RETURN_IF_ERROR(CheckXentShapes(features, labels));
  const int64_t batch = features.dim(0), classes = features.dim(1);
  const Label* label = labels.data<Label>();
  for (int64_t b = 0; b < batch; ++b) {
    if (label[b] < 0 || label[b] >= classes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "label ", label[b], " at batch index ", b, " is outside the valid range [0, ",
          classes, ") of the ", classes, " classes"));
    }
  }
  ASSIGN_OR_RETURN(Tensor * loss, ctx.allocate_output(0, TensorShape{batch}));
  ASSIGN_OR_RETURN(Tensor * backprop, ctx.allocate_output(1, features.shape()));
  if (batch == 0) return absl::OkStatus();
  const float* x = features.data<float>();
  float* l = loss->data<float>();
  float* g = backprop->data<float>();
  // ~1 ns per element: a max pass, an exp pass and a scaling pass.
  ctx.ParallelFor(batch, classes, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      Eigen::Map<const Eigen::ArrayXf> row(x + b * classes, classes);
      Eigen::Map<Eigen::ArrayXf> grad(g + b * classes, classes);
      const float max = row.maxCoeff();
      grad = (row - max).exp();
      const float sum = grad.sum();
      grad *= 1.0f / sum;
      const int64_t y = static_cast<int64_t>(label[b]);
      // log(sum) - (x[y] - max): stays accurate when the logits are large.
      l[b] = std::log(sum) - (row[y] - max);
      grad[y] -= 1.0f;
    }
  });
  return absl::OkStatus();
}

template class SparseXentOp<int32_t>;
template class SparseXentOp<int64_t>;

void RegisterXentKernels(KernelRegistry& r) {
  r.Register<SparseXentOp<int32_t>>("SparseSoftmaxCrossEntropyWithLogits", kDeviceCpu,
                                    {{"T", {DataType::kFloat32}}, {"Tlabels", {DataType::kInt32}}});
  r.Register<SparseXentOp<int64_t>>("SparseSoftmaxCrossEntropyWithLogits", kDeviceCpu,
                                    {{"T", {DataType::kFloat32}}, {"Tlabels", {DataType::kInt64}}});
}

}  // namespace graphrt
