// Pad, PadV2, SliceLike, ConcatV2 and SplitLike on the CPU, for every dtype
// (core/graph/ops/layout_ops.h; plans, shape rules and messages shared with
// the GPU: kernels/common/layout_shape.h).
//
//   Pad / PadV2 / SliceLike  a box copy over the collapsed plan: each
//       output row (innermost collapsed dim) is filled, copied with memcpy,
//       or both (the pads before and after). PadV2's constant_values must be
//       a scalar of the input's dtype; Pad fills with zero bits (0, false).
//   ConcatV2 / SplitLike     the joined tensor as [outer, width] rows, each
//       piece a column block: memcpy of contiguous runs.
//
// Work is split over the intra-op pool by output element (about 0.25 ns per
// element, memory bound), so one huge row splits as well as many small ones.
// Elements move as unsigned integers of their width: one instantiation per
// element size serves every dtype.
// Thread-safety: Compute is thread-safe (kernels keep only their attrs).
#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/layout_shape.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

constexpr int64_t kCostNs = 1;  // per element, rounded up

// Output elements [begin, end) of the box copy `p` (see BoxPlan).
template <typename Bits>
void BoxCopy(const BoxPlan& p, const Bits* in, Bits* out, Bits fill, int64_t begin,
             int64_t end) {
  const int rank = static_cast<int>(p.out_dims.size());
  const int64_t row_len = p.out_dims[rank - 1];
  const int64_t in_len = p.in_dims[rank - 1], off = p.offset[rank - 1];
  // The row's columns that read the input: [lo, hi).
  const int64_t lo = std::clamp<int64_t>(off, 0, row_len);
  const int64_t hi = std::clamp<int64_t>(off + in_len, lo, row_len);
  for (int64_t row = begin / row_len; row * row_len < end; ++row) {
    const int64_t j0 = std::max(begin - row * row_len, int64_t{0});
    const int64_t j1 = std::min(end - row * row_len, row_len);
    Bits* dst = out + row * row_len;
    // The input row: coordinates of the outer dims, innermost first.
    int64_t rem = row, in_row = 0, stride = 1;
    bool inside = true;
    for (int d = rank - 2; d >= 0; --d) {
      const int64_t c = rem % p.out_dims[d] - p.offset[d];
      rem /= p.out_dims[d];
      stride *= p.in_dims[d + 1];
      inside = inside && c >= 0 && c < p.in_dims[d];
      in_row += c * stride;
    }
    if (!inside) {
      std::fill(dst + j0, dst + j1, fill);
      continue;
    }
    const int64_t a = std::clamp(lo, j0, j1), b = std::clamp(hi, j0, j1);
    std::fill(dst + j0, dst + a, fill);
    if (b > a) std::memcpy(dst + a, in + in_row + (a - off), (b - a) * sizeof(Bits));
    std::fill(dst + b, dst + j1, fill);
  }
}

template <typename Bits>
absl::Status RunBox(OpKernelContext& ctx, const BoxPlan& p, Bits fill) {
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, p.output));
  const Bits* in = static_cast<const Bits*>(ctx.input(0).raw_data());
  Bits* dst = static_cast<Bits*>(out->raw_data());
  ctx.ParallelFor(p.output.num_elements(), kCostNs,
                  [&](int64_t b, int64_t e) { BoxCopy(p, in, dst, fill, b, e); });
  return absl::OkStatus();
}

// Pad (no constant input) and PadV2 (input 1 holds the fill value).
template <typename Bits>
class PadOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(paddings_, c.attr<std::vector<int64_t>>("paddings"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    ASSIGN_OR_RETURN(BoxPlan plan, PlanPad(ctx.input(0).shape(), paddings_));
    Bits fill{};
    if (ctx.num_inputs() > 1) {
      const Tensor& value = ctx.input(1);
      if (value.shape().rank() != 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "PadV2: constant_values must be a scalar, got ", value.ShapeString()));
      }
      std::memcpy(&fill, value.raw_data(), sizeof(Bits));
    }
    return RunBox<Bits>(ctx, plan, fill);
  }

 private:
  std::vector<int64_t> paddings_;
};

template <typename Bits>
class SliceLikeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(begin_, c.attr<std::vector<int64_t>>("begin"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    ASSIGN_OR_RETURN(BoxPlan plan,
                     PlanSliceLike(ctx.input(0).shape(), ctx.input(1).shape(), begin_));
    return RunBox<Bits>(ctx, plan, Bits{});
  }

 private:
  std::vector<int64_t> begin_;
};

// Joined elements [begin, end) to or from the pieces: `gather` copies pieces
// into the joined tensor (ConcatV2), else the joined tensor out (SplitLike).
void MoveRuns(const ConcatPlan& p, char* joined, const std::vector<char*>& pieces,
              int64_t bytes, bool gather, int64_t begin, int64_t end) {
  const int64_t w = p.total_width;
  size_t k = 0;
  for (int64_t pos = begin; pos < end;) {
    const int64_t row = pos / w, col = pos % w;
    if (k >= p.widths.size() || col < p.starts[k]) k = 0;
    while (col >= p.starts[k] + p.widths[k]) ++k;
    const int64_t n = std::min(end - pos, p.starts[k] + p.widths[k] - col);
    char* piece = pieces[k] + (row * p.widths[k] + col - p.starts[k]) * bytes;
    char* whole = joined + pos * bytes;
    std::memcpy(gather ? whole : piece, gather ? piece : whole, n * bytes);
    pos += n;
  }
}

class ConcatOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(axis_, c.attr<int64_t>("axis"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    std::vector<TensorShape> shapes;
    std::vector<char*> pieces;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      shapes.push_back(ctx.input(i).shape());
      pieces.push_back(static_cast<char*>(ctx.input(i).raw_data()));
    }
    ASSIGN_OR_RETURN(ConcatPlan plan, PlanConcat(shapes, axis_));
    if (ctx.num_inputs() == 1) return ctx.set_output(0, ctx.input(0));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, plan.joined));
    if (plan.joined.num_elements() == 0) return absl::OkStatus();
    const int64_t bytes = DataTypeSize(out->dtype());
    char* joined = static_cast<char*>(out->raw_data());
    ctx.ParallelFor(plan.joined.num_elements(), kCostNs, [&](int64_t b, int64_t e) {
      MoveRuns(plan, joined, pieces, bytes, /*gather=*/true, b, e);
    });
    return absl::OkStatus();
  }

 private:
  int64_t axis_ = 0;
};

class SplitLikeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(axis_, c.attr<int64_t>("axis"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    std::vector<TensorShape> likes;
    for (int i = 1; i < ctx.num_inputs(); ++i) likes.push_back(ctx.input(i).shape());
    ASSIGN_OR_RETURN(ConcatPlan plan, PlanSplitLike(in.shape(), likes, axis_));
    std::vector<char*> pieces;
    for (size_t k = 0; k < likes.size(); ++k) {
      ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(static_cast<int>(k), plan.pieces[k]));
      pieces.push_back(static_cast<char*>(out->raw_data()));
    }
    if (in.num_elements() == 0) return absl::OkStatus();
    const int64_t bytes = DataTypeSize(in.dtype());
    char* joined = static_cast<char*>(in.raw_data());
    ctx.ParallelFor(in.num_elements(), kCostNs, [&](int64_t b, int64_t e) {
      MoveRuns(plan, joined, pieces, bytes, /*gather=*/false, b, e);
    });
    return absl::OkStatus();
  }

 private:
  int64_t axis_ = 0;
};

template <template <typename> class K>
void RegisterBySize(KernelRegistry& r, const char* op) {
  using DT = DataType;
  r.Register<K<uint8_t>>(op, kDeviceCpu, {{"T", {DT::kUint8, DT::kBool}}});
  r.Register<K<uint32_t>>(op, kDeviceCpu, {{"T", {DT::kFloat32, DT::kInt32}}});
  r.Register<K<uint64_t>>(op, kDeviceCpu, {{"T", {DT::kInt64}}});
}

}  // namespace

void RegisterPadConcatKernels(KernelRegistry& r) {
  RegisterBySize<PadOp>(r, "Pad");
  RegisterBySize<PadOp>(r, "PadV2");
  RegisterBySize<SliceLikeOp>(r, "SliceLike");
  r.Register<ConcatOp>("ConcatV2", kDeviceCpu);
  r.Register<SplitLikeOp>("SplitLike", kDeviceCpu);
}

}  // namespace graphrt
