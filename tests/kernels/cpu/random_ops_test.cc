// Tests for kernels/cpu/random_ops.cc and kernels/common/philox.h: Philox
// 4x32-10 against the published known-answer vectors (Random123's
// kat_vectors), values in [0, 1) on the 2^-24 grid, the same tensor for any
// intra-op thread count and for int32 and int64 seeds of one value, other
// seeds giving other values, moments of a large draw, and the seed's shape.
#include <cmath>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/common/philox.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(PhiloxTest, KnownAnswers) {
  philox::Block b = philox::Philox4x32(0, 0, 0, 0, 0, 0);
  EXPECT_THAT(b.v, ElementsAre(0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u));
  b = philox::Philox4x32(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu,
                         0xffffffffu);
  EXPECT_THAT(b.v, ElementsAre(0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu));
  b = philox::Philox4x32(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u,
                         0x299f31d0u);
  EXPECT_THAT(b.v, ElementsAre(0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u));
}

Tensor Draw(const TensorShape& shape, const Tensor& seed, int threads = 2) {
  auto out = RunKernel("StatelessRandomUniformLike", {Tensor(DataType::kFloat32, shape), seed},
                       {{"dtype", DataType::kFloat32}}, {.intra_threads = threads});
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? (*out)[0] : Tensor();
}

TEST(StatelessRandomUniformLikeTest, ValuesAreOnTheGridInZeroOne) {
  const Tensor u = Draw({1000, 37}, T_<int64_t>({42, 7}, {2}));
  ASSERT_EQ(u.shape(), TensorShape({1000, 37}));
  double sum = 0, sum_sq = 0;
  for (int64_t i = 0; i < u.num_elements(); ++i) {
    const float v = u.data<float>()[i];
    ASSERT_GE(v, 0.0f);
    ASSERT_LT(v, 1.0f);
    const double scaled = static_cast<double>(v) * 16777216.0;
    ASSERT_EQ(scaled, std::floor(scaled)) << "element " << i;
    sum += v;
    sum_sq += static_cast<double>(v) * v;
  }
  const double n = static_cast<double>(u.num_elements());
  // Mean 1/2 and variance 1/12, within 5 standard errors.
  EXPECT_NEAR(sum / n, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(sum_sq / n - (sum / n) * (sum / n), 1.0 / 12, 5 * 0.0745 / std::sqrt(n));
}

TEST(StatelessRandomUniformLikeTest, ElementsFollowThePhiloxStream) {
  const Tensor u = Draw({3, 3}, T_<int64_t>({-5, int64_t{1} << 33}, {2}));
  for (int64_t i = 0; i < 9; ++i) {
    const philox::Block b = philox::Philox4x32(
        static_cast<uint32_t>(i / 4), 0, 0, 2, static_cast<uint32_t>(-5), 0xffffffffu);
    EXPECT_EQ(u.data<float>()[i], static_cast<float>(b.v[i % 4] >> 8) / 16777216.0f) << i;
  }
}

TEST(StatelessRandomUniformLikeTest, SameSeedSameTensorForAnyThreadCount) {
  const Tensor seed = T_<int64_t>({1234, 99}, {2});
  const Tensor one = Draw({513, 257}, seed, 1);
  ExpectTensorEq(Draw({513, 257}, seed, 4), one);
  ExpectTensorEq(Draw({513, 257}, T_<int32_t>({1234, 99}, {2}), 3), one);
  // A smaller tensor is a prefix of the same stream.
  const Tensor prefix = Draw({7}, seed);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(prefix.data<float>()[i], one.data<float>()[i]);
}

TEST(StatelessRandomUniformLikeTest, OtherSeedsOrStepsGiveOtherValues) {
  std::set<float> firsts;
  for (int64_t s0 : {0, 1}) {
    for (int64_t step : {0, 1, 2}) {
      const Tensor u = Draw({64}, T_<int64_t>({s0, step}, {2}));
      firsts.insert(u.data<float>()[0]);
      int equal = 0;
      const Tensor base = Draw({64}, T_<int64_t>({s0 + 10, step}, {2}));
      for (int i = 0; i < 64; ++i) equal += u.data<float>()[i] == base.data<float>()[i];
      EXPECT_LT(equal, 3);
    }
  }
  EXPECT_EQ(firsts.size(), 6u);
}

TEST(StatelessRandomUniformLikeTest, EmptyShapesAndBadSeeds) {
  EXPECT_EQ(Draw({0, 5}, T_<int64_t>({1, 2}, {2})).num_elements(), 0);
  auto bad = RunKernelUnshaped("StatelessRandomUniformLike",
                               {Tensor(DataType::kFloat32, {3}), T_<int64_t>({1, 2, 3}, {3})},
                               {{"dtype", DataType::kFloat32}});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("seed must have shape [2], got"));
}

}  // namespace
}  // namespace graphrt
