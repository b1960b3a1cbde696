// Tests for kernels/cpu/gemm.h: every ISA path this CPU supports (AVX-512,
// AVX2, generic) against a double-precision triple loop, over shapes around
// the kernels' edges (row tiles of 6 and 12, panels of 16 and 32, k blocks of
// 128 to 512, AVX-512's column chunks), all four transpose combinations, C
// accumulated or not, and blocks of C (cells outside a block untouched); the
// paths against each other; and the ISA choice (GRAPHRT_CPU_ISA's parsing,
// SetGemmIsa's refusal).
#include "kernels/cpu/gemm.h"

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

struct Shape {
  int64_t m, k, n;
};

std::vector<float> Random(int64_t size, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(size);
  for (float& x : v) x = dist(gen);
  return v;
}

// C (+)= op(A) op(B) over the whole matrix, in double, from the definition.
std::vector<float> Reference(const GemmProblem& p, const std::vector<float>& c_in) {
  std::vector<float> c(p.m * p.n);
  for (int64_t i = 0; i < p.m; ++i) {
    for (int64_t j = 0; j < p.n; ++j) {
      double sum = p.accumulate ? c_in[i * p.n + j] : 0.0;
      for (int64_t q = 0; q < p.k; ++q) {
        const double a = p.transpose_a ? p.a[q * p.m + i] : p.a[i * p.k + q];
        const double b = p.transpose_b ? p.b[j * p.k + q] : p.b[q * p.n + j];
        sum += a * b;
      }
      c[i * p.n + j] = static_cast<float>(sum);
    }
  }
  return c;
}

// |got - want| <= tolerance scaled by the row's magnitude (sqrt(k) of unit
// terms), for every cell.
void ExpectNear(const std::vector<float>& got, const std::vector<float>& want, int64_t k) {
  ASSERT_EQ(got.size(), want.size());
  const double tol = 2e-6 * (1.0 + std::sqrt(static_cast<double>(k))) * 4;
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i) {
    if (!(std::abs(double{got[i]} - want[i]) <= tol * (1.0 + std::abs(double{want[i]})))) {
      ADD_FAILURE() << "cell " << i << ": got " << got[i] << ", want " << want[i];
      ++bad;
    }
  }
}

class GemmIsaTest : public ::testing::TestWithParam<CpuIsa> {
 protected:
  void SetUp() override {
    if (!GemmIsaSupported(GetParam())) {
      GTEST_SKIP() << CpuIsaName(GetParam()) << " is not supported on this CPU (or build)";
    }
  }
};

TEST_P(GemmIsaTest, ShapesAndTransposesMatchDoubleReference) {
  const Shape shapes[] = {{1, 1, 1},     {1, 7, 33},     {5, 3, 15},    {6, 16, 16},
                          {12, 128, 32}, {13, 129, 31},  {25, 257, 64}, {37, 53, 29},
                          {32, 784, 100}, {100, 300, 10}, {7, 1000, 65}, {97, 9, 32},
                          {256, 288, 64}, {2, 40000, 70}, {16, 40, 48}, {19, 20, 33},
                          {64, 200, 70},  {530, 300, 70}};  // the last: AVX2's row blocks
  uint32_t seed = 1;
  for (const Shape& s : shapes) {
    for (int flags = 0; flags < 8; ++flags) {
      const bool ta = flags & 1, tb = flags & 2, acc = flags & 4;
      SCOPED_TRACE(absl::StrCat(CpuIsaName(GetParam()), " ", s.m, "x", s.k, "x", s.n,
                                " ta=", ta, " tb=", tb, " accumulate=", acc));
      const std::vector<float> a = Random(s.m * s.k, seed++), b = Random(s.k * s.n, seed++);
      const std::vector<float> c0 = Random(s.m * s.n, seed++);
      std::vector<float> c = c0;
      const GemmProblem p{.a = a.data(), .transpose_a = ta, .b = b.data(), .transpose_b = tb,
                          .c = c.data(), .m = s.m, .k = s.k, .n = s.n, .accumulate = acc};
      CpuGemmWithIsa(GetParam(), p, 0, s.m, 0, s.n);
      ExpectNear(c, Reference(p, c0), s.k);
    }
  }
}

// Blocks of C as callers split it (rows anywhere, columns at multiples of
// kGemmPanel): each block is right and nothing outside it is written.
TEST_P(GemmIsaTest, BlocksWriteOnlyTheirCells) {
  const int64_t m = 41, k = 70, n = 101;
  const std::vector<float> a = Random(m * k, 7), b = Random(k * n, 8);
  const std::vector<float> zeros(m * n, 0.0f);
  const float sentinel = std::numeric_limits<float>::quiet_NaN();
  for (bool tb : {false, true}) {
    GemmProblem p{.a = a.data(), .b = b.data(), .transpose_b = tb, .c = nullptr, .m = m,
                  .k = k, .n = n};
    const std::vector<float> want = Reference(p, zeros);
    for (int64_t r0 : {0, 5, 12}) {
      for (int64_t j0 : {int64_t{0}, kGemmPanel, 2 * kGemmPanel}) {
        const int64_t r1 = std::min(m, r0 + 17), j1 = std::min(n, j0 + kGemmPanel + 7);
        SCOPED_TRACE(absl::StrCat("tb=", tb, " rows [", r0, ", ", r1, ") cols [", j0, ", ", j1,
                                  ")"));
        std::vector<float> c(m * n, sentinel);
        p.c = c.data();
        CpuGemmWithIsa(GetParam(), p, r0, r1, j0, j1);
        for (int64_t i = 0; i < m; ++i) {
          for (int64_t j = 0; j < n; ++j) {
            const float got = c[i * n + j];
            if (i >= r0 && i < r1 && j >= j0 && j < j1) {
              ASSERT_NEAR(got, want[i * n + j], 1e-4) << "cell " << i << "," << j;
            } else {
              ASSERT_TRUE(std::isnan(got)) << "cell " << i << "," << j << " written outside";
            }
          }
        }
      }
    }
  }
}

TEST_P(GemmIsaTest, ZeroInnerDimensionWritesZerosOrLeavesC) {
  std::vector<float> c(6, 3.0f);
  GemmProblem p{.a = nullptr, .b = nullptr, .c = c.data(), .m = 2, .k = 0, .n = 3};
  CpuGemmWithIsa(GetParam(), p, 0, 2, 0, 3);
  EXPECT_THAT(c, ::testing::Each(0.0f));
  std::fill(c.begin(), c.end(), 3.0f);
  p.accumulate = true;
  CpuGemmWithIsa(GetParam(), p, 0, 2, 0, 3);
  EXPECT_THAT(c, ::testing::Each(3.0f));
}

INSTANTIATE_TEST_SUITE_P(Isas, GemmIsaTest,
                         ::testing::Values(CpuIsa::kAvx512, CpuIsa::kAvx2, CpuIsa::kGeneric),
                         [](const auto& info) { return std::string(CpuIsaName(info.param)); });

// op(B) packed once (PackGemmB, what MatMul does for a constant weight)
// gives the products of the unpacked B, over the shapes around the tiles'
// edges, both layouts of B, accumulation, and blocks of C. Where the path
// packs nothing ahead (not AVX-512) the packing is empty and ignored.
TEST(GemmPackedBTest, PackedBMatchesTheReference) {
  const Shape shapes[] = {{1, 1, 1},   {1, 784, 300}, {13, 129, 31}, {19, 20, 33},
                          {64, 784, 100}, {97, 9, 65}, {5, 300, 10}};
  uint32_t seed = 100;
  for (const Shape& s : shapes) {
    for (int flags = 0; flags < 4; ++flags) {
      const bool tb = flags & 1, acc = flags & 2;
      SCOPED_TRACE(absl::StrCat(s.m, "x", s.k, "x", s.n, " tb=", tb, " accumulate=", acc));
      const std::vector<float> a = Random(s.m * s.k, seed++), b = Random(s.k * s.n, seed++);
      const std::vector<float> c0 = Random(s.m * s.n, seed++);
      const PackedGemmB packed = PackGemmB(b.data(), tb, s.k, s.n);
      EXPECT_EQ(packed.isa, GemmIsa() == CpuIsa::kAvx512 ? CpuIsa::kAvx512 : CpuIsa::kGeneric);
      std::vector<float> c = c0;
      const GemmProblem p{.a = a.data(), .b = b.data(), .transpose_b = tb, .c = c.data(),
                          .m = s.m, .k = s.k, .n = s.n, .accumulate = acc, .packed_b = &packed};
      // In two column blocks (split at a panel) and two row blocks.
      const int64_t jm = std::min(s.n, kGemmPanel), im = s.m / 2;
      CpuGemm(p, 0, im, 0, jm);
      CpuGemm(p, im, s.m, 0, jm);
      CpuGemm(p, 0, s.m, jm, s.n);
      ExpectNear(c, Reference(p, c0), s.k);
    }
  }
}

// A packing made for another path (SetGemmIsa since) or for other dims is
// not read: the product comes from b.
TEST(GemmPackedBTest, PackingForAnotherPathOrShapeIsIgnored) {
  if (!GemmIsaSupported(CpuIsa::kAvx512)) GTEST_SKIP() << "no AVX-512 path to pack for";
  const CpuIsa before = GemmIsa();
  ASSERT_TRUE(SetGemmIsa(CpuIsa::kAvx512).ok());
  const int64_t m = 30, k = 50, n = 40;
  const std::vector<float> a = Random(m * k, 1), b = Random(k * n, 2);
  const PackedGemmB packed = PackGemmB(b.data(), false, k, n);
  ASSERT_EQ(packed.isa, CpuIsa::kAvx512);
  std::vector<float> c(m * n);
  GemmProblem p{.a = a.data(), .b = b.data(), .c = c.data(), .m = m, .k = k, .n = n,
                .packed_b = &packed};
  const std::vector<float> want = Reference(p, c);
  for (CpuIsa isa : {CpuIsa::kAvx2, CpuIsa::kGeneric}) {
    if (!GemmIsaSupported(isa)) continue;
    SCOPED_TRACE(CpuIsaName(isa));
    std::fill(c.begin(), c.end(), 0.0f);
    CpuGemmWithIsa(isa, p, 0, m, 0, n);
    ExpectNear(c, want, k);
  }
  // The same b read as [k, n - 7]'s first columns would be wrong packed for
  // [k, n]: the dims differ, so b itself is read.
  const int64_t n2 = n - 7;
  std::vector<float> b2(k * n2);
  for (int64_t q = 0; q < k; ++q) {
    for (int64_t j = 0; j < n2; ++j) b2[q * n2 + j] = b[q * n + j];
  }
  std::vector<float> c2(m * n2);
  GemmProblem p2{.a = a.data(), .b = b2.data(), .c = c2.data(), .m = m, .k = k, .n = n2,
                 .packed_b = &packed};
  CpuGemm(p2, 0, m, 0, n2);
  ExpectNear(c2, Reference(p2, std::vector<float>(m * n2)), k);
  ASSERT_TRUE(SetGemmIsa(before).ok());
}

TEST(GemmIsaChoiceTest, BestPathIsTheWidestTheCpuRuns) {
  EXPECT_TRUE(GemmIsaSupported(CpuIsa::kGeneric));
  std::string note;
  const CpuIsa best = ResolveGemmIsa(nullptr, &note);
  EXPECT_TRUE(note.empty());
  EXPECT_TRUE(GemmIsaSupported(best));
#if defined(__x86_64__)
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  EXPECT_EQ(GemmIsaSupported(CpuIsa::kAvx512), avx512);
  if (avx512) {
    EXPECT_EQ(best, CpuIsa::kAvx512);
  }
#endif
  EXPECT_EQ(ResolveGemmIsa("", &note), best);
  EXPECT_TRUE(GemmIsaSupported(GemmIsa()));
}

TEST(GemmIsaChoiceTest, EnvironmentRequestHonouredOrReported) {
  std::string note;
  EXPECT_EQ(ResolveGemmIsa("generic", &note), CpuIsa::kGeneric);
  EXPECT_TRUE(note.empty()) << note;
  if (GemmIsaSupported(CpuIsa::kAvx2)) {
    EXPECT_EQ(ResolveGemmIsa("avx2", &note), CpuIsa::kAvx2);
    EXPECT_TRUE(note.empty()) << note;
  }
  const CpuIsa best = ResolveGemmIsa(nullptr, &note);
  EXPECT_EQ(ResolveGemmIsa("sse9", &note), best);
  EXPECT_THAT(note, HasSubstr("GRAPHRT_CPU_ISA=sse9 is not one of avx512, avx2, generic"));
  EXPECT_THAT(note, HasSubstr(absl::StrCat("using ", CpuIsaName(best))));
  if (!GemmIsaSupported(CpuIsa::kAvx512)) {
    EXPECT_EQ(ResolveGemmIsa("avx512", &note), best);
    EXPECT_THAT(note, HasSubstr("not supported on this CPU"));
  }
}

TEST(GemmIsaChoiceTest, SetGemmIsaSwitchesThePathOrRefuses) {
  const CpuIsa before = GemmIsa();
  ASSERT_TRUE(SetGemmIsa(CpuIsa::kGeneric).ok());
  EXPECT_EQ(GemmIsa(), CpuIsa::kGeneric);
  if (!GemmIsaSupported(CpuIsa::kAvx512)) {
    const absl::Status s = SetGemmIsa(CpuIsa::kAvx512);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(s.message(), HasSubstr("supported: "));
  }
  ASSERT_TRUE(SetGemmIsa(before).ok());
  EXPECT_EQ(GemmIsa(), before);
}

// The paths agree with each other on a product the size of the CNN's second
// convolution's im2col tile.
TEST(GemmIsaChoiceTest, SupportedPathsAgree) {
  const int64_t m = 256, k = 288, n = 64;
  const std::vector<float> a = Random(m * k, 11), b = Random(k * n, 12);
  std::vector<std::vector<float>> results;
  for (CpuIsa isa : {CpuIsa::kAvx512, CpuIsa::kAvx2, CpuIsa::kGeneric}) {
    if (!GemmIsaSupported(isa)) continue;
    std::vector<float> c(m * n);
    CpuGemmWithIsa(isa, {.a = a.data(), .b = b.data(), .c = c.data(), .m = m, .k = k, .n = n},
                   0, m, 0, n);
    results.push_back(std::move(c));
  }
  for (size_t i = 1; i < results.size(); ++i) ExpectNear(results[i], results[0], k);
}

}  // namespace
}  // namespace graphrt
