// The per-tile algebra of Winograd's F(2x2, 3x3) (Note [Winograd F(2x2,
// 3x3)] in winograd.cc), shared by the NHWC kernels (winograd.cc, vectors
// over channels) and the NCHW one (winograd_nchw.cc, vectors over tiles):
// the filter, input and output transforms of one tile, written once for
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

// Floats between consecutive transformed planes beyond their size: planes a
// multiple of 4 KiB apart would put the 16 loads of one tile's transform in
// one L1 set. Also the room a vector store past a plane's end may use.
inline constexpr int64_t kPlanePad = 16;

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

// u[xi * count + i] = (G w G^T)[xi] for the `count` 3x3 filters w, whose
// tap (r, s) of filter i is f[(3 r + s) * tap_stride + i * filter_stride]
// (HWIO: tap_stride C * K, filter_stride 1; OIHW: 1 and 9). 16 filters at a
// time, their taps first gathered tap by tap.
inline void TransformFilters(const float* f, int64_t count, int64_t tap_stride,
                             int64_t filter_stride, float* u) {
  const int64_t vector_end = count / kLanes * kLanes;
  for (int64_t i0 = 0; i0 < vector_end; i0 += kLanes) {
    float taps[9][kLanes];
    for (int q = 0; q < 9; ++q) {
      for (int64_t l = 0; l < kLanes; ++l) taps[q][l] = f[q * tap_stride + (i0 + l) * filter_stride];
    }
    V16 w[3][3];
    for (int q = 0; q < 9; ++q) w[q / 3][q % 3] = Load(taps[q]);
    FilterTile(w, [&](int xi, V16 value) { Store(u + xi * count + i0, value); });
  }
  for (int64_t i = vector_end; i < count; ++i) {
    float w[3][3];
    for (int q = 0; q < 9; ++q) w[q / 3][q % 3] = f[q * tap_stride + i * filter_stride];
    FilterTile(w, [&](int xi, float value) { u[xi * count + i] = value; });
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
