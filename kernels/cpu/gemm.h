// The CPU's single-precision GEMM, with the vector ISA chosen at run time:
// a block of C (rows [r0, r1), columns [j0, j1)) of C[m, n] (+)= op(A) op(B),
// all row-major and dense. MatMulOp and the convolution kernels call it; other
// CPU kernels that need a product should too (GemmAvx2, gemm_avx2.h, stays for
// callers that name the AVX2 kernel).
//
// ISA choice (Note [GEMM ISA dispatch] in gemm.cc): AVX-512 (F, BW, DQ, VL)
// when the CPU running the program has it, else AVX2 + FMA when the kernels
// were compiled with it, else Eigen ("generic"). The AVX-512 kernel is
// compiled with function-level target attributes, so a build for AVX2-only
// machines (GRAPHRT_CPU_ARCH=x86-64-v3) still uses it where it can, and never
// runs it where it cannot. GRAPHRT_CPU_ISA=avx512|avx2|generic asks for a
// path (to compare them on one machine); a value the CPU cannot run, or an
// unknown value, is reported on stderr once and the best path is used.
//
// Results: float32 accumulation in k order per k block, agreeing with a
// double-precision reference to ~1e-6 of the row's magnitude; the ISA changes
// the rounding (not the order of the k blocks), so paths agree to the same
// tolerance, not bit for bit.
// Thread-safety: CpuGemm is a pure function (it keeps a per-thread packing
// buffer); concurrent calls on disjoint blocks of C are safe. GemmIsa() is
// thread-safe; SetGemmIsa changes the path for every later call in the
// process (tests and benchmarks only).
#ifndef GRAPHRT_KERNELS_CPU_GEMM_H_
#define GRAPHRT_KERNELS_CPU_GEMM_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"

namespace graphrt {

enum class CpuIsa { kGeneric, kAvx2, kAvx512 };

// "generic", "avx2" or "avx512".
const char* CpuIsaName(CpuIsa isa);
// Whether this program, on this CPU, can run `isa`'s GEMM kernel.
bool GemmIsaSupported(CpuIsa isa);
// The path CpuGemm takes: the best supported one, or GRAPHRT_CPU_ISA's when
// supported (read once, at the first call).
CpuIsa GemmIsa();
// Forces the path for later calls (tests, benchmarks). FAILED_PRECONDITION
// naming the ISAs this CPU supports when `isa` is not one of them.
absl::Status SetGemmIsa(CpuIsa isa);
// What GemmIsa() makes of GRAPHRT_CPU_ISA's value `requested` (null or empty:
// not set): that ISA when supported, else the best one, with `note` saying
// why the request was ignored (empty when it was not).
CpuIsa ResolveGemmIsa(const char* requested, std::string* note);

struct PackedGemmB;

struct GemmProblem {
  const float* a;            // [m, k], or [k, m] when transpose_a
  bool transpose_a = false;
  const float* b;            // [k, n], or [n, k] when transpose_b
  bool transpose_b = false;
  float* c;                  // [m, n]
  int64_t m, k, n;
  bool accumulate = false;   // C += op(A) op(B) instead of C = ...
  // op(B) packed ahead (PackGemmB), or null. The path it was packed for
  // reads it instead of b; any other path reads b, so b must stay set.
  const PackedGemmB* packed_b = nullptr;
  // Epilogue (Note [GEMM epilogue] in gemm.cc): when bias ([n]) is set, C's
  // column j gets bias[j] added to the block's final value, then max(., 0)
  // when relu; applied by the call that computes the block, while it is in
  // cache. relu without a bias is ignored.
  const float* bias = nullptr;
  bool relu = false;
};

// op(B) packed once for many products (a constant weight): the AVX-512
// path's panels of 32 columns, [k][32] each, zero past n (Note [AVX-512
// GEMM]), 64-byte aligned. ISA kGeneric means nothing was packed.
struct PackedGemmB {
  CpuIsa isa = CpuIsa::kGeneric;
  int64_t k = 0, n = 0;
  struct Free {
    void operator()(float* p) const;
  };
  std::unique_ptr<float[], Free> panels;
};

// op(B) ([k, n], or [n, k] when transpose_b) packed for GemmIsa()'s path:
// AVX-512 packs; the AVX2 and generic paths keep nothing ahead (kGeneric).
PackedGemmB PackGemmB(const float* b, bool transpose_b, int64_t k, int64_t n);

// Column splits start at multiples of kGemmPanel (the widest ISA's panel,
// so no split cuts a panel); rows split anywhere, best at multiples of
// kGemmTileRows.
inline constexpr int64_t kGemmPanel = 32;
inline constexpr int64_t kGemmTileRows = 12;
// On the AVX-512 path a call for at most this many rows reads B stored [k,
// n] in place instead of packing it (Note [AVX-512 GEMM]): a caller whose B
// is fresh every call (Winograd's transformed tiles) splits its rows by it.
inline constexpr int64_t kGemmInPlaceBRows = 48;

// Rows [r0, r1) and columns [j0, j1) of C; j0 % kGemmPanel == 0 or j1 == n.
// k == 0 writes zeros (or leaves C when accumulating).
void CpuGemm(const GemmProblem& p, int64_t r0, int64_t r1, int64_t j0, int64_t j1);
// The whole of C.
inline void CpuGemm(const GemmProblem& p) { CpuGemm(p, 0, p.m, 0, p.n); }
// The same on a given path (tests and benchmarks); `isa` must be supported.
void CpuGemmWithIsa(CpuIsa isa, const GemmProblem& p, int64_t r0, int64_t r1, int64_t j0,
                    int64_t j1);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_GEMM_H_
