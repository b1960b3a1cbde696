// TopKV2 on the CPU (core/graph/ops/indexing_ops.h) for float32/float64/
// int32/int64 values and int32/int64 indices: for each lane along the axis,
// the k largest (or smallest) elements, ties going to the lower index (ONNX's
// rule; TF's too), in order when sorted is set (always here: a sorted answer
// is also a valid unsorted one). k is read when it runs.
// Errors (INVALID_ARGUMENT): k not a scalar, negative, or above the axis' size.
// Lanes are split over the intra-op pool.
// Thread-safety: Compute is thread-safe (the kernel keeps only its attrs).
#include <algorithm>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/cpu/indexing_kernels.h"

namespace graphrt {
namespace {

template <typename T, typename Index>
class TopKOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(axis_, c.attr<int64_t>("axis"));
    ASSIGN_OR_RETURN(largest_, c.attr<bool>("largest"));
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& kt = ctx.input(1);
    const int rank = x.rank();
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (kt.num_elements() != 1 || axis < 0 || axis >= rank) {
      return absl::InvalidArgumentError(absl::StrCat(
          "TopKV2: k ", kt.ShapeString(), " must be a scalar and axis ", axis_, " a dim of ",
          x.ShapeString()));
    }
    const int64_t k = kt.dtype() == DataType::kInt32 ? kt.flat<int32_t>()[0] : kt.flat<int64_t>()[0];
    const int64_t n = x.dim(static_cast<int>(axis));
    if (k < 0 || k > n) {
      return absl::InvalidArgumentError(absl::StrCat(
          "TopKV2: k ", k, " is outside [0, ", n, "] for axis ", axis, " of ", x.ShapeString()));
    }
    std::vector<int64_t> dims(x.shape().dims().begin(), x.shape().dims().end());
    dims[axis] = k;
    const TensorShape shape{std::span<const int64_t>(dims)};
    ASSIGN_OR_RETURN(Tensor * values, ctx.allocate_output(0, shape));
    ASSIGN_OR_RETURN(Tensor * indices, ctx.allocate_output(1, shape));
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < rank; ++d) {
      if (d < axis) outer *= x.dim(d);
      if (d > axis) inner *= x.dim(d);
    }
    const T* in = x.data<T>();
    T* vo = values->data<T>();
    Index* io = indices->data<Index>();
    ctx.ParallelFor(outer * inner, n * 4 + 1, [&](int64_t begin, int64_t end) {
      std::vector<int64_t> order(n);
      for (int64_t lane = begin; lane < end; ++lane) {
        const int64_t o = lane / inner, i = lane % inner;
        const T* p = in + o * n * inner + i;
        std::iota(order.begin(), order.end(), 0);
        auto before = [&](int64_t a, int64_t b) {
          const T va = p[a * inner], vb = p[b * inner];
          if (va != vb) return largest_ ? va > vb : va < vb;
          return a < b;
        };
        std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
        for (int64_t j = 0; j < k; ++j) {
          const int64_t at = (o * k + j) * inner + i;
          vo[at] = p[order[j] * inner];
          io[at] = static_cast<Index>(order[j]);
        }
      }
    });
    return absl::OkStatus();
  }

 private:
  int64_t axis_ = -1;
  bool largest_ = true;
};

template <typename T>
void RegisterFor(KernelRegistry& r) {
  r.Register<TopKOp<T, int32_t>>("TopKV2", kDeviceCpu,
                                 {{"T", {DataTypeOf<T>()}}, {"index_type", {DataType::kInt32}}});
  r.Register<TopKOp<T, int64_t>>("TopKV2", kDeviceCpu,
                                 {{"T", {DataTypeOf<T>()}}, {"index_type", {DataType::kInt64}}});
}

}  // namespace

void RegisterTopKKernels(KernelRegistry& r) {
  RegisterFor<float>(r);
  RegisterFor<double>(r);
  RegisterFor<int32_t>(r);
  RegisterFor<int64_t>(r);
}

}  // namespace graphrt
