// Winograd's F(2x2, 3x3) channels first: ConvNd's 2-D 3x3 stride-1
// convolutions (winograd.h).
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/thread_scratch.h"
#include "kernels/cpu/winograd.h"
#include "kernels/cpu/winograd_tile.h"

namespace graphrt {
namespace {

// The shared per-tile algebra (winograd_tile.h).
using namespace winograd;  // NOLINT(build/namespaces): internal to kernels/cpu

// Note [Winograd in NCHW]
// Rationale: ONNX models are channels first. The NHWC kernels (winograd.cc)
// vectorise the transforms over channels, contiguous there; in NCHW the
// next channel is a plane away. Here a vector holds 16 neighbouring tiles
// of one tile row instead, whose inputs are every other column of the same
// four image rows, and the GEMMs are turned around so that tiles are the
// columns: M^T[xi] [K, T] = U^T[xi] [K, C] x V^T[xi] [C, T], with U^T read
// straight from the OIHW filter's [K, C] order.
// Approach: a task is a block of whole tile rows of one image, about
// kTargetTiles tiles (T = rows x tiles across; fewer when the batch would
// otherwise make under kMinBlocks tasks). It first copies the input
// rows the block reads into a zero-padded scratch (the padding, and the
// columns past the image that a tile row's last group of 16 reads), so the
// transform loads without bounds checks: for tiles t .. t + 15, the 32
// floats from column 2t hold their 4x4 inputs' columns 0 and 1 (even and
// odd lanes; one shuffle splits them) and the 32 from 2t + 2 columns 2 and
// 3. A V^T row is T floats, rarely a multiple of 16: a tile row's last
// group stores its spare lanes into the next tile row's start, which is
// written after it (rows and channels go in order), or, at the very end,
// into the plane's kPlanePad. The output transform reads M^T the same way,
// interleaves each tile's two columns back into 32 consecutive outputs and
// stores the ones inside the image.
// The GEMMs split their K rows by kGemmInPlaceBRows so that the AVX-512
// path reads V^T in place: it is used by this product alone, and packing it
// cost 5% of the ResNet block (bench/RESULTS.md).
// Limitations: images under 32 columns fill only part of each vector; the
// filter is transformed on every call (vectorised, 16 filters at a time),
// where a constant weight could be transformed once per session.
constexpr int64_t kTargetTiles = 128;
// Fewer tiles a block when a batch would make fewer blocks than this, so
// that each intra-op thread still gets several (128 tiles: 4% faster than
// 64 at batch 8, 8% slower at batch 1 on two threads without this).
constexpr int64_t kMinBlocks = 12;
constexpr int64_t kFlopsPerNs = 50;

// How the tiles of one image are cut into tasks.
struct Blocks {
  int64_t tiles_h, tiles_w;  // 2x2 output tiles down and across
  int64_t rows;              // tile rows per block (the last may have fewer)
  int64_t width;             // floats per padded input row
  int64_t per_image;         // blocks per image
  explicit Blocks(const ConvGeometry& g)
      : tiles_h((g.out_h + 1) / 2),
        tiles_w((g.out_w + 1) / 2),
        rows(std::clamp<int64_t>(kTargetTiles / tiles_w, 1, tiles_h)),
        // The last group of 16 tiles reads up to column 32 * groups + 1.
        width(2 * kLanes * ((tiles_w + kLanes - 1) / kLanes) + 2) {
    while (rows > 1 && g.batch * ((tiles_h + rows - 1) / rows) < kMinBlocks) rows = (rows + 1) / 2;
    per_image = (tiles_h + rows - 1) / rows;
  }
};

// p[(c * rows + r) * width + col] = x[c, ih0 + r, col - pad_left] (one
// image's planes), 0 outside the image.
void PadRows(const float* x, const ConvGeometry& g, int64_t ih0, int64_t rows, int64_t width,
             float* p) {
  const int64_t lo = std::min(width, g.pad_left);
  const int64_t hi = std::min(width, g.pad_left + g.in_w);
  for (int64_t c = 0; c < g.in_c; ++c) {
    for (int64_t r = 0; r < rows; ++r) {
      float* dst = p + (c * rows + r) * width;
      const int64_t ih = ih0 + r;
      if (ih < 0 || ih >= g.in_h || hi <= lo) {
        std::fill(dst, dst + width, 0.0f);
        continue;
      }
      std::fill(dst, dst + lo, 0.0f);
      std::memcpy(dst + lo, x + (c * g.in_h + ih) * g.in_w + (lo - g.pad_left),
                  (hi - lo) * sizeof(float));
      std::fill(dst + hi, dst + width, 0.0f);
    }
  }
}

inline V16 Even(V16 a, V16 b) {
  return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}
inline V16 Odd(V16 a, V16 b) {
  return __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}

// v[xi * stride + c * T + r * tiles_w + t] = (B^T d B)[xi] for the 4x4
// input d of the block's tile (r, t), from p as PadRows fills it for
// 2 * rows + 2 input rows.
void TransformInput(const float* p, int64_t C, const Blocks& b, int64_t rows, float* v,
                    int64_t stride) {
  const int64_t T = rows * b.tiles_w;
  for (int64_t c = 0; c < C; ++c) {
    for (int64_t r = 0; r < rows; ++r) {
      const float* src = p + (c * (2 * rows + 2) + 2 * r) * b.width;
      float* dst = v + c * T + r * b.tiles_w;
      for (int64_t t0 = 0; t0 < b.tiles_w; t0 += kLanes) {
        V16 x[4][4];
        for (int i = 0; i < 4; ++i) {
          const float* s = src + i * b.width + 2 * t0;
          const V16 a0 = Load(s), a1 = Load(s + kLanes);
          const V16 b0 = Load(s + 2), b1 = Load(s + 2 + kLanes);
          x[i][0] = Even(a0, a1);
          x[i][1] = Odd(a0, a1);
          x[i][2] = Even(b0, b1);
          x[i][3] = Odd(b0, b1);
        }
        InputTile(x, [&](int xi, V16 value) { Store(dst + xi * stride + t0, value); });
      }
    }
  }
}

// One image's y [K, out_h, out_w] for the block's tile rows [tr0, tr0 +
// rows) from m[xi * stride + k * T + r * tiles_w + t], plus bias, relu'd.
void TransformOutput(const float* m, int64_t stride, const ConvGeometry& g, const Blocks& b,
                     int64_t tr0, int64_t rows, const float* bias, bool relu, float* y) {
  const int64_t T = rows * b.tiles_w;
  for (int64_t k = 0; k < g.out_c; ++k) {
    const V16 bias_k = V16{} + (bias != nullptr ? bias[k] : 0.0f);
    float* plane = y + k * g.out_h * g.out_w;
    for (int64_t r = 0; r < rows; ++r) {
      const float* src = m + k * T + r * b.tiles_w;
      const int64_t oy = 2 * (tr0 + r);
      for (int64_t t0 = 0; t0 < b.tiles_w; t0 += kLanes) {
        V16 x[16], out[2][2];
        for (int xi = 0; xi < 16; ++xi) x[xi] = Load(src + xi * stride + t0);
        OutputTile(x, bias_k, relu, out);
        const int64_t ox = 2 * t0, n = std::min(2 * kLanes, g.out_w - ox);
        for (int a = 0; a < 2 && oy + a < g.out_h; ++a) {
          const V16 lo = __builtin_shufflevector(out[a][0], out[a][1], 0, 16, 1, 17, 2, 18, 3,
                                                 19, 4, 20, 5, 21, 6, 22, 7, 23);
          const V16 hi = __builtin_shufflevector(out[a][0], out[a][1], 8, 24, 9, 25, 10, 26,
                                                 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
          float* dst = plane + (oy + a) * g.out_w + ox;
          if (n == 2 * kLanes) {
            Store(dst, lo);
            Store(dst + kLanes, hi);
          } else {
            float line[2 * kLanes];
            Store(line, lo);
            Store(line + kLanes, hi);
            std::memcpy(dst, line, n * sizeof(float));
          }
        }
      }
    }
  }
}

}  // namespace

void WinogradConvNchw(OpKernelContext& ctx, const float* x, const float* w, const ConvGeometry& g,
                      float* y, const float* bias, bool relu) {
  const int64_t C = g.in_c, K = g.out_c;
  // ut[xi * K * C + k * C + c] = (G w G^T)[xi] for the filter w[k, c] (OIHW).
  std::vector<float> ut(16 * K * C);
  TransformFilters(w, K * C, /*tap_stride=*/1, /*filter_stride=*/9, ut.data());
  const Blocks b(g);
  const int64_t max_tiles = b.rows * b.tiles_w;
  const int64_t cost = 2 * 16 * max_tiles * C * K / kFlopsPerNs + 16 * max_tiles * (C + K);
  ctx.ParallelFor(g.batch * b.per_image, cost, [&](int64_t begin, int64_t end) {
    const int64_t v_stride = C * max_tiles + kPlanePad, m_stride = K * max_tiles + kPlanePad;
    float* v = ThreadScratch(0, 16 * v_stride);
    float* m = ThreadScratch(1, 16 * m_stride);
    float* p = ThreadScratch(2, C * (2 * b.rows + 2) * b.width);
    for (int64_t blk = begin; blk < end; ++blk) {
      const int64_t n = blk / b.per_image, tr0 = blk % b.per_image * b.rows;
      const int64_t rows = std::min(b.rows, b.tiles_h - tr0);
      PadRows(x + n * C * g.in_h * g.in_w, g, 2 * tr0 - g.pad_top, 2 * rows + 2, b.width, p);
      TransformInput(p, C, b, rows, v, v_stride);
      for (int xi = 0; xi < 16; ++xi) {
        const GemmProblem prob{.a = ut.data() + xi * K * C, .b = v + xi * v_stride,
                               .c = m + xi * m_stride, .m = K, .k = C, .n = rows * b.tiles_w};
        // V^T is used by this product alone: read in place, not packed.
        for (int64_t r0 = 0; r0 < K; r0 += kGemmInPlaceBRows) {
          CpuGemm(prob, r0, std::min(K, r0 + kGemmInPlaceBRows), 0, prob.n);
        }
      }
      TransformOutput(m, m_stride, g, b, tr0, rows, bias, relu, y + n * K * g.out_h * g.out_w);
    }
  });
}

}  // namespace graphrt
