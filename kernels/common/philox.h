// Philox 4x32-10, the counter-based generator of Salmon, Moraes, Dror and
// Shaw, "Parallel random numbers: as easy as 1, 2, 3" (SC'11): ten rounds of
// a keyed bijection over a 128-bit counter. Each (key, counter) gives four
// independent 32-bit values with no state, so any element of a random tensor
// is computed on its own, on any device or thread, with the same result.
//
// Used by StatelessRandomUniformLike on the CPU (kernels/cpu/random_ops.cc)
// and on the GPU (kernels/gpu/random_kernels.cu): this header is the one
// definition both compile, so the two agree bit for bit. It includes no
// graphrt header and compiles as C++17 host code and as CUDA device code.
// Thread-safety: pure functions.
#ifndef GRAPHRT_KERNELS_COMMON_PHILOX_H_
#define GRAPHRT_KERNELS_COMMON_PHILOX_H_

#include <cstdint>

#if defined(__CUDACC__)
#define GRAPHRT_PHILOX_FN __host__ __device__ inline
#else
#define GRAPHRT_PHILOX_FN inline
#endif

namespace graphrt::philox {

struct Block {
  uint32_t v[4];
};

// The four values for counter (c0, c1, c2, c3) under key (k0, k1).
GRAPHRT_PHILOX_FN Block Philox4x32(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                   uint32_t k0, uint32_t k1) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = static_cast<uint64_t>(kMul0) * c0;
    const uint64_t p1 = static_cast<uint64_t>(kMul1) * c2;
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  return Block{{c0, c1, c2, c3}};
}

// A float in [0, 1): the top 24 bits of `bits` times 2^-24 (exact in float32).
GRAPHRT_PHILOX_FN float ToUniform(uint32_t bits) {
  return static_cast<float>(bits >> 8) * (1.0f / 16777216.0f);
}

// Element i of the uniform stream of seed (s0, s1): block i / 4, lane i % 4,
// key s0, counter (i / 4, s1) as four 32-bit words, low words first.
GRAPHRT_PHILOX_FN Block UniformBlock(uint64_t block, uint64_t s0, uint64_t s1) {
  return Philox4x32(static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32),
                    static_cast<uint32_t>(s1), static_cast<uint32_t>(s1 >> 32),
                    static_cast<uint32_t>(s0), static_cast<uint32_t>(s0 >> 32));
}

}  // namespace graphrt::philox

#undef GRAPHRT_PHILOX_FN

#endif  // GRAPHRT_KERNELS_COMMON_PHILOX_H_
