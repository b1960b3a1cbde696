// A small-batch SGEMM for AVX2 + FMA: a block of C = op(A) B (rows [r0,
// r1), columns [j0, j1)), all row-major, B not transposed. It is CpuGemm's
// AVX2 path (kernels/cpu/gemm.h, which MatMulOp and the convolutions call and
// which takes AVX-512 where the CPU has it); call CpuGemm unless you mean
// this kernel. Written for the products a training step at small batch is
// made of ([32,784] x [784,100] and its weight gradient [784,32] x
// [32,100]), where Eigen's general GEMM reached under half of an AVX2 core's
// FMA peak (bench/RESULTS.md).
//
// See Note [Small-batch GEMM] in gemm_avx2.cc for the design. Built only
// when the CPU kernels are compiled for AVX2 and FMA (GRAPHRT_CPU_ARCH);
// elsewhere GemmAvx2Available() is false and CpuGemm keeps to Eigen (or
// AVX-512, which it finds at run time).
// Accumulates in float32 in k order (like Eigen's GEMM: results agree with a
// double reference to ~1e-6 relative of the row's magnitude).
// Thread-safety: pure function; concurrent calls on disjoint blocks of C are
// safe.
#ifndef GRAPHRT_KERNELS_CPU_GEMM_AVX2_H_
#define GRAPHRT_KERNELS_CPU_GEMM_AVX2_H_

#include <cstdint>

namespace graphrt {

constexpr bool GemmAvx2Available() {
#if defined(__AVX2__) && defined(__FMA__)
  return true;
#else
  return false;
#endif
}

// Rows [r0, r1) and columns [j0, j1) of C[m, n] = op(A) x B, op(A) = A
// ([m, k]) or A^T (A stored [k, m] when `transpose_a`); B is [k, n]. j0 is a
// multiple of kGemmAvx2Panel (or j1 == n). Requires GemmAvx2Available().
inline constexpr int64_t kGemmAvx2Panel = 16;
inline constexpr int64_t kGemmAvx2TileRows = 6;
void GemmAvx2(const float* a, bool transpose_a, const float* b, float* c, int64_t m, int64_t k,
              int64_t n, int64_t r0, int64_t r1, int64_t j0, int64_t j1);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_GEMM_AVX2_H_
