// Tests for kernels/cpu/pooling_ops.h against plain loops in the test:
// MaxPool and AvgPool over SAME (odd sizes), VALID and EXPLICIT (MaxPool)
// padding, and their gradients: MaxPoolGrad routes to the first maximum of
// a window (ties by hand), AvgPoolGrad spreads by the in-input cell count;
// 1 and 2 threads; shape errors.
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::RandomFloats;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

struct PoolCase {
  const char* name;
  TensorShape input;
  int64_t kh, kw, sh, sw;
  std::string padding;
  int64_t top = 0, bottom = 0, left = 0, right = 0;

  AttrMap Attrs() const {
    AttrMap a{{"ksize", std::vector<int64_t>{1, kh, kw, 1}},
              {"strides", std::vector<int64_t>{1, sh, sw, 1}},
              {"padding", padding}};
    if (padding == "EXPLICIT") {
      a["explicit_paddings"] = std::vector<int64_t>{0, 0, top, bottom, left, right, 0, 0};
    }
    return a;
  }
};

struct PoolRef {
  Tensor max, avg, max_grad, avg_grad;
};

// Direct loops; padding from TF's formulas, written out here.
PoolRef Reference(const PoolCase& c, const Tensor& x, const Tensor& dy_max,
                  const Tensor& dy_avg) {
  const int64_t n = x.dim(0), ih = x.dim(1), iw = x.dim(2), ch = x.dim(3);
  int64_t oh, ow, pt, pl;
  if (c.padding == "VALID") {
    oh = (ih - c.kh) / c.sh + 1;
    ow = (iw - c.kw) / c.sw + 1;
    pt = pl = 0;
  } else if (c.padding == "SAME") {
    oh = (ih + c.sh - 1) / c.sh;
    ow = (iw + c.sw - 1) / c.sw;
    pt = std::max<int64_t>(0, (oh - 1) * c.sh + c.kh - ih) / 2;
    pl = std::max<int64_t>(0, (ow - 1) * c.sw + c.kw - iw) / 2;
  } else {
    oh = (ih + c.top + c.bottom - c.kh) / c.sh + 1;
    ow = (iw + c.left + c.right - c.kw) / c.sw + 1;
    pt = c.top;
    pl = c.left;
  }
  PoolRef r{Tensor(DataType::kFloat32, {n, oh, ow, ch}), Tensor(DataType::kFloat32, {n, oh, ow, ch}),
            Tensor(DataType::kFloat32, x.shape()), Tensor(DataType::kFloat32, x.shape())};
  std::fill(r.max_grad.data<float>(), r.max_grad.data<float>() + x.num_elements(), 0.0f);
  std::fill(r.avg_grad.data<float>(), r.avg_grad.data<float>() + x.num_elements(), 0.0f);
  const float* px = x.data<float>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t z = 0; z < ow; ++z)
        for (int64_t k = 0; k < ch; ++k) {
          double best = -std::numeric_limits<double>::infinity(), sum = 0;
          int64_t arg = -1, count = 0;
          for (int64_t i = 0; i < c.kh; ++i)
            for (int64_t j = 0; j < c.kw; ++j) {
              const int64_t iy = y * c.sh - pt + i, iz = z * c.sw - pl + j;
              if (iy < 0 || iy >= ih || iz < 0 || iz >= iw) continue;
              const int64_t at = ((b * ih + iy) * iw + iz) * ch + k;
              if (px[at] > best) {
                best = px[at];
                arg = at;
              }
              sum += px[at];
              ++count;
            }
          const int64_t o = ((b * oh + y) * ow + z) * ch + k;
          r.max.data<float>()[o] = static_cast<float>(best);
          r.avg.data<float>()[o] = static_cast<float>(sum / count);
          r.max_grad.data<float>()[arg] += dy_max.data<float>()[o];
          for (int64_t i = 0; i < c.kh; ++i)
            for (int64_t j = 0; j < c.kw; ++j) {
              const int64_t iy = y * c.sh - pt + i, iz = z * c.sw - pl + j;
              if (iy < 0 || iy >= ih || iz < 0 || iz >= iw) continue;
              r.avg_grad.data<float>()[((b * ih + iy) * iw + iz) * ch + k] +=
                  static_cast<float>(dy_avg.data<float>()[o] / count);
            }
        }
  return r;
}

class PoolingOpTest : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PoolingOpTest, MatchLoops) {
  const PoolCase& c = GetParam();
  const Tensor x = RandomFloats(c.input, -1, 1, 21);
  const AttrMap attrs = c.Attrs();
  for (int threads : {1, 2}) {
    SCOPED_TRACE(absl::StrCat("threads=", threads));
    testing::KernelRunOptions options;
    options.intra_threads = threads;
    auto max = RunKernel("MaxPool", {x}, attrs, options);
    ASSERT_TRUE(max.ok()) << max.status();
    const Tensor dy = RandomFloats((*max)[0].shape(), -1, 1, 22);
    const PoolRef ref = Reference(c, x, dy, dy);
    ExpectTensorNear((*max)[0], ref.max, 0, 0);
    auto max_grad = RunKernel("MaxPoolGrad", {x, (*max)[0], dy}, attrs, options);
    ASSERT_TRUE(max_grad.ok()) << max_grad.status();
    ExpectTensorNear((*max_grad)[0], ref.max_grad, 1e-6, 1e-6);
    if (c.padding == "EXPLICIT") continue;  // AvgPool takes SAME and VALID only
    auto avg = RunKernel("AvgPool", {x}, attrs, options);
    ASSERT_TRUE(avg.ok()) << avg.status();
    ExpectTensorNear((*avg)[0], ref.avg, 1e-6, 1e-6);
    const Tensor sizes = T_<int32_t>({static_cast<int32_t>(c.input.dim(0)),
                                      static_cast<int32_t>(c.input.dim(1)),
                                      static_cast<int32_t>(c.input.dim(2)),
                                      static_cast<int32_t>(c.input.dim(3))}, {4});
    for (const Tensor& shape_input : {sizes, x}) {
      auto avg_grad = RunKernel("AvgPoolGrad", {shape_input, dy}, attrs, options);
      ASSERT_TRUE(avg_grad.ok()) << avg_grad.status();
      ExpectTensorNear((*avg_grad)[0], ref.avg_grad, 1e-6, 1e-6);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Windows, PoolingOpTest,
    ::testing::Values(PoolCase{"valid_2x2", {2, 6, 6, 3}, 2, 2, 2, 2, "VALID"},
                      PoolCase{"same_odd_3x3_s2", {2, 7, 5, 4}, 3, 3, 2, 2, "SAME"},
                      PoolCase{"same_overlapping_s1", {1, 5, 6, 2}, 3, 2, 1, 1, "SAME"},
                      PoolCase{"valid_uneven", {3, 9, 8, 5}, 3, 2, 2, 3, "VALID"},
                      PoolCase{"explicit", {1, 5, 5, 2}, 3, 3, 2, 2, "EXPLICIT", 1, 2, 0, 2},
                      PoolCase{"recipe", {8, 28, 28, 32}, 2, 2, 2, 2, "VALID"},
                      // Disjoint windows (Note [MaxPoolGrad of disjoint windows]):
                      // cells no window covers (the odd last row and column,
                      // the gaps of stride 3) must still get zeros; SAME's
                      // clipped last windows cover everything.
                      PoolCase{"valid_2x2_odd", {2, 7, 5, 3}, 2, 2, 2, 2, "VALID"},
                      PoolCase{"same_2x2_odd", {1, 7, 5, 2}, 2, 2, 2, 2, "SAME"},
                      PoolCase{"disjoint_gaps", {1, 8, 8, 2}, 2, 2, 3, 3, "VALID"},
                      // Blocks of 16 channels plus single ones (Note
                      // [MaxPoolGrad by selects]), disjoint and overlapping.
                      PoolCase{"lanes_and_rest", {2, 6, 6, 20}, 2, 2, 2, 2, "VALID"},
                      PoolCase{"overlap_lanes_and_rest", {1, 5, 5, 17}, 3, 3, 1, 1, "SAME"}),
    [](const ::testing::TestParamInfo<PoolCase>& info) { return std::string(info.param.name); });

TEST(PoolingOpByHandTest, MaxPoolGradTiesGoToTheFirstMaximum) {
  const AttrMap attrs = PoolCase{"", {}, 2, 2, 2, 2, "VALID"}.Attrs();
  const Tensor x = T_<float>({5, 5, 5, 5}, {1, 2, 2, 1});
  auto grad = RunKernel("MaxPoolGrad", {x, T_<float>({5}, {1, 1, 1, 1}),
                                        T_<float>({3}, {1, 1, 1, 1})}, attrs);
  ASSERT_TRUE(grad.ok()) << grad.status();
  ExpectTensorNear((*grad)[0], T_<float>({3, 0, 0, 0}, {1, 2, 2, 1}), 0, 0);
}

// NaN is never a window's maximum, wherever it stands; a window of NaN
// only passes no gradient on. (The kernel picks with selects, not branches.)
TEST(PoolingOpByHandTest, MaxPoolGradSkipsNaN) {
  const AttrMap attrs = PoolCase{"", {}, 2, 2, 2, 2, "VALID"}.Attrs();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Two channels: [NaN, 2, 7, NaN] and all NaN.
  const Tensor x = T_<float>({nan, nan, 2, nan, 7, nan, nan, nan}, {1, 2, 2, 2});
  auto grad = RunKernel("MaxPoolGrad", {x, T_<float>({7, nan}, {1, 1, 1, 2}),
                                        T_<float>({3, 4}, {1, 1, 1, 2})}, attrs);
  ASSERT_TRUE(grad.ok()) << grad.status();
  ExpectTensorNear((*grad)[0], T_<float>({0, 0, 0, 0, 3, 0, 0, 0}, {1, 2, 2, 2}), 0, 0);
}

// The same rules on the 16-channel vector path and the single channels
// after it (Note [MaxPoolGrad by selects]): 19 channels, each one of four
// patterns over the window's cells (a tie, NaN first, a NaN window, a
// maximum last), windows disjoint (2x2 stride 2) and overlapping (stride 1).
TEST(PoolingOpByHandTest, MaxPoolGradRulesHoldInEveryChannelBlock) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<std::vector<float>> patterns = {
      {5, 5, 5, 5}, {nan, 2, 7, nan}, {nan, nan, nan, nan}, {1, 2, 3, 4}};
  const std::vector<std::vector<float>> routed = {  // dy = 3 goes to
      {3, 0, 0, 0}, {0, 0, 3, 0}, {0, 0, 0, 0}, {0, 0, 0, 3}};
  constexpr int64_t kChannels = 19;
  std::vector<float> x(4 * kChannels), expected(4 * kChannels);
  for (int64_t ch = 0; ch < kChannels; ++ch) {
    for (int cell = 0; cell < 4; ++cell) {
      x[cell * kChannels + ch] = patterns[ch % 4][cell];
      expected[cell * kChannels + ch] = routed[ch % 4][cell];
    }
  }
  const Tensor input = T_<float>(x, {1, 2, 2, kChannels});
  for (int64_t stride : {2, 1}) {
    SCOPED_TRACE(absl::StrCat("stride ", stride));
    const AttrMap attrs = PoolCase{"", {}, 2, 2, stride, stride, "VALID"}.Attrs();
    auto max = RunKernel("MaxPool", {input}, attrs);
    ASSERT_TRUE(max.ok()) << max.status();
    const Tensor dy = T_<float>(std::vector<float>(kChannels, 3.0f), {1, 1, 1, kChannels});
    auto grad = RunKernel("MaxPoolGrad", {input, (*max)[0], dy}, attrs);
    ASSERT_TRUE(grad.ok()) << grad.status();
    ExpectTensorNear((*grad)[0], T_<float>(expected, {1, 2, 2, kChannels}), 0, 0);
  }
}

TEST(PoolingOpByHandTest, AvgPoolSameCountsOnlyInsideCells) {
  // 1x3x3x1, 2x2 window, stride 2, SAME: windows of 4, 2, 2 and 1 cells.
  auto avg = RunKernel("AvgPool", {T_<float>({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 3, 3, 1})},
                       PoolCase{"", {}, 2, 2, 2, 2, "SAME"}.Attrs());
  ASSERT_TRUE(avg.ok()) << avg.status();
  ExpectTensorNear((*avg)[0], T_<float>({3, 4.5f, 7.5f, 9}, {1, 2, 2, 1}), 0, 0);
}

TEST(PoolingOpErrorTest, BadShapesAndPaddings) {
  const AttrMap attrs = PoolCase{"", {}, 3, 3, 1, 1, "VALID"}.Attrs();
  auto small = RunKernelUnshaped("MaxPool", {RandomFloats({1, 2, 5, 1}, -1, 1, 1)}, attrs);
  EXPECT_THAT(small.status().message(), HasSubstr("larger than the input"));
  auto rank = RunKernelUnshaped("AvgPool", {RandomFloats({5, 5, 1}, -1, 1, 1)}, attrs);
  EXPECT_THAT(rank.status().message(), HasSubstr("rank 4"));
  auto pad = RunKernelUnshaped("MaxPool", {RandomFloats({1, 5, 5, 1}, -1, 1, 1)},
                               PoolCase{"", {}, 2, 2, 1, 1, "EXPLICIT", 2, 0, 0, 0}.Attrs());
  EXPECT_THAT(pad.status().message(), HasSubstr("smaller than the window"));
  auto grad = RunKernelUnshaped("AvgPoolGrad", {T_<int32_t>({1, 5, 5, 1}, {4}),
                                                RandomFloats({1, 2, 2, 1}, -1, 1, 2)},
                                attrs);
  EXPECT_THAT(grad.status().message(), HasSubstr("must have the shape [1,3,3,1]"));
}

}  // namespace
}  // namespace graphrt
