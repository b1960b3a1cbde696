#include "kernels/cpu/gemm_avx2.h"

#include "kernels/cpu/gemm_kernels.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace graphrt {
namespace {

// Note [Small-batch GEMM]
// Rationale: at batch 32 the MLP's products are thin (m = 32, or k = 32).
// Eigen's GEMM, tuned for large square blocks, reaches ~50 GFLOP/s on them
// here, of the ~94 one core's two FMA pipes can do (both measured).
// Approach: a 6x16 register tile (12 accumulators, two B vectors, one
// broadcast: 15 of the 16 ymm registers) runs a slice of k for 6 rows of C
// and 16 columns. Per k slice (kc = 256), the range's columns of B are
// packed as panels of [kc][16] (16 KiB each, zero-padded past n so the tile
// never masks a load), at most kMaxPackedFloats at a time (wider ranges go
// in column chunks); then rows go in blocks of kBlockRows, and each block
// runs every panel over its tiles: the panel stays in L1 while the block's
// tiles pass over it, the block's slice of A (48 rows x 256, 48 KiB) in L2
// across the panels (Note [AVX2 row blocks]). Slices after the first add
// into C. A is read in place: op(A)'s element (r, p) is at a[r * a_rs + p *
// a_ks] for either layout (six row addresses fit the GPRs); packing it cost
// as much as it saved (11 us of a 100 us product, measured). The last panel, narrower
// than 16, stores through a mask; the last rows use a shorter tile.
// Callers split the work by rows or by column panels: a thread that takes
// rows packs every panel of B itself, so MatMulOp splits thin products
// (fewer row tiles than panels, m = 32 at batch 32) by panels instead.
// GemmAvx2Block (gemm_kernels.h) also takes B stored [n, k], packed by a
// scalar loop, and can add into C; CpuGemm (gemm.h) calls it where the CPU
// lacks AVX-512 (Note [GEMM ISA dispatch]).
constexpr int kTileRows = kGemmAvx2TileRows;
constexpr int64_t kPanel = kGemmAvx2Panel;
constexpr int64_t kBlockK = 256;
constexpr int64_t kBlockRows = 48;
constexpr int64_t kMaxPackedFloats = int64_t{1} << 20;  // 4 MiB per thread
constexpr int64_t kBlockedMinAFloats = int64_t{1} << 17;  // 512 KiB of A per k slice
static_assert(kBlockRows % kTileRows == 0);

// Note [AVX2 row blocks]
// Rationale: the kernel used to pack one panel of B per k slice and run
// every row of the range over it, so a tall A (4096 rows) was read from
// memory once per panel and slice, 7 times over for n = 100: 61% of the FMA
// peak at 4096x784x100.
// Approach: the slice's panels are packed together first, then each block
// of 48 rows reads its slice of A once from memory and from L2 for the
// other panels. Where the range's slice of A is under kBlockedMinAFloats
// (512 KiB, so it stays in L2 across the panels anyway) the old order stays
// (one panel packed and run over every row, then the next: chunks of one
// panel), so that the tiles read the panel just written from L1: packing
// the slice's panels first measured 1-2% slower at 32x784x100, 64x784x300,
// 96x784x300 and 784x32x100 (A^T). Limitations: the one-panel order still
// measured ~1% slower than before this change at 32x784x100 (the same
// loops; not found why).
// Measured: bench/RESULTS.md, 2026-12-07 (gemm_ab, GEMM_AB_KERNEL=avx2).


// op(A)'s element (r, p) is at a[r * a_rs + p * a_ks].
template <int kRows, bool kAccumulate, bool kMasked>
inline void Tile(int64_t kc, const float* a, int64_t a_rs, int64_t a_ks, const float* b,
                 float* c, int64_t ldc, __m256i mask0, __m256i mask1) {
  __m256 acc0[kRows], acc1[kRows];
  for (int r = 0; r < kRows; ++r) acc0[r] = acc1[r] = _mm256_setzero_ps();
  for (int64_t p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_loadu_ps(b + p * kPanel);
    const __m256 b1 = _mm256_loadu_ps(b + p * kPanel + 8);
    for (int r = 0; r < kRows; ++r) {
      const __m256 av = _mm256_broadcast_ss(a + p * a_ks + r * a_rs);
      acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);
      acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);
    }
  }
  for (int r = 0; r < kRows; ++r) {
    float* cr = c + r * ldc;
    if constexpr (kMasked) {
      if constexpr (kAccumulate) {
        acc0[r] = _mm256_add_ps(acc0[r], _mm256_maskload_ps(cr, mask0));
        acc1[r] = _mm256_add_ps(acc1[r], _mm256_maskload_ps(cr + 8, mask1));
      }
      _mm256_maskstore_ps(cr, mask0, acc0[r]);
      _mm256_maskstore_ps(cr + 8, mask1, acc1[r]);
    } else {
      if constexpr (kAccumulate) {
        acc0[r] = _mm256_add_ps(acc0[r], _mm256_loadu_ps(cr));
        acc1[r] = _mm256_add_ps(acc1[r], _mm256_loadu_ps(cr + 8));
      }
      _mm256_storeu_ps(cr, acc0[r]);
      _mm256_storeu_ps(cr + 8, acc1[r]);
    }
  }
}

struct TileArgs {
  int64_t kc;
  const float* a;
  int64_t a_rs, a_ks;
  const float* b;
  float* c;
  int64_t ldc;
};

template <bool kAccumulate, bool kMasked>
void TileRows(int rows, const TileArgs& t, __m256i mask0, __m256i mask1) {
  switch (rows) {
#define GRAPHRT_TILE(n)                                                                  \
  case n:                                                                                \
    return Tile<n, kAccumulate, kMasked>(t.kc, t.a, t.a_rs, t.a_ks, t.b, t.c, t.ldc, mask0, \
                                         mask1);
    GRAPHRT_TILE(6)
    GRAPHRT_TILE(5)
    GRAPHRT_TILE(4)
    GRAPHRT_TILE(3)
    GRAPHRT_TILE(2)
    default: GRAPHRT_TILE(1)
#undef GRAPHRT_TILE
  }
}

template <bool kMasked>
void RunTile(bool accumulate, int rows, const TileArgs& t, __m256i mask0, __m256i mask1) {
  if (accumulate) {
    TileRows<true, kMasked>(rows, t, mask0, mask1);
  } else {
    TileRows<false, kMasked>(rows, t, mask0, mask1);
  }
}

// Lanes [0, count) set.
__m256i FirstLanes(int64_t count) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(
      _mm256_set1_epi32(static_cast<int>(std::clamp<int64_t>(count, 0, 8))), lane);
}

// Columns [j, j + width) of op(B), rows [kb, kb + kc), as panels of 16:
// op(B)[kb + p, j + 16q + l] at dst[q * 16 * kc + p * 16 + l], zero past
// width.
void PackB(const GemmProblem& pr, int64_t j, int64_t width, int64_t kb, int64_t kc, float* dst) {
  for (int64_t q = 0; q < width; q += kPanel) {
    const int64_t w = std::min(kPanel, width - q);
    const __m256i mask0 = FirstLanes(w), mask1 = FirstLanes(w - 8);
    float* panel = dst + q * kc;
    for (int64_t p = 0; p < kc; ++p) {
      float* row = panel + p * kPanel;
      if (pr.transpose_b) {
        // B is stored [n, k]: op(B)[kb + p, j + q + l] = B[j + q + l, kb + p].
        for (int64_t l = 0; l < kPanel; ++l) {
          row[l] = l < w ? pr.b[(j + q + l) * pr.k + kb + p] : 0;
        }
        continue;
      }
      const float* src = pr.b + (kb + p) * pr.n + j + q;
      if (w == kPanel) {
        _mm256_store_ps(row, _mm256_loadu_ps(src));
        _mm256_store_ps(row + 8, _mm256_loadu_ps(src + 8));
      } else {
        _mm256_store_ps(row, _mm256_maskload_ps(src, mask0));
        _mm256_store_ps(row + 8, _mm256_maskload_ps(src + 8, mask1));
      }
    }
  }
}

}  // namespace

void GemmAvx2(const float* a, bool transpose_a, const float* b, float* c, int64_t m, int64_t k,
              int64_t n, int64_t r0, int64_t r1, int64_t j0, int64_t j1) {
  GemmAvx2Block({.a = a, .transpose_a = transpose_a, .b = b, .c = c, .m = m, .k = k, .n = n},
                r0, r1, j0, j1);
}

void GemmAvx2Block(const GemmProblem& pr, int64_t r0, int64_t r1, int64_t j0, int64_t j1) {
  if (r0 >= r1 || j0 >= j1) return;
  const int64_t m = pr.m, k = pr.k, n = pr.n;
  if (k == 0) {
    if (!pr.accumulate) {
      for (int64_t i = r0; i < r1; ++i) std::fill(pr.c + i * n + j0, pr.c + i * n + j1, 0.0f);
    }
    return;
  }
  // op(A)[r, p]: A[r, p] at r * k + p, or A^T[r, p] = A[p, r] at p * m + r.
  const int64_t a_rs = pr.transpose_a ? 1 : k;
  const int64_t a_ks = pr.transpose_a ? m : 1;
  // Note [AVX2 row blocks]: small slices of A keep one panel at a time.
  const bool blocked = (r1 - r0) * std::min(k, kBlockK) >= kBlockedMinAFloats;
  const int64_t chunk =
      blocked ? std::max(kPanel, kMaxPackedFloats / kBlockK / kPanel * kPanel) : kPanel;
  const int64_t block_rows = blocked ? kBlockRows : r1 - r0;
  const __m256i all = _mm256_set1_epi32(-1);
  for (int64_t jc = j0; jc < j1; jc += chunk) {
    const int64_t chunk_width = std::min(chunk, j1 - jc);
    for (int64_t kb = 0; kb < k; kb += kBlockK) {
      const int64_t kc = std::min(kBlockK, k - kb);
      const int64_t panels = (chunk_width + kPanel - 1) / kPanel;
      float* packed_b = GemmThreadBuffer<GemmBuffer::kAvx2PackedB>(panels * kPanel * kc);
      PackB(pr, jc, chunk_width, kb, kc, packed_b);
      const bool accumulate = pr.accumulate || kb > 0;
      for (int64_t ic = r0; ic < r1; ic += block_rows) {
        const int64_t ie = std::min(r1, ic + block_rows);
        for (int64_t q = 0; q < chunk_width; q += kPanel) {
          const int64_t width = std::min(kPanel, chunk_width - q);
          const __m256i mask0 = FirstLanes(width), mask1 = FirstLanes(width - 8);
          for (int64_t i = ic; i < ie; i += kTileRows) {
            const int rows = static_cast<int>(std::min<int64_t>(kTileRows, ie - i));
            const TileArgs t{kc, pr.a + i * a_rs + kb * a_ks, a_rs, a_ks, packed_b + q * kc,
                             pr.c + i * n + jc + q, n};
            if (width == kPanel) {
              RunTile<false>(accumulate, rows, t, all, all);
            } else {
              RunTile<true>(accumulate, rows, t, mask0, mask1);
            }
          }
        }
      }
    }
  }
}

}  // namespace graphrt

#else  // no AVX2: MatMulOp never calls it (GemmAvx2Available() is false)

namespace graphrt {
void GemmAvx2(const float*, bool, const float*, float*, int64_t, int64_t, int64_t, int64_t,
              int64_t, int64_t, int64_t) {}
void GemmAvx2Block(const GemmProblem&, int64_t, int64_t, int64_t, int64_t) {}
}  // namespace graphrt

#endif
