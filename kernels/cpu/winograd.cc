#include "kernels/cpu/winograd.h"

#include <algorithm>
#include <vector>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/thread_scratch.h"
#include "kernels/cpu/winograd_tile.h"

namespace graphrt {
namespace {

// The shared per-tile algebra (winograd_tile.h).
using namespace winograd;  // NOLINT(build/namespaces): internal to kernels/cpu

// Note [Winograd F(2x2, 3x3)]
// Rationale: the CNN's second layer (3x3, 32 -> 64 channels) is ~60% of a
// training step's products twice over (forward, and the stride-1 input
// gradient that conv_ops.cc runs as a forward convolution), and the GEMM
// already runs at ~85% of the FMA peak: fewer products is what is left.
// Winograd's minimal filtering computes each 2x2 block of outputs from a 4x4
// block of inputs with 16 products per (input, output) channel pair where
// the direct sum takes 36 (Lavin and Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016): with the standard matrices
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//   G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
//   A^T = [1 1 1 0; 0 1 -1 -1]
// a 2x2 output tile is A^T [(G g G^T) .* (B^T d B)] A for every channel
// pair, summed over input channels; that sum is, for each of the 16
// positions xi of the 4x4 transformed tile, a GEMM [tiles, C] x [C, K].
// Approach: the filter is transformed once per call into U[xi] [C, K]. The
// output is cut into 2x2 tiles (the last row and column of tiles may hang
// over the output's edge: those outputs are not stored); blocks of
// kTilesPerBlock tiles are the tasks of the intra-op pool (32: few enough
// rows that the GEMM reads U[xi] in place instead of packing it; 3% faster
// than 64 on the CNN's layer, 128 no better). Per block, the
// input tiles (zeros where they read padding) are transformed into V[xi]
// [tiles, C], 16 CpuGemm calls give M[xi] [tiles, K], and the inverse
// transform writes the 2x2 outputs with the bias and relu of the fused op.
// A block's V and M (16 x 32 x (C + K) floats: 192 KiB for 32 -> 64) stay
// in L2 between the three phases. Every transform runs over the channels,
// which NHWC keeps contiguous, so it vectorises.
// The filter gradient is the same algebra run backwards: with Z = A dy A^T
// (each 2x2 block of output gradients made 4x4), dL/dU[xi] = sum over tiles
// of V[xi]^T Z[xi] (16 GEMMs [C, tiles] x [tiles, K], accumulated in a fixed
// number of chunks summed in order, so thread counts agree bit for bit), and
// the filter's gradient is G^T (dL/dU) G.
// Limitations: only 3x3 stride 1; F(2x2, 3x3)'s transforms add rounding of
// a few ulps (the conv tests bound it against double-precision loops).
constexpr int64_t kTilesPerBlock = 32;
constexpr int64_t kMinChannels = 8;
// The filter gradient sums over every tile: longer GEMMs (k = tiles), in at
// most kGradChunks partial sums.
constexpr int64_t kGradTilesPerBlock = 64;
constexpr int64_t kGradChunks = 16;
constexpr int64_t kFlopsPerNs = 50;

struct Tiles {
  int64_t rows, cols;  // tiles per image, down and across
  // Tile p's image and top-left output position.
  void Locate(int64_t p, int64_t& n, int64_t& oy, int64_t& ox) const {
    n = p / (rows * cols);
    const int64_t r = p % (rows * cols);
    oy = 2 * (r / cols);
    ox = 2 * (r % cols);
  }
};

// v[xi * stride + t * C + c] = (B^T d B)[xi] for tile p0 + t's 4x4 input
// block d: 16 channels at a time in registers, the rest one by one.
void TransformInput(const float* in, const ConvGeometry& g, const Tiles& tiles, int64_t p0,
                    int64_t p1, const float* zeros, float* v, int64_t stride) {
  const int64_t C = g.in_c, vector_end = C / kLanes * kLanes;
  for (int64_t p = p0; p < p1; ++p) {
    int64_t n, oy, ox;
    tiles.Locate(p, n, oy, ox);
    const float* d[4][4];
    for (int i = 0; i < 4; ++i) {
      const int64_t ih = oy - g.pad_top + i;
      for (int j = 0; j < 4; ++j) {
        const int64_t iw = ox - g.pad_left + j;
        const bool inside = ih >= 0 && ih < g.in_h && iw >= 0 && iw < g.in_w;
        d[i][j] = inside ? in + ((n * g.in_h + ih) * g.in_w + iw) * C : zeros;
      }
    }
    float* dst = v + (p - p0) * C;
    for (int64_t c = 0; c < vector_end; c += kLanes) {
      V16 x[4][4];
      for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 4; ++j) x[i][j] = Load(d[i][j] + c);
      }
      InputTile(x, [&](int xi, V16 value) { Store(dst + xi * stride + c, value); });
    }
    for (int64_t c = vector_end; c < C; ++c) {
      float x[4][4];
      for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 4; ++j) x[i][j] = d[i][j][c];
      }
      InputTile(x, [&](int xi, float value) { dst[xi * stride + c] = value; });
    }
  }
}

// The 2x2 outputs A^T m A of tiles [p0, p1) from m[xi * stride + t * K + k],
// plus bias and relu; outputs past the edge are not stored.
void TransformOutput(const float* m, int64_t stride, const ConvGeometry& g, const Tiles& tiles,
                     int64_t p0, int64_t p1, const float* bias, bool relu, float* out) {
  const int64_t K = g.out_c, vector_end = K / kLanes * kLanes;
  for (int64_t p = p0; p < p1; ++p) {
    int64_t n, oy, ox;
    tiles.Locate(p, n, oy, ox);
    float* dst[2][2] = {{nullptr, nullptr}, {nullptr, nullptr}};
    for (int a = 0; a < 2; ++a) {
      for (int b = 0; b < 2; ++b) {
        if (oy + a < g.out_h && ox + b < g.out_w) {
          dst[a][b] = out + ((n * g.out_h + oy + a) * g.out_w + ox + b) * K;
        }
      }
    }
    const float* src = m + (p - p0) * K;
    for (int64_t k = 0; k < vector_end; k += kLanes) {
      V16 x[16], y[2][2];
      for (int xi = 0; xi < 16; ++xi) x[xi] = Load(src + xi * stride + k);
      OutputTile(x, bias != nullptr ? Load(bias + k) : V16{}, relu, y);
      for (int a = 0; a < 2; ++a) {
        for (int b = 0; b < 2; ++b) {
          if (dst[a][b] != nullptr) Store(dst[a][b] + k, y[a][b]);
        }
      }
    }
    for (int64_t k = vector_end; k < K; ++k) {
      float x[16], y[2][2];
      for (int xi = 0; xi < 16; ++xi) x[xi] = src[xi * stride + k];
      OutputTile(x, bias != nullptr ? bias[k] : 0.0f, relu, y);
      for (int a = 0; a < 2; ++a) {
        for (int b = 0; b < 2; ++b) {
          if (dst[a][b] != nullptr) dst[a][b][k] = y[a][b];
        }
      }
    }
  }
}

// The gradient's transform of one tile on one group of channels: y[a][b] the
// 2x2 output gradients, z[xi] receives (A y A^T)[xi].
template <typename T, typename Put>
inline void GradTile(const T (&y)[2][2], Put put) {
  T t[4][2];  // A y: rows y0, y0 + y1, y0 - y1, -y1
  for (int j = 0; j < 2; ++j) {
    t[0][j] = y[0][j];
    t[1][j] = y[0][j] + y[1][j];
    t[2][j] = y[0][j] - y[1][j];
    t[3][j] = -y[1][j];
  }
  for (int i = 0; i < 4; ++i) {  // (A y) A^T: columns alike
    put(i * 4 + 0, t[i][0]);
    put(i * 4 + 1, t[i][0] + t[i][1]);
    put(i * 4 + 2, t[i][0] - t[i][1]);
    put(i * 4 + 3, -t[i][1]);
  }
}

// z[xi * stride + t * K + k] = (A dy A^T)[xi] for tile p0 + t's 2x2 block of
// dy (zeros for outputs past the edge).
void TransformGrad(const float* dy, const ConvGeometry& g, const Tiles& tiles, int64_t p0,
                   int64_t p1, const float* zeros, float* z, int64_t stride) {
  const int64_t K = g.out_c, vector_end = K / kLanes * kLanes;
  for (int64_t p = p0; p < p1; ++p) {
    int64_t n, oy, ox;
    tiles.Locate(p, n, oy, ox);
    const float* src[2][2];
    for (int a = 0; a < 2; ++a) {
      for (int b = 0; b < 2; ++b) {
        const bool inside = oy + a < g.out_h && ox + b < g.out_w;
        src[a][b] = inside ? dy + ((n * g.out_h + oy + a) * g.out_w + ox + b) * K : zeros;
      }
    }
    float* dst = z + (p - p0) * K;
    for (int64_t k = 0; k < vector_end; k += kLanes) {
      V16 y[2][2];
      for (int a = 0; a < 2; ++a) {
        for (int b = 0; b < 2; ++b) y[a][b] = Load(src[a][b] + k);
      }
      GradTile(y, [&](int xi, V16 value) { Store(dst + xi * stride + k, value); });
    }
    for (int64_t k = vector_end; k < K; ++k) {
      float y[2][2];
      for (int a = 0; a < 2; ++a) {
        for (int b = 0; b < 2; ++b) y[a][b] = src[a][b][k];
      }
      GradTile(y, [&](int xi, float value) { dst[xi * stride + k] = value; });
    }
  }
}

// df [3, 3, C, K] = G^T w G for every (c, k), w[xi * C * K + c * K + k].
void FilterFromTransformed(const float* w, int64_t C, int64_t K, float* df) {
  const int64_t plane = C * K;
  for (int64_t ck = 0; ck < plane; ++ck) {
    float r[3][4];  // G^T w: rows w0 + (w1 + w2) / 2, (w1 - w2) / 2, (w1 + w2) / 2 + w3
    for (int j = 0; j < 4; ++j) {
      const float w0 = w[j * plane + ck], w1 = w[(4 + j) * plane + ck];
      const float w2 = w[(8 + j) * plane + ck], w3 = w[(12 + j) * plane + ck];
      r[0][j] = w0 + 0.5f * (w1 + w2);
      r[1][j] = 0.5f * (w1 - w2);
      r[2][j] = 0.5f * (w1 + w2) + w3;
    }
    for (int i = 0; i < 3; ++i) {  // (G^T w) G: columns alike
      df[(i * 3 + 0) * plane + ck] = r[i][0] + 0.5f * (r[i][1] + r[i][2]);
      df[(i * 3 + 1) * plane + ck] = 0.5f * (r[i][1] - r[i][2]);
      df[(i * 3 + 2) * plane + ck] = 0.5f * (r[i][1] + r[i][2]) + r[i][3];
    }
  }
}

}  // namespace

bool WinogradApplies(const ConvGeometry& g) {
  return g.filter_h == 3 && g.filter_w == 3 && g.stride_h == 1 && g.stride_w == 1 &&
         g.dilation_h == 1 && g.dilation_w == 1 && g.in_c >= kMinChannels &&
         g.out_c >= kMinChannels && g.out_h > 0 && g.out_w > 0 && g.batch > 0;
}

void WinogradConv(OpKernelContext& ctx, const float* in, const float* f, const ConvGeometry& g,
                  float* out, const float* bias, bool relu) {
  const int64_t C = g.in_c, K = g.out_c;
  // u[xi * C * K + c * K + k] = (G g G^T)[xi] for g = f[:, :, c, k] (HWIO).
  std::vector<float> u(16 * C * K);
  TransformFilters(f, C * K, /*tap_stride=*/C * K, /*filter_stride=*/1, u.data());
  const Tiles tiles{(g.out_h + 1) / 2, (g.out_w + 1) / 2};
  const int64_t total = g.batch * tiles.rows * tiles.cols;
  const int64_t blocks = (total + kTilesPerBlock - 1) / kTilesPerBlock;
  const int64_t cost = 2 * 16 * kTilesPerBlock * C * K / kFlopsPerNs + 16 * kTilesPerBlock * (C + K);
  ctx.ParallelFor(blocks, cost, [&](int64_t begin, int64_t end) {
    // The 16 planes of a block sit kPlanePad floats further apart than
    // their size (32 tiles x 32 floats would be 4 KiB).
    const int64_t v_stride = kTilesPerBlock * C + kPlanePad;
    const int64_t m_stride = kTilesPerBlock * K + kPlanePad;
    float* v = ThreadScratch(0, 16 * v_stride);
    float* m = ThreadScratch(1, 16 * m_stride);
    float* zeros = ThreadScratch(2, C);  // what a tile reads in the padding
    std::fill(zeros, zeros + C, 0.0f);
    for (int64_t blk = begin; blk < end; ++blk) {
      const int64_t p0 = blk * kTilesPerBlock, p1 = std::min(total, p0 + kTilesPerBlock);
      TransformInput(in, g, tiles, p0, p1, zeros, v, v_stride);
      for (int xi = 0; xi < 16; ++xi) {
        CpuGemm({.a = v + xi * v_stride, .b = u.data() + xi * C * K, .c = m + xi * m_stride,
                 .m = p1 - p0, .k = C, .n = K});
      }
      TransformOutput(m, m_stride, g, tiles, p0, p1, bias, relu, out);
    }
  });
}

void WinogradFilterGrad(OpKernelContext& ctx, const float* in, const float* dy,
                        const ConvGeometry& g, float* df) {
  const int64_t C = g.in_c, K = g.out_c, size = 16 * C * K;
  const Tiles tiles{(g.out_h + 1) / 2, (g.out_w + 1) / 2};
  const int64_t total = g.batch * tiles.rows * tiles.cols;
  const int64_t blocks = (total + kGradTilesPerBlock - 1) / kGradTilesPerBlock;
  // Chunks fixed by the shapes, summed in order: the result does not depend
  // on the thread count.
  const int64_t chunks = std::min(blocks, kGradChunks);
  const int64_t blocks_per_chunk = (blocks + chunks - 1) / chunks;
  std::vector<float> partials(chunks * size, 0.0f);
  const int64_t cost = blocks_per_chunk * (2 * 16 * kGradTilesPerBlock * C * K / kFlopsPerNs +
                                           16 * kGradTilesPerBlock * (C + K));
  ctx.ParallelFor(chunks, cost, [&](int64_t begin, int64_t end) {
    const int64_t v_stride = kGradTilesPerBlock * C + kPlanePad;
    const int64_t z_stride = kGradTilesPerBlock * K + kPlanePad;
    float* v = ThreadScratch(0, 16 * v_stride);
    float* z = ThreadScratch(1, 16 * z_stride);
    float* zeros = ThreadScratch(2, std::max(C, K));
    std::fill(zeros, zeros + std::max(C, K), 0.0f);
    for (int64_t chunk = begin; chunk < end; ++chunk) {
      float* acc = partials.data() + chunk * size;
      const int64_t blk_end = std::min(blocks, (chunk + 1) * blocks_per_chunk);
      for (int64_t blk = chunk * blocks_per_chunk; blk < blk_end; ++blk) {
        const int64_t p0 = blk * kGradTilesPerBlock;
        const int64_t p1 = std::min(total, p0 + kGradTilesPerBlock);
        TransformInput(in, g, tiles, p0, p1, zeros, v, v_stride);
        TransformGrad(dy, g, tiles, p0, p1, zeros, z, z_stride);
        // acc[xi] [C, K] += V[xi]^T [C, tiles] x Z[xi] [tiles, K].
        for (int xi = 0; xi < 16; ++xi) {
          CpuGemm({.a = v + xi * v_stride, .transpose_a = true, .b = z + xi * z_stride,
                   .c = acc + xi * C * K, .m = C, .k = p1 - p0, .n = K, .accumulate = true});
        }
      }
    }
  });
  for (int64_t chunk = 1; chunk < chunks; ++chunk) {
    const float* part = partials.data() + chunk * size;
    for (int64_t i = 0; i < size; ++i) partials[i] += part[i];
  }
  FilterFromTransformed(partials.data(), C, K, df);
}

}  // namespace graphrt
