#include "kernels/cpu/gemm_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

// Every function that touches a zmm register carries this attribute, and
// only those: see Note [AVX-512 GEMM].
#define GRAPHRT_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))

namespace graphrt {
namespace {

// Note [AVX-512 GEMM]
// Rationale: on AVX-512 machines the AVX2 kernel (6x16 tiles of ymm) uses half
// of each FMA's width; TensorFlow's oneDNN GEMM uses zmm and beat it (64
// independent 128x128 MatMuls at 0.82x TF, issue 17).
// Approach: a 12x32 register tile (24 zmm accumulators, two B vectors, one
// broadcast of A: 27 of the 32 zmm registers; 24 independent FMA chains cover
// the FMA latency of 4 cycles on two ports). Columns of op(B) are packed once
// per call into panels of 32 ([k][32] each, zero past n so the tile never
// masks a load, transposing when B is stored [n, k]), in a per-thread buffer
// of at most kMaxPackedFloats (wider blocks pack in column chunks). Rows go
// in blocks of kBlockRows; per block, k goes in slices of kBlockK, and each
// slice runs every panel over the block's tiles: the block's slice of A (96
// x 512 floats, 192 KiB) stays in L2 across panels, and the panel's slice
// (512 x 32 floats, 64 KiB) is read from L2 as the block's tiles pass over
// it. Slices of 512, not 128, measured 2-6% faster (Note [GEMM k slices]). B
// stored [n, k] is packed 16 x 16 values at a time through a register
// transpose (the scalar loop it replaced wrote each value to its own cache
// line of a panel too large for L1). A is read in place, never packed
// (Note [A in place]): op(A)'s element (r, p) at a[r * a_rs + p * a_ks]. C
// is loaded and stored through masks, so the last panel and any column range
// need no special case (B is not: Note [Unmasked B loads]); a panel of 16
// columns or fewer takes a one-vector tile (half the FMAs: n =
// 100 computes 112 columns, not 128). A block of at most kUnpackedMaxRows
// rows (batch 32's m = 32) reads B stored [k, n] in place instead of packing
// it: each element of B is then used by only a few tiles, and packing all of
// B (k x n copies) cost a third of the product's time (measured: 32x784x100
// took 54 us with packing).
// Portability: the functions carry a target attribute instead of the file
// being compiled with -mavx512*: code the compiler emits for inline library
// templates used here (std::vector, std::min) keeps the file's flags, so a
// copy the linker picks for another file can never hold AVX-512
// instructions. GemmAvx512Block runs only after CpuHasAvx512() said yes.
// Note [A in place]
// Rationale: the tile broadcasts one value of each of its 12 rows of op(A)
// per step. Written as a[r * a_rs + p * a_ks], the compiler kept twelve row
// pointers (more GPRs than it had: the loop spilled to the stack), so
// slices of A read by six panels or more were packed tile by tile first
// (PackA, an earlier version), which cost ~3% of the MLP's 64x784x300.
// Approach: four base pointers, one per three rows, each row at base[r / 3]
// + (r % 3) * a_rs: the row stride stays in one register and the address
// mode scales it by 4 or 8 bytes, so the loop needs six GPRs for A and
// nothing is packed (the arrangement ONNX Runtime's MLAS kernels use).
// Measured (alternating driver, 10th percentile, against packing A from
// six panels): 64x784x300 0.95x, 256x784x300 0.95x, 512x512x512 0.97x,
// 3136x576x64 0.97x, 784x1152x128 0.96x, 196x2304x256 0.94x, 256x288x64
// 0.96x, 64x300x100 0.96x (never packed; the spills alone), A stored
// [k, m] (576x3136x64) 1.00x.

// Note [GEMM k slices]
// Rationale: every k slice ends each tile with a pass over its C rows (load,
// add, store) and starts it again from zero, and the slice of k = 784 that
// 128 left over was 16 steps long. With B's rows loaded unmasked (Note
// [Unmasked B loads]) the tile keeps its FMA rate with the panel in L2: a
// 12 x 32 tile over 10 panels of 784 x 32 (1 MiB) ran at 175 GFLOP/s, as
// with a panel of 128 x 32 in L1.
// Approach: slices of kBlockK = 512 (the MLP's k = 784 and 300 in one or
// two), so C is passed over at most once per 512 steps.
// Measured (alternating driver as in Note [Unmasked B loads], 10th
// percentile, 512 against 128): 64x784x300 0.97x, 512x512x512 0.94x,
// 256x2304x256 0.95x, 4096x784x100 0.98x, 64x576x224 0.99x. Slices of 1024
// measured the same on the MLP and worse at 256x2304x256; splitting k into
// equal slices (784 as 392 + 392) changed nothing.
constexpr int kTileRows = 12;
constexpr int64_t kPanel = 32;
constexpr int64_t kBlockK = 512;
constexpr int64_t kBlockRows = 96;
constexpr int64_t kMaxPackedFloats = int64_t{1} << 20;  // 4 MiB per thread
constexpr int64_t kUnpackedMaxRows = kGemmInPlaceBRows;
static_assert(kPanel == kGemmPanel && kTileRows == kGemmTileRows);
static_assert(kBlockRows % kTileRows == 0);

// Lanes [0, count) set, count clamped to [0, 16].
__mmask16 FirstLanes(int64_t count) {
  if (count <= 0) return 0;
  if (count >= 16) return 0xFFFF;
  return static_cast<__mmask16>((1u << count) - 1);
}

// r[i][c] becomes r[c][i]: lanes paired within 128-bit quarters
// (unpacklo/hi_ps), then pairs of pairs (shuffle_ps), then quarters moved
// between registers twice (shuffle_f32x4).
GRAPHRT_AVX512 inline void Transpose16x16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);      // a0 b0 a1 b1 per quarter
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);  // a2 b2 a3 b3
  }
  // r[4g + c]: rows 4g..4g+3 at column 4 * quarter + c, per quarter.
  for (int g = 0; g < 4; ++g) {
    const __m512 *lo = t + 4 * g, *hi = t + 4 * g + 2;
    r[4 * g] = _mm512_shuffle_ps(lo[0], hi[0], _MM_SHUFFLE(1, 0, 1, 0));
    r[4 * g + 1] = _mm512_shuffle_ps(lo[0], hi[0], _MM_SHUFFLE(3, 2, 3, 2));
    r[4 * g + 2] = _mm512_shuffle_ps(lo[1], hi[1], _MM_SHUFFLE(1, 0, 1, 0));
    r[4 * g + 3] = _mm512_shuffle_ps(lo[1], hi[1], _MM_SHUFFLE(3, 2, 3, 2));
  }
  // Quarters 0 and 2 (0x88) or 1 and 3 (0xdd) of two registers.
  for (int c = 0; c < 4; ++c) {
    t[c] = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x88);
    t[4 + c] = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xdd);
    t[8 + c] = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x88);
    t[12 + c] = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xdd);
  }
  for (int c = 0; c < 4; ++c) {
    r[c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0x88);            // column c
    r[4 + c] = _mm512_shuffle_f32x4(t[4 + c], t[12 + c], 0x88);   // column 4 + c
    r[8 + c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0xdd);        // column 8 + c
    r[12 + c] = _mm512_shuffle_f32x4(t[4 + c], t[12 + c], 0xdd);  // column 12 + c
  }
}

// Columns [j, j + width) of op(B), as panels of 32: op(B)[kk, j + 32q + l] at
// dst[q * 32 * k + kk * 32 + l], zero for columns past width.
GRAPHRT_AVX512 void PackB(const GemmProblem& p, int64_t j, int64_t width, float* dst) {
  for (int64_t q = 0; q < width; q += kPanel) {
    const int64_t w = std::min(kPanel, width - q);
    float* panel = dst + q * p.k;
    if (!p.transpose_b) {
      const __mmask16 m0 = FirstLanes(w), m1 = FirstLanes(w - 16);
      for (int64_t kk = 0; kk < p.k; ++kk) {
        const float* src = p.b + kk * p.n + j + q;
        _mm512_store_ps(panel + kk * kPanel, _mm512_maskz_loadu_ps(m0, src));
        _mm512_store_ps(panel + kk * kPanel + 16, _mm512_maskz_loadu_ps(m1, src + 16));
      }
      continue;
    }
    // B is stored [n, k]: column l of the panel is row j + q + l of B, moved
    // 16 rows x 16 values at a time through a register transpose.
    for (int64_t l0 = 0; l0 < kPanel; l0 += 16) {
      const int64_t rows = std::clamp<int64_t>(w - l0, 0, 16);
      for (int64_t kk = 0; kk < p.k; kk += 16) {
        const __mmask16 km = FirstLanes(p.k - kk);
        __m512 r[16];
        for (int i = 0; i < 16; ++i) {
          r[i] = i < rows ? _mm512_maskz_loadu_ps(km, p.b + (j + q + l0 + i) * p.k + kk)
                          : _mm512_setzero_ps();
        }
        Transpose16x16(r);
        const int64_t values = std::min<int64_t>(16, p.k - kk);
        for (int64_t c = 0; c < values; ++c) _mm512_store_ps(panel + (kk + c) * kPanel + l0, r[c]);
      }
    }
  }
}

// Note [Unmasked B loads]
// Rationale: a zero-masked load (vmovups zmm{k}{z}) costs more than a plain
// one on the machines measured: the tile loop's two masked B loads per step
// held it at 160 GFLOP/s where the same loop with plain loads ran at 175, the
// FMA peak (Intel Xeon family 6 model 207, one core, 12 x 32 tile, kc 128).
// Approach: the tile loads B's rows whole. A packed panel is 32 floats wide,
// zero past n, so it always can; B read in place can for every panel but
// the last of a column range, which is copied (CopyEdgePanel, kc x 32
// floats per k slice) into a zero-padded panel first. Only C and the bias
// keep their masks, outside the loop.
// Measured (a driver alternating the old and new kernel 3,000 times in one
// process, B packed, bias + Relu): 64x784x300 0.94x, 64x300x100 0.93x,
// 256x784x300 0.94x, 32x784x100 0.93x the old time; results bit-identical.

// kRows rows x 16 * kVecs columns of C (+)= a slice of kc of op(A) x B,
// B's row p at b + p * ldb (a packed panel: ldb = 32), 16 * kVecs floats of
// it readable (Note [Unmasked B loads]). Lanes of C outside m0 / m1 are
// neither loaded nor stored. op(A)(r, p) is at a[r * a_rs + p * a_ks],
// reached from one base pointer per three rows (Note [A in place]). bias (the
// last k slice of an epilogue, Note [GEMM epilogue] in gemm.cc): the tile's
// columns of the bias, added before the store, then max(., 0) when relu.
template <int kRows, int kVecs>
GRAPHRT_AVX512 inline void Tile(int64_t kc, const float* a, int64_t a_rs, int64_t a_ks,
                                const float* b, int64_t ldb, float* c, int64_t ldc,
                                bool accumulate, __mmask16 m0, __mmask16 m1,
                                const float* bias, bool relu) {
  __m512 acc0[kRows], acc1[kRows];
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r) acc0[r] = acc1[r] = _mm512_setzero_ps();
  // Row r of the step at base[r / 3][(r % 3) * a_rs]: an address mode of a
  // base register, the row stride's register and a scale of 4 or 8 bytes.
  constexpr int kBases = (kRows + 2) / 3;
  const float* base[kBases];
#pragma GCC unroll 4
  for (int g = 0; g < kBases; ++g) base[g] = a + 3 * g * a_rs;
  for (int64_t p = 0; p < kc; ++p) {
    const __m512 b0 = _mm512_loadu_ps(b + p * ldb);
    const __m512 b1 = kVecs == 2 ? _mm512_loadu_ps(b + p * ldb + 16) : b0;
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r) {
      const __m512 av = _mm512_set1_ps(base[r / 3][(r % 3) * a_rs]);
      acc0[r] = _mm512_fmadd_ps(av, b0, acc0[r]);
      if constexpr (kVecs == 2) acc1[r] = _mm512_fmadd_ps(av, b1, acc1[r]);
    }
#pragma GCC unroll 4
    for (int g = 0; g < kBases; ++g) base[g] += a_ks;
  }
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r) {
    float* cr = c + r * ldc;
    if (accumulate) {
      acc0[r] = _mm512_add_ps(acc0[r], _mm512_maskz_loadu_ps(m0, cr));
      if constexpr (kVecs == 2) acc1[r] = _mm512_add_ps(acc1[r], _mm512_maskz_loadu_ps(m1, cr + 16));
    }
    if (bias != nullptr) {
      acc0[r] = _mm512_add_ps(acc0[r], _mm512_maskz_loadu_ps(m0, bias));
      if constexpr (kVecs == 2) acc1[r] = _mm512_add_ps(acc1[r], _mm512_maskz_loadu_ps(m1, bias + 16));
      if (relu) {
        acc0[r] = _mm512_max_ps(acc0[r], _mm512_setzero_ps());
        if constexpr (kVecs == 2) acc1[r] = _mm512_max_ps(acc1[r], _mm512_setzero_ps());
      }
    }
    _mm512_mask_storeu_ps(cr, m0, acc0[r]);
    if constexpr (kVecs == 2) _mm512_mask_storeu_ps(cr + 16, m1, acc1[r]);
  }
}

struct TileArgs {
  int64_t kc;
  const float* a;
  int64_t a_rs, a_ks;
  const float* b;
  int64_t ldb;
  float* c;
  int64_t ldc;
  bool accumulate;
  __mmask16 m0, m1;
  const float* bias;  // null but in the last k slice of an epilogue
  bool relu;
};

// A panel 16 or fewer columns wide takes the one-vector tile: half the FMAs.
template <int kVecs>
GRAPHRT_AVX512 void RunTileOf(int rows, const TileArgs& t) {
  switch (rows) {
#define GRAPHRT_TILE(n)                                                                   \
  case n:                                                                                 \
    return Tile<n, kVecs>(t.kc, t.a, t.a_rs, t.a_ks, t.b, t.ldb, t.c, t.ldc, t.accumulate, \
                          t.m0, t.m1, t.bias, t.relu);
    GRAPHRT_TILE(12)
    GRAPHRT_TILE(11)
    GRAPHRT_TILE(10)
    GRAPHRT_TILE(9)
    GRAPHRT_TILE(8)
    GRAPHRT_TILE(7)
    GRAPHRT_TILE(6)
    GRAPHRT_TILE(5)
    GRAPHRT_TILE(4)
    GRAPHRT_TILE(3)
    GRAPHRT_TILE(2)
    default: GRAPHRT_TILE(1)
#undef GRAPHRT_TILE
  }
}

GRAPHRT_AVX512 void RunTile(int rows, const TileArgs& t) {
  if (t.m1 == 0) return RunTileOf<1>(rows, t);
  RunTileOf<2>(rows, t);
}

// The height of the next row tile when `left` rows remain: kTileRows, but
// 13 to 19 rows end in two tiles the last of which has 8 rows, not in a
// full tile and a short one (64 rows: 4 x 12 + 2 x 8, not 5 x 12 + 4: a
// 4-row tile has 8 FMA chains, too few to cover the FMA latency).
constexpr int64_t TileHeight(int64_t left) {
  return left >= kTileRows + 8 ? kTileRows : left > kTileRows ? left - 8 : left;
}

// Columns [0, width) (width < 32) of kc rows of B read in place (row p at
// src + p * ld) copied into a per-thread panel of 32, zero past width, so
// the tile can load whole rows (Note [Unmasked B loads]).
GRAPHRT_AVX512 const float* CopyEdgePanel(const float* src, int64_t ld, int64_t kc,
                                          int64_t width) {
  float* panel = GemmThreadBuffer<GemmBuffer::kAvx512EdgePanel>(kBlockK * kPanel);
  const __mmask16 m0 = FirstLanes(width), m1 = FirstLanes(width - 16);
  for (int64_t p = 0; p < kc; ++p) {
    _mm512_store_ps(panel + p * kPanel, _mm512_maskz_loadu_ps(m0, src + p * ld));
    _mm512_store_ps(panel + p * kPanel + 16, _mm512_maskz_loadu_ps(m1, src + p * ld + 16));
  }
  return panel;
}

// Rows [r0, r1) of C's columns [j, j + width); B's columns either packed
// (panel q's row p at b + q * k + p * 32) or read in place (B[p, j + q] at
// b + p * n + q, ldb = n).
GRAPHRT_AVX512 void Multiply(const GemmProblem& p, const float* b, bool packed, int64_t r0,
                             int64_t r1, int64_t j, int64_t width) {
  const int64_t a_rs = p.transpose_a ? 1 : p.k;
  const int64_t a_ks = p.transpose_a ? p.m : 1;
  const int64_t ldb = packed ? kPanel : p.n;
  for (int64_t ic = r0; ic < r1; ic += kBlockRows) {
    const int64_t ie = std::min(r1, ic + kBlockRows);
    for (int64_t kb = 0; kb < p.k; kb += kBlockK) {
      const int64_t kc = std::min(kBlockK, p.k - kb);
      for (int64_t q = 0; q < width; q += kPanel) {
        const float* slab = packed ? b + q * p.k + kb * kPanel : b + kb * p.n + q;
        int64_t slab_ld = ldb;
        if (!packed && width - q < kPanel) {
          slab = CopyEdgePanel(slab, p.n, kc, width - q);
          slab_ld = kPanel;
        }
        // The epilogue rides on the last k slice's store (Note [GEMM epilogue]).
        const float* bias = p.bias != nullptr && kb + kc == p.k ? p.bias + j + q : nullptr;
        TileArgs t{kc, nullptr, a_rs, a_ks, slab, slab_ld, nullptr, p.n, p.accumulate || kb > 0,
                   FirstLanes(width - q), FirstLanes(width - q - 16), bias, p.relu};
        for (int64_t i = ic, rows = 0; i < ie; i += rows) {
          rows = TileHeight(ie - i);
          t.a = p.a + i * a_rs + kb * a_ks;
          t.c = p.c + i * p.n + j + q;
          RunTile(static_cast<int>(rows), t);
        }
      }
    }
  }
}

}  // namespace

bool CpuHasAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

void GemmAvx512Block(const GemmProblem& p, int64_t r0, int64_t r1, int64_t j0, int64_t j1) {
  if (r0 >= r1 || j0 >= j1) return;
  if (p.k == 0) {
    if (!p.accumulate) {
      for (int64_t i = r0; i < r1; ++i) std::fill(p.c + i * p.n + j0, p.c + i * p.n + j1, 0.0f);
    }
    return;
  }
  // Packed ahead (PackGemmB; CpuGemmWithIsa passes only a packing of this
  // path and these dims): every panel from j0 on, in place.
  if (p.packed_b != nullptr) {
    return Multiply(p, p.packed_b->panels.get() + j0 * p.k, /*packed=*/true, r0, r1, j0, j1 - j0);
  }
  // Few rows read each panel of B only a few times, so packing it would cost
  // as much as it saves (see the Note).
  if (!p.transpose_b && r1 - r0 <= kUnpackedMaxRows) {
    return Multiply(p, p.b + j0, /*packed=*/false, r0, r1, j0, j1 - j0);
  }
  const int64_t chunk = std::max(kPanel, kMaxPackedFloats / p.k / kPanel * kPanel);
  for (int64_t j = j0; j < j1; j += chunk) {
    const int64_t width = std::min(chunk, j1 - j);
    const int64_t panels = (width + kPanel - 1) / kPanel;
    float* packed = GemmThreadBuffer<GemmBuffer::kAvx512PackedB>(panels * kPanel * p.k);
    PackB(p, j, width, packed);
    Multiply(p, packed, /*packed=*/true, r0, r1, j, width);
  }
}

void GemmAvx512PackB(const GemmProblem& p, float* dst) { PackB(p, 0, p.n, dst); }

}  // namespace graphrt

#else  // not x86-64: CpuHasAvx512() is false, so the kernel is never called

namespace graphrt {
bool CpuHasAvx512() { return false; }
void GemmAvx512Block(const GemmProblem&, int64_t, int64_t, int64_t, int64_t) {}
void GemmAvx512PackB(const GemmProblem&, float*) {}
}  // namespace graphrt

#endif
