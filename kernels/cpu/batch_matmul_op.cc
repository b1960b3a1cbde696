// BatchMatMulV2 on the CPU (core/graph/ops/nn_ext_ops.h), float32 and
// float64: one Eigen GEMM per output matrix, the batch split over the
// intra-op pool. Batch dims broadcast like numpy: an input whose batch dim is
// 1 (or missing) is reused for every index of that dim, by a zero stride.
#include <algorithm>
#include <vector>

#include <Eigen/Core>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

class BatchMatMulOp final : public OpKernel {
 public:
  explicit BatchMatMulOp(const OpKernelConstruction& c) : OpKernel(c) {}
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(adj_x_, c.attr<bool>("adj_x"));
    ASSIGN_OR_RETURN(adj_y_, c.attr<bool>("adj_y"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    if (ctx.input(0).dtype() == DataType::kFloat64) return Run<double>(ctx);
    return Run<float>(ctx);
  }

 private:
  template <typename T>
  absl::Status Run(OpKernelContext& ctx);
  bool adj_x_ = false, adj_y_ = false;
};

template <typename T>
absl::Status BatchMatMulOp::Run(OpKernelContext& ctx) {
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Tensor& x = ctx.input(0);
  const Tensor& y = ctx.input(1);
  auto shapes = [&] {
    return absl::StrCat("x ", x.shape().DebugString(), " and y ", y.shape().DebugString(),
                        " (adj_x ", adj_x_, ", adj_y ", adj_y_, ")");
  };
  if (x.rank() < 2 || y.rank() < 2) {
    return absl::InvalidArgumentError(absl::StrCat("inputs must have rank >= 2: ", shapes()));
  }
  const int rx = x.rank(), ry = y.rank(), rb = std::max(rx, ry) - 2;
  const int64_t m = x.dim(adj_x_ ? rx - 1 : rx - 2), k = x.dim(adj_x_ ? rx - 2 : rx - 1);
  const int64_t n = y.dim(adj_y_ ? ry - 2 : ry - 1);
  if (y.dim(adj_y_ ? ry - 1 : ry - 2) != k) {
    return absl::InvalidArgumentError(absl::StrCat("inner dimensions differ: ", shapes()));
  }
  // Batch dims, right-aligned; per dim the element stride of each input's
  // matrices (0 where it broadcasts).
  std::vector<int64_t> dims(rb), sx(rb, 0), sy(rb, 0);
  int64_t step_x = m * k, step_y = k * n;
  for (int i = rb - 1; i >= 0; --i) {
    const int ix = i - (rb - (rx - 2)), iy = i - (rb - (ry - 2));
    const int64_t dx = ix >= 0 ? x.dim(ix) : 1, dy = iy >= 0 ? y.dim(iy) : 1;
    if (dx != dy && dx != 1 && dy != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("batch dimensions do not broadcast: ", shapes()));
    }
    dims[i] = std::max(dx, dy);
    if (dx == 0 || dy == 0) dims[i] = 0;
    sx[i] = dx == 1 ? 0 : step_x;
    sy[i] = dy == 1 ? 0 : step_y;
    step_x *= dx;
    step_y *= dy;
  }
  std::vector<int64_t> out_dims = dims;
  out_dims.push_back(m);
  out_dims.push_back(n);
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape(out_dims)));
  if (out->num_elements() == 0) return absl::OkStatus();
  const int64_t batches = out->num_elements() / (m * n);
  const T* px = x.data<T>();
  const T* py = y.data<T>();
  T* po = out->data<T>();
  ctx.ParallelFor(batches, std::max<int64_t>(1, 2 * m * k * n / 50), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      int64_t ox = 0, oy = 0, rest = b;
      for (int i = rb - 1; i >= 0; --i) {
        const int64_t idx = rest % dims[i];
        rest /= dims[i];
        ox += idx * sx[i];
        oy += idx * sy[i];
      }
      Eigen::Map<Matrix> c(po + b * m * n, m, n);
      if (k == 0) {
        c.setZero();
        continue;
      }
      Eigen::Map<const Matrix> a(px + ox, adj_x_ ? k : m, adj_x_ ? m : k);
      Eigen::Map<const Matrix> bm(py + oy, adj_y_ ? n : k, adj_y_ ? k : n);
      if (adj_x_ && adj_y_) {
        c.noalias() = a.transpose() * bm.transpose();
      } else if (adj_x_) {
        c.noalias() = a.transpose() * bm;
      } else if (adj_y_) {
        c.noalias() = a * bm.transpose();
      } else {
        c.noalias() = a * bm;
      }
    }
  });
  return absl::OkStatus();
}

}  // namespace

void RegisterBatchMatMulKernels(KernelRegistry& r) {
  r.Register<BatchMatMulOp>("BatchMatMulV2", kDeviceCpu,
                            {{"T", {DataType::kFloat32, DataType::kFloat64}}});
}

}  // namespace graphrt
