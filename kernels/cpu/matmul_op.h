// MatMul on the CPU: product = op(a) x op(b) for float32 matrices, where op
// transposes when the transpose_a / transpose_b attr is set; and FusedMatMul
// (core/graph/ops/math_ops.h), Activation(op(a) x op(b) + bias), the same
// kernel with the bias and Relu applied by each block's GEMM call (Note
// [GEMM epilogue], kernels/cpu/gemm.cc).
//
// The product is split by blocks of output rows (or, for thin products, of
// columns) over the intra-op pool (OpKernelContext::ParallelFor); each block
// is one single-threaded CpuGemm (kernels/cpu/gemm.h: AVX-512, AVX2 or Eigen,
// chosen at run time). See Note [MatMul row blocks] in matmul_op.cc for how
// blocks are sized. Results do not depend on the thread count.
//
// Errors: INVALID_ARGUMENT naming both shapes when an input is not a matrix
// or the inner dimensions differ (MatMulShape, kernels/common/matmul_shape.h,
// shared with the GPU), or naming the bias's shape when it is not [n]
// (FusedMatMulBiasCheck, same file). Empty dims are allowed; k == 0 gives
// zeros (the bias, for FusedMatMul).
// A constant b (a Const node's value: ONNX initializers, frozen weights) is
// packed once, when the kernel is made (PackGemmB), where the GEMM path
// packs B at all (AVX-512); each step then skips that copy of b. The packed
// copy sits beside the Const's own value (ONNX Runtime keeps only its
// packed weights).
// Thread-safety: Compute is thread-safe (the kernel keeps its attrs and the
// packed constant, read-only after Init).
#ifndef GRAPHRT_KERNELS_CPU_MATMUL_OP_H_
#define GRAPHRT_KERNELS_CPU_MATMUL_OP_H_

#include <cstdint>
#include <span>

#include "core/executor/op_kernel.h"
#include "kernels/cpu/gemm.h"
#include "kernels/common/matmul_shape.h"

namespace graphrt {

class MatMulOp final : public OpKernel {
 public:
  explicit MatMulOp(const OpKernelConstruction& c) : OpKernel(c) {}
  absl::Status Init(const OpKernelConstruction& c);
  absl::Status Compute(OpKernelContext& ctx) override;
  // 2*m*k*n flops at ~50 flops/ns, so that real products are dispatched.
  int64_t CostEstimateNs(std::span<const Tensor* const> inputs) const override;

 private:
  bool transpose_a_ = false;
  bool transpose_b_ = false;
  bool fused_ = false;  // FusedMatMul: input 2 is the bias
  bool relu_ = false;   // FusedMatMul's activation is "Relu"
  PackedGemmB packed_b_;  // isa kGeneric: b is not constant, or not packed
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_MATMUL_OP_H_
