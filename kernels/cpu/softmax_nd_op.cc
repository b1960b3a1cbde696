// SoftmaxNd on the CPU (core/graph/ops/nn_ext_ops.h): softmax, log-softmax
// or hardmax along any axis, float32 and float64.
//
// The input is seen as [outer, n, inner]: n the reduced extent (the axis, or
// with coerce_2d every axis from it on, inner then 1). Each (outer, inner)
// line is reduced with the maximum subtracted first, so large logits stay
// finite, as in softmax_ops.cc; a contiguous line (inner 1) takes Eigen's
// vectorised exp in one pass. Outer slices are split over the intra-op pool.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "Eigen/Core"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

enum class Mode { kSoftmax, kLogSoftmax, kHardmax };

class SoftmaxNdOp final : public OpKernel {
 public:
  explicit SoftmaxNdOp(const OpKernelConstruction& c) : OpKernel(c) {}
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(axis_, c.attr<int64_t>("axis"));
    ASSIGN_OR_RETURN(coerce_2d_, c.attr<bool>("coerce_2d"));
    ASSIGN_OR_RETURN(std::string mode, c.attr<std::string>("mode"));
    if (mode == "softmax") {
      mode_ = Mode::kSoftmax;
    } else if (mode == "log_softmax") {
      mode_ = Mode::kLogSoftmax;
    } else if (mode == "hardmax") {
      mode_ = Mode::kHardmax;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("mode '", mode, "' is not softmax, log_softmax or hardmax"));
    }
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    if (ctx.input(0).dtype() == DataType::kFloat64) return Run<double>(ctx);
    return Run<float>(ctx);
  }

 private:
  template <typename T>
  absl::Status Run(OpKernelContext& ctx);
  template <typename T>
  void Line(const T* x, T* y, int64_t n, int64_t stride) const;
  int64_t axis_ = -1;
  bool coerce_2d_ = false;
  Mode mode_ = Mode::kSoftmax;
};

template <typename T>
void SoftmaxNdOp::Line(const T* x, T* y, int64_t n, int64_t stride) const {
  T max = -std::numeric_limits<T>::infinity();
  int64_t arg = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (x[i * stride] > max) {
      max = x[i * stride];
      arg = i;
    }
  }
  if (mode_ == Mode::kHardmax) {
    for (int64_t i = 0; i < n; ++i) y[i * stride] = i == arg ? T(1) : T(0);
    return;
  }
  if (stride == 1) {  // a contiguous line: one vectorised exp pass (Eigen's), kept in y
    using Line = Eigen::Array<T, Eigen::Dynamic, 1>;
    Eigen::Map<const Line> xs(x, n);
    Eigen::Map<Line> ys(y, n);
    ys = (xs - max).exp();
    const T sum = ys.sum();
    if (mode_ == Mode::kLogSoftmax) {
      ys = (xs - max) - std::log(sum);
    } else {
      ys *= T(1) / sum;
    }
    return;
  }
  T sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += std::exp(x[i * stride] - max);
  if (mode_ == Mode::kLogSoftmax) {
    const T log_sum = std::log(sum);
    for (int64_t i = 0; i < n; ++i) y[i * stride] = x[i * stride] - max - log_sum;
    return;
  }
  const T scale = T(1) / sum;
  for (int64_t i = 0; i < n; ++i) y[i * stride] = std::exp(x[i * stride] - max) * scale;
}

template <typename T>
absl::Status SoftmaxNdOp::Run(OpKernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int rank = x.rank();
  const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
  if (rank == 0 || axis < 0 || axis >= rank) {
    return absl::InvalidArgumentError(absl::StrCat("axis ", axis_, " is out of range for ",
                                                   x.shape().DebugString()));
  }
  int64_t outer = 1, n = 1, inner = 1;
  for (int i = 0; i < rank; ++i) {
    int64_t& part = i < axis ? outer : (i == axis || coerce_2d_ ? n : inner);
    part *= x.dim(i);
  }
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.shape()));
  if (x.num_elements() == 0) return absl::OkStatus();
  const T* px = x.data<T>();
  T* py = out->data<T>();
  ctx.ParallelFor(outer, std::max<int64_t>(1, 3 * n * inner), [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) {
      for (int64_t j = 0; j < inner; ++j) {
        Line(px + o * n * inner + j, py + o * n * inner + j, n, inner);
      }
    }
  });
  return absl::OkStatus();
}

}  // namespace

void RegisterSoftmaxNdKernels(KernelRegistry& r) {
  r.Register<SoftmaxNdOp>("SoftmaxNd", kDeviceCpu,
                          {{"T", {DataType::kFloat32, DataType::kFloat64}}});
}

}  // namespace graphrt
