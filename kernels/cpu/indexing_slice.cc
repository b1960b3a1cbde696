// StridedSlice on the CPU (core/graph/ops/indexing_ops.h), for every dtype:
// the plan (PlanStridedSlice, shared with shape inference) is made against
// the input's shape when it runs, so an unknown batch dim works.
//
// After the plan, shrunk dims and new axes only relabel, so the copy walks
// the input dims: for each output row (every dim but the last), the input
// offset of its first element, then the innermost dim as one memcpy when its
// step is 1, or an element loop (elements as unsigned integers of their
// width) otherwise. A slice that keeps everything shares the input's buffer.
// Rows are split over the intra-op pool.
// Errors (INVALID_ARGUMENT): the plan's (a zero stride, a shrunk index out
// of range, ...), naming the input's shape.
// Thread-safety: Compute is thread-safe (the kernel keeps only its attrs).
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "core/graph/ops/indexing_slice.h"
#include "kernels/cpu/indexing_kernels.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

template <typename Bits>
void CopyStrided(const char* src, int64_t stride, int64_t n, char* dst) {
  const Bits* s = reinterpret_cast<const Bits*>(src);
  Bits* d = reinterpret_cast<Bits*>(dst);
  for (int64_t i = 0; i < n; ++i) d[i] = s[i * stride];
}

}  // namespace

absl::Status WriteStridedSlice(OpKernelContext& ctx, const Tensor& x,
                               const StridedSlicePlan& p) {
  const TensorShape out_shape{std::span<const int64_t>(p.output)};
  const int rank = x.rank();
  bool identity = true;
  for (int d = 0; d < rank; ++d) {
    identity &= p.begin[d] == 0 && p.stride[d] == 1 && p.size[d] == x.dim(d);
  }
  if (identity) {
    ASSIGN_OR_RETURN(Tensor same, x.Reshaped(out_shape));
    return ctx.set_output(0, std::move(same));
  }
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, out_shape));
  if (out->num_elements() == 0) return absl::OkStatus();
  const int64_t elem = DataTypeSize(x.dtype());
  if (rank == 0) {
    std::memcpy(out->raw_data(), x.raw_data(), elem);
    return absl::OkStatus();
  }
  std::vector<int64_t> in_stride(rank, 1);  // in elements
  for (int d = rank - 2; d >= 0; --d) in_stride[d] = in_stride[d + 1] * x.dim(d + 1);
  int64_t base = 0;
  for (int d = 0; d < rank; ++d) base += p.begin[d] * in_stride[d];
  const int64_t inner = p.size[rank - 1], step = p.stride[rank - 1];
  const int64_t rows = out->num_elements() / inner;
  const char* src = static_cast<const char*>(x.raw_data());
  char* dst = static_cast<char*>(out->raw_data());
  ctx.ParallelFor(rows, inner / 8 + 1, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      int64_t offset = base;
      for (int64_t d = rank - 2, rest = r; d >= 0; --d) {
        offset += (rest % p.size[d]) * p.stride[d] * in_stride[d];
        rest /= p.size[d];
      }
      const char* from = src + offset * elem;
      char* to = dst + r * inner * elem;
      if (step == 1) {
        std::memcpy(to, from, inner * elem);
        continue;
      }
      switch (elem) {
        case 1: CopyStrided<uint8_t>(from, step, inner, to); break;
        case 2: CopyStrided<uint16_t>(from, step, inner, to); break;
        case 4: CopyStrided<uint32_t>(from, step, inner, to); break;
        default: CopyStrided<uint64_t>(from, step, inner, to); break;
      }
    }
  });
  return absl::OkStatus();
}

namespace {

class StridedSliceOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;

  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(a_.begin, c.attr<std::vector<int64_t>>("begin"));
    ASSIGN_OR_RETURN(a_.end, c.attr<std::vector<int64_t>>("end"));
    ASSIGN_OR_RETURN(a_.strides, c.attr<std::vector<int64_t>>("strides"));
    ASSIGN_OR_RETURN(a_.begin_mask, c.attr<int64_t>("begin_mask"));
    ASSIGN_OR_RETURN(a_.end_mask, c.attr<int64_t>("end_mask"));
    ASSIGN_OR_RETURN(a_.ellipsis_mask, c.attr<int64_t>("ellipsis_mask"));
    ASSIGN_OR_RETURN(a_.new_axis_mask, c.attr<int64_t>("new_axis_mask"));
    ASSIGN_OR_RETURN(a_.shrink_axis_mask, c.attr<int64_t>("shrink_axis_mask"));
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    auto planned = PlanStridedSlice(x.shape().dims(), a_);
    if (!planned.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("StridedSlice of ", x.ShapeString(), ": ", planned.status().message()));
    }
    return WriteStridedSlice(ctx, x, *planned);
  }

 private:
  StridedSliceAttrs a_;
};

}  // namespace

void RegisterSliceKernels(KernelRegistry& r) {
  r.Register<StridedSliceOp>("StridedSlice", kDeviceCpu, {{"T", AllElementTypes()}});
}

}  // namespace graphrt
