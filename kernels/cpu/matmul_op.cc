#include "kernels/cpu/matmul_op.h"

#include <algorithm>

#include <Eigen/Core>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/cpu/gemm_avx2.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

// Note [MatMul row blocks]
// Rationale: Eigen's GEMM is fast but single threaded here; the intra-op pool
// splits the output by rows, each piece one GEMM over a contiguous block of
// rows of op(a) against the whole of op(b).
// Approach: the units handed to ParallelFor are blocks of kRowsPerBlock rows,
// costed at ~kSplitFlopsPerNs. The pool never makes a piece worth less than
// kMinParallelWorkNs (20 us) and joins neighbouring units into one piece, so
// a piece is always a single GEMM of whole blocks: 32x784x100 (~50 us of
// work) becomes at most two GEMMs of 16 rows, never 32 GEMMs of one row.
// Limitations: every piece packs all of op(b) again, which is why pieces are
// never made smaller than the pool's threshold; a product with few rows and
// a wide op(b) is not split by columns.
constexpr int64_t kRowsPerBlock = 8;
constexpr int64_t kSplitFlopsPerNs = 100;  // one core, AVX2 GEMM, in cache
constexpr int64_t kCostFlopsPerNs = 50;    // conservative, for dispatch decisions

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMatrixMap = Eigen::Map<const RowMatrix>;
using StridedConstMatrixMap = Eigen::Map<const RowMatrix, Eigen::Unaligned, Eigen::OuterStride<>>;
using MatrixMap = Eigen::Map<RowMatrix>;

struct GemmDims {
  int64_t m, k, n;
  bool ta, tb;
};

// The small-batch AVX2 kernel (kernels/cpu/gemm_avx2.h) takes B as stored
// and panels of 16 columns; it beats Eigen on thin products whose B panel
// fits in L2.
bool UseGemmAvx2(const GemmDims& d) {
  return GemmAvx2Available() && !d.tb && d.n >= 16 && d.k <= 2048;
}

// Rows [r0, r1) of op(a) x op(b), written to the same rows of c ([m, n]).
void MultiplyRows(const float* a, const float* b, float* c, const GemmDims& d, int64_t r0,
                  int64_t r1) {
  if (UseGemmAvx2(d)) return GemmAvx2(a, d.ta, b, c, d.m, d.k, d.n, r0, r1, 0, d.n);
  const int64_t rows = r1 - r0;
  MatrixMap out(c + r0 * d.n, rows, d.n);
  auto times_b = [&](const auto& lhs) {
    if (d.tb) {
      out.noalias() = lhs * ConstMatrixMap(b, d.n, d.k).transpose();
    } else {
      out.noalias() = lhs * ConstMatrixMap(b, d.k, d.n);
    }
  };
  if (d.ta) {
    // a is stored [k, m]: rows r0..r1 of a^T are its columns r0..r1.
    times_b(StridedConstMatrixMap(a + r0, d.k, rows, Eigen::OuterStride<>(d.m)).transpose());
  } else {
    times_b(ConstMatrixMap(a + r0 * d.k, rows, d.k));
  }
}

}  // namespace

absl::Status MatMulOp::Init(const OpKernelConstruction& c) {
  ASSIGN_OR_RETURN(transpose_a_, c.attr<bool>("transpose_a"));
  ASSIGN_OR_RETURN(transpose_b_, c.attr<bool>("transpose_b"));
  return absl::OkStatus();
}

int64_t MatMulOp::CostEstimateNs(std::span<const Tensor* const> inputs) const {
  if (inputs.size() != 2 || inputs[0]->rank() != 2 || inputs[1]->rank() != 2) {
    return OpKernel::CostEstimateNs(inputs);
  }
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  const double m = a.dim(transpose_a_ ? 1 : 0), k = a.dim(transpose_a_ ? 0 : 1);
  const double n = b.dim(transpose_b_ ? 0 : 1);
  const double ns = 2.0 * m * k * n / kCostFlopsPerNs;
  return ns >= 9e18 ? int64_t{9'000'000'000'000'000'000} : static_cast<int64_t>(ns);
}

absl::Status MatMulOp::Compute(OpKernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  ASSIGN_OR_RETURN(MatMulDims dims, MatMulShape(a, b, transpose_a_, transpose_b_));
  const GemmDims d{dims.m, dims.k, dims.n, transpose_a_, transpose_b_};
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape{d.m, d.n}));
  if (d.m == 0 || d.n == 0) return absl::OkStatus();
  float* c = out->data<float>();
  if (d.k == 0) {
    std::fill(c, c + d.m * d.n, 0.0f);
    return absl::OkStatus();
  }
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  if (UseGemmAvx2(d)) {
    // Thin products split by column panels (see gemm_avx2.h), others by rows.
    const int64_t panels = (d.n + kGemmAvx2Panel - 1) / kGemmAvx2Panel;
    if (panels > (d.m + kGemmAvx2TileRows - 1) / kGemmAvx2TileRows) {
      const int64_t panel_cost_ns =
          std::max<int64_t>(1, 2 * d.m * d.k * kGemmAvx2Panel / kSplitFlopsPerNs);
      ctx.ParallelFor(panels, panel_cost_ns, [&](int64_t begin, int64_t end) {
        GemmAvx2(pa, d.ta, pb, c, d.m, d.k, d.n, 0, d.m, begin * kGemmAvx2Panel,
                 std::min(end * kGemmAvx2Panel, d.n));
      });
      return absl::OkStatus();
    }
  }
  const int64_t row_cost_ns = std::max<int64_t>(1, 2 * d.k * d.n / kSplitFlopsPerNs);
  const int64_t blocks = (d.m + kRowsPerBlock - 1) / kRowsPerBlock;
  ctx.ParallelFor(blocks, row_cost_ns * kRowsPerBlock, [&](int64_t begin, int64_t end) {
    MultiplyRows(pa, pb, c, d, begin * kRowsPerBlock, std::min(end * kRowsPerBlock, d.m));
  });
  return absl::OkStatus();
}

void RegisterMatMulKernels(KernelRegistry& r) {
  r.Register<MatMulOp>("MatMul", kDeviceCpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
