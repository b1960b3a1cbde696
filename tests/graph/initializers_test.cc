// Tests for core/graph/initializers.h: Glorot-uniform bounds and moments,
// reproducibility by seed, zeros.
#include <cmath>

#include "core/graph/initializers.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

TEST(InitializersTest, GlorotUniformHasItsLimitAndVariance) {
  InitRng rng(1);
  Tensor w = GlorotUniform({784, 100}, rng);
  const double limit = std::sqrt(6.0 / (784 + 100));
  double sum = 0, sum_sq = 0, max_abs = 0;
  for (float v : w.flat<float>()) {
    sum += v;
    sum_sq += double{v} * v;
    max_abs = std::max(max_abs, std::abs(double{v}));
  }
  const double n = static_cast<double>(w.num_elements());
  EXPECT_LE(max_abs, limit);
  EXPECT_GT(max_abs, 0.99 * limit);
  EXPECT_NEAR(sum / n, 0.0, 0.01 * limit);
  // Uniform on [-l, l]: variance l^2 / 3 = 2 / (fan_in + fan_out).
  EXPECT_NEAR(sum_sq / n, limit * limit / 3, 0.02 * limit * limit / 3);
}

TEST(InitializersTest, SameSeedSameValues) {
  InitRng a(7), b(7), c(8);
  Tensor x = GlorotUniform({10, 10}, a), y = GlorotUniform({10, 10}, b);
  Tensor z = GlorotUniform({10, 10}, c);
  EXPECT_TRUE(std::equal(x.flat<float>().begin(), x.flat<float>().end(), y.flat<float>().begin()));
  EXPECT_FALSE(std::equal(x.flat<float>().begin(), x.flat<float>().end(), z.flat<float>().begin()));
}

TEST(InitializersTest, UniformStaysInItsRange) {
  InitRng rng(3);
  for (int i = 0; i < 100000; ++i) {
    const float u = rng.Uniform();
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
  }
  Tensor z = Zeros({3, 2});
  for (float v : z.flat<float>()) EXPECT_EQ(v, 0.0f);
}

}  // namespace
}  // namespace graphrt
