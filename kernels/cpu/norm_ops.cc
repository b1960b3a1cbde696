// Standardize and LRNChannelsFirst on the CPU (core/graph/ops/nn_ext_ops.h).
//
// Standardize, float32, is the shared core of ONNX's LayerNormalization
// (axes from `axis` on) and InstanceNormalization (axis 2: each image's
// channel plane). Each row of
// the [outer, inner] view gets its mean and population variance, summed in
// double so that long rows (an instance-norm plane of 224x224) keep float32
// precision; rows are split over the intra-op pool.
#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

class StandardizeOp final : public OpKernel {
 public:
  explicit StandardizeOp(const OpKernelConstruction& c) : OpKernel(c) {}
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(axis_, c.attr<int64_t>("axis"));
    ASSIGN_OR_RETURN(epsilon_, c.attr<float>("epsilon"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override;

 private:
  int64_t axis_ = -1;
  float epsilon_ = 1e-5f;
};

absl::Status StandardizeOp::Compute(OpKernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int rank = x.rank();
  const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
  if (axis < 0 || axis >= std::max(rank, 1)) {
    return absl::InvalidArgumentError(absl::StrCat("axis ", axis_, " is out of range for ",
                                                   x.shape().DebugString()));
  }
  int64_t outer = 1, inner = 1;
  std::vector<int64_t> stats_dims(x.shape().dims().begin(), x.shape().dims().end());
  for (int i = 0; i < rank; ++i) {
    (i < axis ? outer : inner) *= x.dim(i);
    if (i >= axis) stats_dims[i] = 1;
  }
  ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.shape()));
  ASSIGN_OR_RETURN(Tensor * mean, ctx.allocate_output(1, TensorShape(stats_dims)));
  ASSIGN_OR_RETURN(Tensor * inv_std, ctx.allocate_output(2, TensorShape(stats_dims)));
  if (outer == 0) return absl::OkStatus();
  const float* px = x.data<float>();
  float* py = y->data<float>();
  float* pm = mean->data<float>();
  float* ps = inv_std->data<float>();
  ctx.ParallelFor(outer, std::max<int64_t>(1, 3 * inner), [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) {
      const float* row = px + o * inner;
      double sum = 0;
      for (int64_t i = 0; i < inner; ++i) sum += row[i];
      const double mu = inner ? sum / inner : 0.0;
      double sq = 0;  // two passes: no cancellation for large means
      for (int64_t i = 0; i < inner; ++i) sq += (row[i] - mu) * (row[i] - mu);
      const double var = inner ? sq / inner : 0.0;
      const float inv = static_cast<float>(1.0 / std::sqrt(var + epsilon_));
      const float m = static_cast<float>(mu);
      pm[o] = m;
      ps[o] = inv;
      for (int64_t i = 0; i < inner; ++i) py[o * inner + i] = (row[i] - m) * inv;
    }
  });
  return absl::OkStatus();
}

// ONNX LRN over the channels of [N, C, D...]: each (image, channel) plane
// sums the squares of its window of channel planes, in double.
class LrnOp final : public OpKernel {
 public:
  explicit LrnOp(const OpKernelConstruction& c) : OpKernel(c) {}
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(size_, c.attr<int64_t>("size"));
    ASSIGN_OR_RETURN(alpha_, c.attr<float>("alpha"));
    ASSIGN_OR_RETURN(beta_, c.attr<float>("beta"));
    ASSIGN_OR_RETURN(bias_, c.attr<float>("bias"));
    if (size_ < 1) return absl::InvalidArgumentError(absl::StrCat("size must be positive, got ", size_));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("input must be [N, C, D...], got ", x.shape().DebugString()));
    }
    ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.shape()));
    const int64_t channels = x.dim(1), planes = x.dim(0) * channels;
    if (x.num_elements() == 0) return absl::OkStatus();
    const int64_t plane = x.num_elements() / planes;
    const int64_t lo = (size_ - 1) / 2, hi = size_ - 1 - lo;  // floor and ceil of (size-1)/2
    const float* px = x.data<float>();
    float* py = y->data<float>();
    ctx.ParallelFor(planes, plane * size_ * 2, [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        const int64_t c = p % channels, first = std::max<int64_t>(0, c - lo);
        const int64_t last = std::min(channels - 1, c + hi);
        for (int64_t i = 0; i < plane; ++i) {
          double sq = 0;
          for (int64_t k = first; k <= last; ++k) {
            const double v = px[(p - c + k) * plane + i];
            sq += v * v;
          }
          py[p * plane + i] = static_cast<float>(
              px[p * plane + i] / std::pow(bias_ + alpha_ / size_ * sq, static_cast<double>(beta_)));
        }
      }
    });
    return absl::OkStatus();
  }

 private:
  int64_t size_ = 1;
  float alpha_ = 1e-4f, beta_ = 0.75f, bias_ = 1.0f;
};

}  // namespace

void RegisterNormKernels(KernelRegistry& r) {
  r.Register<StandardizeOp>("Standardize", kDeviceCpu, {{"T", {DataType::kFloat32}}});
  r.Register<LrnOp>("LRNChannelsFirst", kDeviceCpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
