// Cumsum on the CPU (core/graph/ops/indexing_ops.h): running sums along an
// axis read when it runs, for float32/float64/int32/int64.
//
// The input is [outer, n, inner] around the axis; each (outer, inner) lane
// walks the axis forward (or backward with reverse), writing the sum before
// (exclusive) or after (inclusive) adding its element. Floats accumulate in
// double, integers wrap like their type (through uint64). Lanes are split
// over the intra-op pool by outer index.
// Errors (INVALID_ARGUMENT): an axis that is not a scalar in [-rank, rank).
// Thread-safety: Compute is thread-safe (the kernel keeps only its attrs).
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/cpu/indexing_kernels.h"

namespace graphrt {
namespace {

template <typename T>
class CumsumOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;

  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(exclusive_, c.attr<bool>("exclusive"));
    ASSIGN_OR_RETURN(reverse_, c.attr<bool>("reverse"));
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& axis_t = ctx.input(1);
    const int rank = x.rank();
    if (axis_t.num_elements() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Cumsum: axis must be a scalar, is ", axis_t.ShapeString()));
    }
    int64_t axis = axis_t.dtype() == DataType::kInt32 ? axis_t.flat<int32_t>()[0]
                                                      : axis_t.flat<int64_t>()[0];
    if (axis < -rank || axis >= rank) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Cumsum: axis ", axis, " is out of range [", -rank, ", ", rank, ") for ",
          x.ShapeString()));
    }
    if (axis < 0) axis += rank;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < rank; ++d) {
      if (d < axis) outer *= x.dim(d);
      if (d > axis) inner *= x.dim(d);
    }
    const int64_t n = x.dim(static_cast<int>(axis));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.shape()));
    if (out->num_elements() == 0) return absl::OkStatus();
    const T* in = x.data<T>();
    T* o = out->data<T>();
    ctx.ParallelFor(outer, n * inner + 1, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        for (int64_t i = 0; i < inner; ++i) {
          Acc acc = 0;
          for (int64_t s = 0; s < n; ++s) {
            const int64_t k = reverse_ ? n - 1 - s : s;
            const int64_t at = (b * n + k) * inner + i;
            if (exclusive_) o[at] = Finish(acc);
            acc += static_cast<Acc>(in[at]);
            if (!exclusive_) o[at] = Finish(acc);
          }
        }
      }
    });
    return absl::OkStatus();
  }

 private:
  static T Finish(Acc a) {
    if constexpr (std::is_floating_point_v<T>) return static_cast<T>(a);
    else return static_cast<T>(static_cast<int64_t>(a));
  }
  bool exclusive_ = false;
  bool reverse_ = false;
};

template <typename T>
void RegisterFor(KernelRegistry& r) {
  r.Register<CumsumOp<T>>("Cumsum", kDeviceCpu, {{"T", {DataTypeOf<T>()}}});
}

}  // namespace

void RegisterCumsumKernels(KernelRegistry& r) {
  RegisterFor<float>(r);
  RegisterFor<double>(r);
  RegisterFor<int32_t>(r);
  RegisterFor<int64_t>(r);
}

}  // namespace graphrt
