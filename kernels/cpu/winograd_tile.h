// The per-tile algebra of Winograd's F(2x2, 3x3) (Note [Winograd F(2x2,
// 3x3)] in winograd.cc), shared by the NHWC kernels (winograd.cc, vectors
// over channels) and the NCHW one (winograd_nchw.cc, vectors over tiles):
// the input, output and gradient transforms of one tile, written once for
// scalars and for V16, 16 floats that the compiler keeps in one zmm
// register with AVX-512 (two ymm with AVX2).
// Internal to kernels/cpu; header-only and inline (the transforms sit in the
// kernels' inner loops). Thread-safety: pure functions.
#ifndef GRAPHRT_KERNELS_CPU_WINOGRAD_TILE_H_
#define GRAPHRT_KERNELS_CPU_WINOGRAD_TILE_H_

#include <cstdint>
#include <cstring>

namespace graphrt::winograd {

// GCC's vector extension: 16 floats as one value.
using V16 = float __attribute__((vector_size(64)));
inline constexpr int64_t kLanes = 16;

inline V16 Load(const float* p) {
  V16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void Store(float* p, V16 v) { std::memcpy(p, &v, sizeof v); }

// The filter transform of one 3x3 filter w (scalars or V16s): put(xi, (G w
// G^T)[xi]) for the 16 positions xi = 4 i + j of the 4x4 result.
template <typename T, typename Put>
inline void FilterTile(const T (&w)[3][3], Put put) {
  T t[4][3];  // G w
  for (int j = 0; j < 3; ++j) {
    t[0][j] = w[0][j];
    t[1][j] = 0.5f * (w[0][j] + w[1][j] + w[2][j]);
    t[2][j] = 0.5f * (w[0][j] - w[1][j] + w[2][j]);
    t[3][j] = w[2][j];
  }
  for (int i = 0; i < 4; ++i) {  // (G w) G^T
    put(i * 4 + 0, t[i][0]);
    put(i * 4 + 1, 0.5f * (t[i][0] + t[i][1] + t[i][2]));
    put(i * 4 + 2, 0.5f * (t[i][0] - t[i][1] + t[i][2]));
    put(i * 4 + 3, t[i][2]);
  }
}

// The input transform of one tile: x[i][j] the 4x4 input values (scalars or
// V16s), put(xi, (B^T x B)[xi]).
template <typename T, typename Put>
inline void InputTile(const T (&x)[4][4], Put put) {
  T t[4][4];  // B^T x: rows x0 - x2, x1 + x2, x2 - x1, x1 - x3
  for (int j = 0; j < 4; ++j) {
    t[0][j] = x[0][j] - x[2][j];
    t[1][j] = x[1][j] + x[2][j];
    t[2][j] = x[2][j] - x[1][j];
    t[3][j] = x[1][j] - x[3][j];
  }
  for (int i = 0; i < 4; ++i) {  // (B^T x) B: columns alike
    put(i * 4 + 0, t[i][0] - t[i][2]);
    put(i * 4 + 1, t[i][1] + t[i][2]);
    put(i * 4 + 2, t[i][2] - t[i][1]);
    put(i * 4 + 3, t[i][1] - t[i][3]);
  }
}

// The output transform of one tile: m[xi] the 16 transformed values, y[a][b]
// receives (A^T m A)[a][b] + bias, relu'd.
template <typename T>
inline void OutputTile(const T (&m)[16], T bias, bool relu, T (&y)[2][2]) {
  T s[2][4];  // A^T m: rows m0 + m1 + m2 and m1 - m2 - m3 (row i at xi = 4i + j)
  for (int j = 0; j < 4; ++j) {
    s[0][j] = m[j] + m[4 + j] + m[8 + j];
    s[1][j] = m[4 + j] - m[8 + j] - m[12 + j];
  }
  for (int a = 0; a < 2; ++a) {  // (A^T m) A: columns alike
    y[a][0] = s[a][0] + s[a][1] + s[a][2] + bias;
    y[a][1] = s[a][1] - s[a][2] - s[a][3] + bias;
    if (relu) {
      // max(y, 0) as the epilogue computes it: a NaN stays a NaN.
      for (int b = 0; b < 2; ++b) y[a][b] = y[a][b] < 0 ? T{} : y[a][b];
    }
  }
}

}  // namespace graphrt::winograd

#endif  // GRAPHRT_KERNELS_CPU_WINOGRAD_TILE_H_
