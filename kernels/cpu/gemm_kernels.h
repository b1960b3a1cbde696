// The per-ISA GEMM kernels behind CpuGemm (kernels/cpu/gemm.h), which picks
// one; only gemm.cc and the kernels' own files include this. Each takes the
// same block of the same problem as CpuGemm and has its contract.
// Thread-safety: pure functions (each keeps a per-thread packing buffer).
#ifndef GRAPHRT_KERNELS_CPU_GEMM_KERNELS_H_
#define GRAPHRT_KERNELS_CPU_GEMM_KERNELS_H_

#include <cstdint>
#include <vector>

#include "kernels/cpu/gemm.h"

namespace graphrt {

// The kernels' per-thread packing buffers, one per use.
enum class GemmBuffer { kAvx512PackedB, kAvx512EdgePanel, kAvx2PackedB };

// A buffer of at least `floats` floats for this thread, 64-byte aligned (a
// vector load that crosses a cache line costs two), kept and grown across
// calls.
template <GemmBuffer kUse>
float* GemmThreadBuffer(int64_t floats) {
  thread_local std::vector<float> buffer;
  const size_t want = static_cast<size_t>(floats) + 16;
  if (buffer.size() < want) buffer.resize(want);
  const auto addr = reinterpret_cast<std::uintptr_t>(buffer.data());
  return buffer.data() + ((64 - addr % 64) % 64) / sizeof(float);
}

// AVX2 + FMA, 6x16 tiles (gemm_avx2.cc). Requires GemmAvx2Available().
void GemmAvx2Block(const GemmProblem& p, int64_t r0, int64_t r1, int64_t j0, int64_t j1);

// Whether the running CPU and OS support AVX-512 F/BW/DQ/VL (cpuid and the
// OS's saved register state, via __builtin_cpu_supports); false off x86-64.
bool CpuHasAvx512();
// AVX-512, 12x32 tiles (gemm_avx512.cc). Requires CpuHasAvx512(). When k > 0
// it applies p's epilogue (bias, relu) itself, as the last k slice is stored;
// the other kernels leave it to CpuGemm.
void GemmAvx512Block(const GemmProblem& p, int64_t r0, int64_t r1, int64_t j0, int64_t j1);
// op(B) of `p` as the AVX-512 path's panels (PackedGemmB): dst holds
// ceil(n / 32) * 32 * k floats, 64-byte aligned. Requires CpuHasAvx512().
void GemmAvx512PackB(const GemmProblem& p, float* dst);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_GEMM_KERNELS_H_
