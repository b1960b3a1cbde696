#include "kernels/cpu/gemm.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "kernels/cpu/gemm_avx2.h"
#include "kernels/cpu/gemm_kernels.h"

namespace graphrt {
namespace {

// Note [GEMM ISA dispatch]
// Rationale: the project's machines include AVX-512 and AVX2-only ones, and
// one binary should be fast on each. The GEMM is where the wide vectors pay
// (most of an MLP or CNN step is products), so it picks its kernel when the
// program runs rather than when it was built.
// Approach: the best path is found once: AVX-512 when the CPU and OS support
// it (CpuHasAvx512: cpuid plus the OS's saved zmm state), else AVX2 when the
// kernels were compiled with it (GemmAvx2Available), else Eigen.
// GRAPHRT_CPU_ISA may name another supported path (to measure one against
// the other on the same machine); anything else is reported once and
// ignored, the way GRAPHRT_FORCE_GPU_ALLOW_GROWTH treats a bad value. The
// choice is an atomic, so SetGemmIsa can switch it between runs.
// Limitations: only the GEMM dispatches. The other CPU kernels are compiled
// for GRAPHRT_CPU_ARCH (native by default): a binary meant for AVX2-only
// machines is built with GRAPHRT_CPU_ARCH=x86-64-v3, and its GEMM still
// takes AVX-512 where the CPU has it.
constexpr const char* kIsaEnv = "GRAPHRT_CPU_ISA";
constexpr CpuIsa kAllIsas[] = {CpuIsa::kAvx512, CpuIsa::kAvx2, CpuIsa::kGeneric};

std::atomic<int> g_isa{-1};  // a CpuIsa, or -1 before the first GemmIsa()

CpuIsa BestIsa() {
  for (CpuIsa isa : kAllIsas) {
    if (GemmIsaSupported(isa)) return isa;
  }
  return CpuIsa::kGeneric;
}

std::string SupportedNames() {
  std::vector<std::string> names;
  for (CpuIsa isa : kAllIsas) {
    if (GemmIsaSupported(isa)) names.push_back(CpuIsaName(isa));
  }
  return absl::StrJoin(names, ", ");
}

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Stride = Eigen::OuterStride<>;
using ConstMap = Eigen::Map<const RowMatrix, Eigen::Unaligned, Stride>;
using Map = Eigen::Map<RowMatrix, Eigen::Unaligned, Stride>;

// The generic path: Eigen on the block, with maps that stride over the
// whole matrices.
void GemmEigen(const GemmProblem& p, int64_t r0, int64_t r1, int64_t j0, int64_t j1) {
  const int64_t rows = r1 - r0, cols = j1 - j0;
  Map out(p.c + r0 * p.n + j0, rows, cols, Stride(p.n));
  auto times = [&](const auto& lhs, const auto& rhs) {
    if (p.accumulate) {
      out.noalias() += lhs * rhs;
    } else {
      out.noalias() = lhs * rhs;
    }
  };
  auto with_lhs = [&](const auto& lhs) {
    if (p.transpose_b) {
      times(lhs, ConstMap(p.b + j0 * p.k, cols, p.k, Stride(p.k)).transpose());
    } else {
      times(lhs, ConstMap(p.b + j0, p.k, cols, Stride(p.n)));
    }
  };
  if (p.transpose_a) {
    with_lhs(ConstMap(p.a + r0, p.k, rows, Stride(p.m)).transpose());
  } else {
    with_lhs(ConstMap(p.a + r0 * p.k, rows, p.k, Stride(p.k)));
  }
}

// Note [GEMM epilogue]
// Rationale: a layer is usually Activation(MatMul + bias); as separate ops,
// the bias add and the activation each stream the whole product through
// memory again (and pay an op dispatch each). Applied by the GEMM call to
// the block it just computed, they read C from L1/L2 instead.
// Approach: GemmProblem carries an optional bias and relu flag. The AVX-512
// kernel applies them in its register tile as it stores the last k slice
// (two more vector loads, adds and maxes per tile row, no pass over C); the
// AVX2 and Eigen paths, after their kernel has written rows [r0, r1) x
// columns [j0, j1), make one pass over the block that adds the bias and
// clamps at zero (plain loops that -O3 vectorises for GRAPHRT_CPU_ARCH).
// Measured (gemm_bench, CPU time, medians of 15 alternating rounds, B packed):
// the epilogue costs 0.2-0.3% over the bare product in the tile, 0.8-3.4% as
// a pass after it (64x784x300 and 64x300x100, the ONNX MLP's layers);
// the plain product did not change (bench/RESULTS.md, 2026-12-07).
// Limitations: only a bias and Relu (what FusedMatMul accepts); the AVX2
// path keeps the pass after its tiles.
void ApplyEpilogue(const GemmProblem& p, int64_t r0, int64_t r1, int64_t j0, int64_t j1) {
  const float* bias = p.bias + j0;
  const int64_t cols = j1 - j0;
  for (int64_t i = r0; i < r1; ++i) {
    float* y = p.c + i * p.n + j0;
    if (p.relu) {
      for (int64_t j = 0; j < cols; ++j) y[j] = std::max(y[j] + bias[j], 0.0f);
    } else {
      for (int64_t j = 0; j < cols; ++j) y[j] += bias[j];
    }
  }
}

}  // namespace

const char* CpuIsaName(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::kAvx512: return "avx512";
    case CpuIsa::kAvx2: return "avx2";
    case CpuIsa::kGeneric: break;
  }
  return "generic";
}

bool GemmIsaSupported(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::kAvx512: {
      static const bool has = CpuHasAvx512();
      return has;
    }
    case CpuIsa::kAvx2: return GemmAvx2Available();
    case CpuIsa::kGeneric: return true;
  }
  return false;
}

CpuIsa ResolveGemmIsa(const char* requested, std::string* note) {
  const CpuIsa best = BestIsa();
  note->clear();
  if (requested == nullptr || *requested == '\0') return best;
  for (CpuIsa isa : kAllIsas) {
    if (std::string_view(CpuIsaName(isa)) != requested) continue;
    if (GemmIsaSupported(isa)) return isa;
    *note = absl::StrCat(kIsaEnv, "=", requested, " is not supported on this CPU (or build); ",
                         "supported: ", SupportedNames(), "; using ", CpuIsaName(best));
    return best;
  }
  *note = absl::StrCat(kIsaEnv, "=", requested, " is not one of avx512, avx2, generic",
                       " (supported here: ", SupportedNames(), "); using ", CpuIsaName(best));
  return best;
}

CpuIsa GemmIsa() {
  int isa = g_isa.load(std::memory_order_relaxed);
  if (isa >= 0) return static_cast<CpuIsa>(isa);
  static const int chosen = [] {
    std::string note;
    const CpuIsa resolved = ResolveGemmIsa(std::getenv(kIsaEnv), &note);
    if (!note.empty()) std::fprintf(stderr, "graphrt: %s\n", note.c_str());
    return static_cast<int>(resolved);
  }();
  int expected = -1;
  g_isa.compare_exchange_strong(expected, chosen, std::memory_order_relaxed);
  return static_cast<CpuIsa>(g_isa.load(std::memory_order_relaxed));
}

absl::Status SetGemmIsa(CpuIsa isa) {
  if (!GemmIsaSupported(isa)) {
    return absl::FailedPreconditionError(
        absl::StrCat("GEMM ISA ", CpuIsaName(isa), " is not supported on this CPU (or build); ",
                     "supported: ", SupportedNames()));
  }
  g_isa.store(static_cast<int>(isa), std::memory_order_relaxed);
  return absl::OkStatus();
}

void PackedGemmB::Free::operator()(float* p) const {
  ::operator delete[](p, std::align_val_t{64});
}

PackedGemmB PackGemmB(const float* b, bool transpose_b, int64_t k, int64_t n) {
  PackedGemmB packed;
  if (GemmIsa() != CpuIsa::kAvx512 || k <= 0 || n <= 0) return packed;
  const int64_t floats = (n + kGemmPanel - 1) / kGemmPanel * kGemmPanel * k;
  packed.panels.reset(static_cast<float*>(
      ::operator new[](floats * sizeof(float), std::align_val_t{64})));
  GemmAvx512PackB({.a = nullptr, .b = b, .transpose_b = transpose_b, .c = nullptr, .m = 0,
                   .k = k, .n = n},
                  packed.panels.get());
  packed.isa = CpuIsa::kAvx512;
  packed.k = k;
  packed.n = n;
  return packed;
}

void CpuGemmWithIsa(CpuIsa isa, const GemmProblem& p, int64_t r0, int64_t r1, int64_t j0,
                    int64_t j1) {
  if (r0 >= r1 || j0 >= j1) return;
  if (p.packed_b != nullptr && (p.packed_b->isa != isa || p.packed_b->k != p.k ||
                                p.packed_b->n != p.n || isa != CpuIsa::kAvx512)) {
    // Packed for another path (SetGemmIsa since) or other dims: read b.
    GemmProblem unpacked = p;
    unpacked.packed_b = nullptr;
    return CpuGemmWithIsa(isa, unpacked, r0, r1, j0, j1);
  }
  switch (isa) {
    case CpuIsa::kAvx512:
      GemmAvx512Block(p, r0, r1, j0, j1);
      break;
    case CpuIsa::kAvx2:
      GemmAvx2Block(p, r0, r1, j0, j1);
      break;
    case CpuIsa::kGeneric:
      GemmEigen(p, r0, r1, j0, j1);
      break;
  }
  // Note [GEMM epilogue]: the AVX-512 kernel applies it as it stores C.
  if (p.bias != nullptr && (isa != CpuIsa::kAvx512 || p.k == 0)) {
    ApplyEpilogue(p, r0, r1, j0, j1);
  }
}

void CpuGemm(const GemmProblem& p, int64_t r0, int64_t r1, int64_t j0, int64_t j1) {
  CpuGemmWithIsa(GemmIsa(), p, r0, r1, j0, j1);
}

}  // namespace graphrt
