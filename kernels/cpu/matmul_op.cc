#include "kernels/cpu/matmul_op.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

// Note [MatMul row blocks]
// Rationale: the GEMM (kernels/cpu/gemm.h) is single threaded; the intra-op
// pool splits the output, each piece one CpuGemm call over a block of C.
// Approach: the units handed to ParallelFor are row tiles of kGemmTileRows
// rows, costed at ~kSplitFlopsPerNs; the pool never makes a piece worth less
// than kMinParallelWorkNs (20 us) and joins neighbouring units, so a piece is
// one GEMM over whole tiles. Every piece packs all of op(b) again, so a thin
// product (fewer row tiles than column panels: m = 32 at batch 32) is split
// by panels of kGemmPanel columns instead, each piece packing only its own.
// A panel costs at least the time to stream its k x 32 floats of B
// (kStreamBytesPerNs): at batch 1 the product is bound by reading B, not by
// its few FMAs, and costing the FMAs alone kept the MLP's 784x300 layer on
// one thread (the MLP at batch 1 on two threads: 12.2 -> 9.3 us).
// Limitations: the pieces are fixed by the shapes and the pool's threshold,
// not by the cache: a very large product is one GEMM per thread.
constexpr int64_t kSplitFlopsPerNs = 100;  // one core, AVX2 GEMM, in cache
constexpr int64_t kCostFlopsPerNs = 50;    // conservative, for dispatch decisions
constexpr int64_t kStreamBytesPerNs = 20;  // B from L2 (or memory), one core

}  // namespace

absl::Status MatMulOp::Init(const OpKernelConstruction& c) {
  ASSIGN_OR_RETURN(transpose_a_, c.attr<bool>("transpose_a"));
  ASSIGN_OR_RETURN(transpose_b_, c.attr<bool>("transpose_b"));
  fused_ = op() == "FusedMatMul";
  if (fused_) {
    ASSIGN_OR_RETURN(std::string activation, c.attr<std::string>("activation"));
    ASSIGN_OR_RETURN(relu_, MatMulActivationIsRelu(activation));
  }
  if (std::optional<Tensor> b = c.ConstantInput(1);
      b.has_value() && b->dtype() == DataType::kFloat32 && b->rank() == 2) {
    packed_b_ = PackGemmB(b->data<float>(), transpose_b_, b->dim(transpose_b_ ? 1 : 0),
                          b->dim(transpose_b_ ? 0 : 1));
  }
  return absl::OkStatus();
}

int64_t MatMulOp::CostEstimateNs(std::span<const Tensor* const> inputs) const {
  if (inputs.size() < 2 || inputs[0]->rank() != 2 || inputs[1]->rank() != 2) {
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
  const MatMulDims& d = dims;
  const float* bias = nullptr;
  if (fused_) {
    RETURN_IF_ERROR(CheckMatMulBias(ctx.input(2), d.n));
    bias = ctx.input(2).data<float>();
  }
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape{d.m, d.n}));
  if (d.m == 0 || d.n == 0) return absl::OkStatus();
  float* c = out->data<float>();
  if (d.k == 0) {  // a sum of nothing: zeros, then the epilogue
    for (int64_t i = 0; i < d.m; ++i) {
      for (int64_t j = 0; j < d.n; ++j) {
        c[i * d.n + j] = bias == nullptr ? 0.0f : relu_ ? std::max(bias[j], 0.0f) : bias[j];
      }
    }
    return absl::OkStatus();
  }
  // The epilogue (FusedMatMul's bias and Relu) rides on each block's
  // CpuGemm call: Note [GEMM epilogue] in gemm.cc.
  const GemmProblem p{.a = a.data<float>(), .transpose_a = transpose_a_, .b = b.data<float>(),
                      .transpose_b = transpose_b_, .c = c, .m = d.m, .k = d.k, .n = d.n,
                      .packed_b = packed_b_.isa == CpuIsa::kGeneric ? nullptr : &packed_b_,
                      .bias = bias, .relu = relu_};
  const int64_t panels = (d.n + kGemmPanel - 1) / kGemmPanel;
  const int64_t tiles = (d.m + kGemmTileRows - 1) / kGemmTileRows;
  if (panels > tiles) {
    // A thin product streams B: a panel costs at least its bytes at
    // kStreamBytesPerNs, however few rows read it.
    const int64_t panel_cost_ns = std::max<int64_t>(
        {1, 2 * d.m * d.k * kGemmPanel / kSplitFlopsPerNs,
         d.k * kGemmPanel * static_cast<int64_t>(sizeof(float)) / kStreamBytesPerNs});
    ctx.ParallelFor(panels, panel_cost_ns, [&](int64_t begin, int64_t end) {
      CpuGemm(p, 0, d.m, begin * kGemmPanel, std::min(end * kGemmPanel, d.n));
    });
    return absl::OkStatus();
  }
  const int64_t tile_cost_ns =
      std::max<int64_t>(1, 2 * kGemmTileRows * d.k * d.n / kSplitFlopsPerNs);
  ctx.ParallelFor(tiles, tile_cost_ns, [&](int64_t begin, int64_t end) {
    CpuGemm(p, begin * kGemmTileRows, std::min(end * kGemmTileRows, d.m), 0, d.n);
  });
  return absl::OkStatus();
}

void RegisterMatMulKernels(KernelRegistry& r) {
  r.Register<MatMulOp>("MatMul", kDeviceCpu, {{"T", {DataType::kFloat32}}});
  r.Register<MatMulOp>("FusedMatMul", kDeviceCpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
