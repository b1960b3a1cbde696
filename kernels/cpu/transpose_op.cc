// Transpose on the CPU, for every dtype (core/graph/ops/layout_ops.h; the
// plan, which drops size-1 dims and merges dims that stay neighbours, and
// the messages are shared with the GPU: kernels/common/layout_shape.h).
//
// Paths, on the collapsed problem:
//   - rank <= 1 after collapsing (perm only moves size-1 dims): the output
//     shares the input's buffer under the new shape; no copy.
//   - the innermost input dim stays innermost: contiguous rows, memcpy.
//   - otherwise: 32x32 tiles of the plane (output dim q that reads the
//     innermost input dim, innermost output dim), so both the reads and the
//     writes run along cache lines; every other output dim is a batch.
// Work is split over the intra-op pool by rows or tiles. Elements move as
// unsigned integers of their width.
// Thread-safety: Compute is thread-safe (the kernel keeps only its attr).
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/layout_shape.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

constexpr int64_t kTile = 32;

// The collapsed problem with strides: output dim i has size out[i] and reads
// input stride in_stride[i].
struct Walk {
  std::vector<int64_t> out;
  std::vector<int64_t> in_stride;
  // The input offset of the output element whose coordinates (all dims but
  // `skip_a` and `skip_b`, which read as 0) make up `index`.
  int64_t Offset(int64_t index, int skip_a, int skip_b) const {
    int64_t offset = 0;
    for (int d = static_cast<int>(out.size()) - 1; d >= 0; --d) {
      if (d == skip_a || d == skip_b) continue;
      offset += (index % out[d]) * in_stride[d];
      index /= out[d];
    }
    return offset;
  }
};

Walk MakeWalk(const TransposePlan& p) {
  const int rank = static_cast<int>(p.in_dims.size());
  std::vector<int64_t> stride(rank, 1);
  for (int d = rank - 2; d >= 0; --d) stride[d] = stride[d + 1] * p.in_dims[d + 1];
  Walk w;
  for (int i = 0; i < rank; ++i) {
    w.out.push_back(p.in_dims[p.perm[i]]);
    w.in_stride.push_back(stride[p.perm[i]]);
  }
  return w;
}

template <typename Bits>
void Rows(OpKernelContext& ctx, const Walk& w, const Bits* in, Bits* out) {
  const int last = static_cast<int>(w.out.size()) - 1;
  const int64_t len = w.out[last];
  int64_t rows = 1;
  for (int d = 0; d < last; ++d) rows *= w.out[d];
  ctx.ParallelFor(rows, len, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      std::memcpy(out + r * len, in + w.Offset(r, last, -1), len * sizeof(Bits));
    }
  });
}

template <typename Bits>
void Tiles(OpKernelContext& ctx, const Walk& w, int q, const Bits* in, Bits* out) {
  const int rank = static_cast<int>(w.out.size());
  const int last = rank - 1;
  const int64_t nq = w.out[q], nl = w.out[last], sl = w.in_stride[last];
  std::vector<int64_t> out_stride(rank, 1);
  for (int d = rank - 2; d >= 0; --d) out_stride[d] = out_stride[d + 1] * w.out[d + 1];
  int64_t batch = 1;
  for (int d = 0; d < rank; ++d) batch *= (d == q || d == last) ? 1 : w.out[d];
  const int64_t tq = (nq + kTile - 1) / kTile, tl = (nl + kTile - 1) / kTile;
  ctx.ParallelFor(batch * tq * tl, kTile * kTile, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t bi = t / (tq * tl), a0 = (t / tl) % tq * kTile, l0 = t % tl * kTile;
      const int64_t in_base = w.Offset(bi, q, last);
      // The same batch coordinates in the output: its strides over the other dims.
      int64_t out_base = 0, rem = bi;
      for (int d = rank - 1; d >= 0; --d) {
        if (d == q || d == last) continue;
        out_base += (rem % w.out[d]) * out_stride[d];
        rem /= w.out[d];
      }
      const int64_t a1 = std::min(a0 + kTile, nq), l1 = std::min(l0 + kTile, nl);
      for (int64_t a = a0; a < a1; ++a) {
        Bits* dst = out + out_base + a * out_stride[q];
        const Bits* src = in + in_base + a;  // dim q reads the innermost input dim
        for (int64_t l = l0; l < l1; ++l) dst[l] = src[l * sl];
      }
    }
  });
}

template <typename Bits>
class TransposeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(perm_, c.attr<std::vector<int64_t>>("perm"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    ASSIGN_OR_RETURN(TransposePlan plan, PlanTranspose(x.shape(), perm_));
    if (plan.in_dims.size() <= 1) {
      ASSIGN_OR_RETURN(Tensor same, x.Reshaped(plan.output));
      return ctx.set_output(0, std::move(same));
    }
    ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, plan.output));
    if (plan.output.num_elements() == 0) return absl::OkStatus();
    const Bits* in = static_cast<const Bits*>(x.raw_data());
    Bits* out = static_cast<Bits*>(y->raw_data());
    const Walk w = MakeWalk(plan);
    const int rank = static_cast<int>(plan.perm.size());
    if (plan.perm[rank - 1] == rank - 1) {
      Rows(ctx, w, in, out);
    } else {
      const int q = static_cast<int>(
          std::find(plan.perm.begin(), plan.perm.end(), rank - 1) - plan.perm.begin());
      Tiles(ctx, w, q, in, out);
    }
    return absl::OkStatus();
  }

 private:
  std::vector<int64_t> perm_;
};

}  // namespace

void RegisterTransposeKernels(KernelRegistry& r) {
  using DT = DataType;
  r.Register<TransposeOp<uint8_t>>("Transpose", kDeviceCpu, {{"T", {DT::kUint8, DT::kBool}}});
  r.Register<TransposeOp<uint32_t>>("Transpose", kDeviceCpu,
                                    {{"T", {DT::kFloat32, DT::kInt32}}});
  r.Register<TransposeOp<uint64_t>>("Transpose", kDeviceCpu, {{"T", {DT::kInt64}}});
}

}  // namespace graphrt
