// CPU kernels of core/graph/ops/misc_ops.h: Shrink, MeanVarianceNormalization,
// MatrixDeterminant, float32 and float64. Moments and determinants are
// computed in double whatever T is, then rounded once.
//
// Errors (INVALID_ARGUMENT naming the node): axes out of range (MVN), a
// non-square or rank < 2 input (MatrixDeterminant).
// Thread-safety: Compute is thread-safe (attrs are read at construction).
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "core/graph/shape_inference.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

template <typename T>
class ShrinkOp final : public OpKernel {
 public:
  explicit ShrinkOp(const OpKernelConstruction& c) : OpKernel(c) {
    if (auto v = c.attr<float>("bias"); v.ok()) bias_ = *v;
    if (auto v = c.attr<float>("lambd"); v.ok()) lambd_ = *v;
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.shape()));
    const T* in = x.data<T>();
    T* y = out->data<T>();
    const T bias = static_cast<T>(bias_), lambd = static_cast<T>(lambd_);
    ctx.ParallelFor(x.num_elements(), 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const T v = in[i];
        y[i] = v < -lambd ? v + bias : v > lambd ? v - bias : T(0);
      }
    });
    return absl::OkStatus();
  }

 private:
  float bias_ = 0.0f, lambd_ = 0.5f;
};

// Each element belongs to the group of its coordinates on the kept (not
// reduced) axes; moments are per group.
template <typename T>
class MvnOp final : public OpKernel {
 public:
  explicit MvnOp(const OpKernelConstruction& c) : OpKernel(c) {
    if (auto v = c.attr<std::vector<int64_t>>("axes"); v.ok()) axes_ = *v;
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const int rank = x.shape().rank();
    absl::StatusOr<std::vector<int>> axes = NormalizeAxes(axes_, rank);
    if (!axes.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("node '", ctx.node_name(),
                                                     "' (MeanVarianceNormalization): ",
                                                     axes.status().message()));
    }
    std::vector<bool> reduced(rank, false);
    for (int a : *axes) reduced[a] = true;
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.shape()));
    const int64_t n = x.num_elements();
    if (n == 0) return absl::OkStatus();
    // group[i]: the index of element i's group, from its kept coordinates.
    std::vector<int64_t> group(n);
    int64_t groups = 1;
    for (int d = 0; d < rank; ++d) {
      if (!reduced[d]) groups *= x.shape().dim(d);
    }
    for (int64_t i = 0; i < n; ++i) {
      int64_t rest = i, g = 0, mult = 1;
      for (int d = rank - 1; d >= 0; --d) {
        const int64_t c = rest % x.shape().dim(d);
        rest /= x.shape().dim(d);
        if (!reduced[d]) {
          g += c * mult;
          mult *= x.shape().dim(d);
        }
      }
      group[i] = g;
    }
    std::vector<double> sum(groups, 0.0), sq(groups, 0.0), count(groups, 0.0);
    const T* in = x.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      const double v = in[i];
      sum[group[i]] += v;
      sq[group[i]] += v * v;
      count[group[i]] += 1.0;
    }
    T* y = out->data<T>();
    for (int64_t i = 0; i < n; ++i) {
      const int64_t g = group[i];
      const double mean = sum[g] / count[g];
      const double var = sq[g] / count[g] - mean * mean;  // ONNX's E[x^2] - E[x]^2
      y[i] = static_cast<T>((in[i] - mean) / std::sqrt(var + 1e-9));
    }
    return absl::OkStatus();
  }

 private:
  std::vector<int64_t> axes_ = {0, 2, 3};
};

template <typename T>
class DeterminantOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const int r = x.shape().rank();
    if (r < 2 || x.shape().dim(r - 1) != x.shape().dim(r - 2)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "node '", ctx.node_name(), "' (MatrixDeterminant): needs square matrices [..., M, M], "
          "got ", x.ShapeString()));
    }
    const int64_t m = x.shape().dim(r - 1);
    std::vector<int64_t> batch_dims(x.shape().dims().begin(), x.shape().dims().end() - 2);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape(batch_dims)));
    const T* in = x.data<T>();
    T* y = out->data<T>();
    ctx.ParallelFor(out->num_elements(), std::max<int64_t>(1, m * m * m),
                    [&](int64_t b, int64_t e) {
      std::vector<double> a(m * m);
      for (int64_t k = b; k < e; ++k) {
        std::copy(in + k * m * m, in + (k + 1) * m * m, a.begin());
        y[k] = static_cast<T>(LuDeterminant(a, m));
      }
    });
    return absl::OkStatus();
  }

 private:
  // Gaussian elimination with partial pivoting: the product of the pivots,
  // negated per row swap. A zero column gives 0.
  static double LuDeterminant(std::vector<double>& a, int64_t m) {
    double det = 1.0;
    for (int64_t c = 0; c < m; ++c) {
      int64_t p = c;
      for (int64_t i = c + 1; i < m; ++i) {
        if (std::abs(a[i * m + c]) > std::abs(a[p * m + c])) p = i;
      }
      if (a[p * m + c] == 0.0) return 0.0;
      if (p != c) {
        for (int64_t j = 0; j < m; ++j) std::swap(a[p * m + j], a[c * m + j]);
        det = -det;
      }
      const double pivot = a[c * m + c];
      det *= pivot;
      for (int64_t i = c + 1; i < m; ++i) {
        const double f = a[i * m + c] / pivot;
        for (int64_t j = c; j < m; ++j) a[i * m + j] -= f * a[c * m + j];
      }
    }
    return det;
  }
};

}  // namespace

void RegisterMiscKernels(KernelRegistry& r) {
  r.Register<ShrinkOp<float>>("Shrink", kDeviceCpu, {{"T", {DataType::kFloat32}}});
  r.Register<ShrinkOp<double>>("Shrink", kDeviceCpu, {{"T", {DataType::kFloat64}}});
  r.Register<MvnOp<float>>("MeanVarianceNormalization", kDeviceCpu,
                           {{"T", {DataType::kFloat32}}});
  r.Register<MvnOp<double>>("MeanVarianceNormalization", kDeviceCpu,
                            {{"T", {DataType::kFloat64}}});
  r.Register<DeterminantOp<float>>("MatrixDeterminant", kDeviceCpu,
                                   {{"T", {DataType::kFloat32}}});
  r.Register<DeterminantOp<double>>("MatrixDeterminant", kDeviceCpu,
                                    {{"T", {DataType::kFloat64}}});
}

}  // namespace graphrt
