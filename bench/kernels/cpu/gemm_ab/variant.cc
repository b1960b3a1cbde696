// One version of a GEMM kernel for gemm_ab's driver: `run` compiles this
// file twice, with -Dgraphrt=gemm_ab_v0 / gemm_ab_v1, GEMM_AB_FILE naming a
// version of kernels/cpu/gemm_avx512.cc (or, with GEMM_AB_AVX2 defined, of
// gemm_avx2.cc) and GEMM_AB_PACK / GEMM_AB_RUN the C entry points below, so
// two versions of the same code live in one process under different
// namespaces. The AVX2 kernel packs nothing ahead and leaves the epilogue to
// CpuGemm: its pack returns null and its run ignores the bias.
#include GEMM_AB_FILE

#include <cstdlib>

namespace graphrt {
// gemm.cc (not compiled here) defines this for the library.
void PackedGemmB::Free::operator()(float* p) const { std::free(p); }
}  // namespace graphrt

// op(B) = b ([k, n]) packed into this version's panels (PackGemmB's layout).
extern "C" void* GEMM_AB_PACK(const float* b, long k, long n) {
  using namespace graphrt;
#ifdef GEMM_AB_AVX2
  return nullptr;
#endif
  const long floats = (n + kGemmPanel - 1) / kGemmPanel * kGemmPanel * k;
  auto* packed = new PackedGemmB;
  packed->panels.reset(static_cast<float*>(std::aligned_alloc(64, floats * sizeof(float))));
  GemmAvx512PackB({.a = nullptr, .b = b, .c = nullptr, .m = 0, .k = k, .n = n},
                  packed->panels.get());
  packed->isa = CpuIsa::kAvx512;
  packed->k = k;
  packed->n = n;
  return packed;
}

// C = op(A) B (+ bias, Relu when bias is set), the whole of C, on this
// version's kernel; A stored [k, m] when transpose_a; B packed when `packed`.
extern "C" void GEMM_AB_RUN(const float* a, bool transpose_a, const float* b, const void* packed,
                            const float* bias, float* c, long m, long k, long n) {
  using namespace graphrt;
  GemmProblem p{.a = a, .transpose_a = transpose_a, .b = b, .c = c, .m = m, .k = k, .n = n};
  p.packed_b = static_cast<const PackedGemmB*>(packed);
  p.bias = bias;
  p.relu = bias != nullptr;
#ifdef GEMM_AB_AVX2
  p.bias = nullptr;
  GemmAvx2Block(p, 0, m, 0, n);
#else
  GemmAvx512Block(p, 0, m, 0, n);
#endif
}
