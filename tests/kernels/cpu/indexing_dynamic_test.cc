// DynamicReshape and DynamicSlice on the CPU against references written
// from ONNX's Reshape and Slice rules: Slice by a naive per-axis index list
// (clamped as numpy does, then every kept combination walked) on
// random starts/ends/axes/steps of a rank-3 tensor, int32 and int64 operands,
// with the operands fed through Placeholders (unknown when the graph is
// built); Reshape's 0, -1 and allowzero; Squeeze and Unsqueeze dims by
// hand; Expand against a broadcast loop; Range against a stepping loop;
// Pad (constant, edge, reflect, cropping) against numpy.pad's layout;
// errors name the node.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;
using testing::RunKernelUnshaped;
using testing::T_;

// ONNX Slice as its reference implementation runs it (numpy's slice): the
// indices axis `dim` keeps. (The spec's prose clamps a negative-step start
// before the first element to 0; numpy keeps nothing; graphrt follows numpy,
// as the backend suite's data does.)
std::vector<int64_t> OnnxSliceIndices(int64_t dim, int64_t start, int64_t end, int64_t step) {
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
  } else {
    start = std::clamp<int64_t>(start, -1, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
  }
  std::vector<int64_t> out;
  for (int64_t i = start; step > 0 ? i < end : i > end; i += step) out.push_back(i);
  return out;
}

template <typename Ind>
void RandomSlices(uint32_t seed) {
  const std::vector<int64_t> shape = {4, 5, 6};
  std::vector<float> x(120);
  for (int i = 0; i < 120; ++i) x[i] = static_cast<float>(i) + 0.5f;
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> bound(-9, 9), stride(-3, 3), count(1, 3);
  for (int trial = 0; trial < 150; ++trial) {
    std::vector<int64_t> order = {0, 1, 2};
    std::shuffle(order.begin(), order.end(), gen);
    const int n = count(gen);
    std::vector<Ind> starts, ends, axes, steps;
    std::vector<std::vector<int64_t>> keep(3);
    for (int d = 0; d < 3; ++d) {
      for (int64_t i = 0; i < shape[d]; ++i) keep[d].push_back(i);
    }
    for (int k = 0; k < n; ++k) {
      int64_t s = 0;
      while (s == 0) s = stride(gen);
      int64_t b = bound(gen), e = bound(gen);
      if (trial % 7 == 0) e = s > 0 ? std::numeric_limits<Ind>::max() : std::numeric_limits<Ind>::min();
      const int64_t axis = order[k];
      starts.push_back(static_cast<Ind>(b));
      ends.push_back(static_cast<Ind>(e));
      axes.push_back(static_cast<Ind>(trial % 2 ? axis - 3 : axis));  // negative axes too
      steps.push_back(static_cast<Ind>(s));
      keep[axis] = OnnxSliceIndices(shape[axis], b, e, s);
    }
    std::vector<float> want;
    for (int64_t i : keep[0]) {
      for (int64_t j : keep[1]) {
        for (int64_t k : keep[2]) want.push_back(x[(i * 5 + j) * 6 + k]);
      }
    }
    const int64_t len = n;
    auto out = RunKernelUnshaped(
        "DynamicSlice", {T_<float>(x, {4, 5, 6}), T_<Ind>(starts, {len}), T_<Ind>(ends, {len}),
                         T_<Ind>(axes, {len}), T_<Ind>(steps, {len})},
        {});
    const std::string where =
        absl::StrCat("starts=", absl::StrJoin(starts, ","), " ends=", absl::StrJoin(ends, ","),
                     " axes=", absl::StrJoin(axes, ","), " steps=", absl::StrJoin(steps, ","));
    ASSERT_TRUE(out.ok()) << where << ": " << out.status();
    testing::ExpectTensorEq((*out)[0], T_<float>(want, {static_cast<int64_t>(keep[0].size()),
                                                        static_cast<int64_t>(keep[1].size()),
                                                        static_cast<int64_t>(keep[2].size())}));
    if (::testing::Test::HasFailure()) FAIL() << where;
  }
}

TEST(DynamicSliceTest, RandomAgainstOnnxRulesInt64) { RandomSlices<int64_t>(7); }
TEST(DynamicSliceTest, RandomAgainstOnnxRulesInt32) { RandomSlices<int32_t>(11); }

TEST(DynamicSliceTest, EmptyAxesAndStepsMeanLeadingAxesStepOne) {
  std::vector<int32_t> x(12);
  for (int i = 0; i < 12; ++i) x[i] = i;
  auto out = RunKernelUnshaped("DynamicSlice",
                               {T_<int32_t>(x, {3, 4}), T_<int64_t>({1}, {1}),
                                T_<int64_t>({3}, {1}), T_<int64_t>({}, {0}), T_<int64_t>({}, {0})},
                               {});
  ASSERT_TRUE(out.ok()) << out.status();
  testing::ExpectTensorEq((*out)[0], T_<int32_t>({4, 5, 6, 7, 8, 9, 10, 11}, {2, 4}));
}

TEST(DynamicSliceTest, BadOperandsNameTheNode) {
  const Tensor x = T_<float>(std::vector<float>(6, 1.0f), {2, 3});
  auto zero = RunKernelUnshaped("DynamicSlice", {x, T_<int64_t>({0}, {1}), T_<int64_t>({2}, {1}),
                                                 T_<int64_t>({1}, {1}), T_<int64_t>({0}, {1})}, {});
  ASSERT_FALSE(zero.ok());
  EXPECT_THAT(zero.status().message(), HasSubstr("steps[0] is 0"));
  EXPECT_THAT(zero.status().message(), HasSubstr("DynamicSlice '"));
  auto range = RunKernelUnshaped("DynamicSlice", {x, T_<int64_t>({0}, {1}), T_<int64_t>({2}, {1}),
                                                  T_<int64_t>({2}, {1}), T_<int64_t>({1}, {1})}, {});
  ASSERT_FALSE(range.ok());
  EXPECT_THAT(range.status().message(), HasSubstr("axis 2 is out of range"));
  auto lengths = RunKernelUnshaped("DynamicSlice", {x, T_<int64_t>({0, 0}, {2}),
                                                    T_<int64_t>({2}, {1}), T_<int64_t>({}, {0}),
                                                    T_<int64_t>({}, {0})},
                                   {});
  ASSERT_FALSE(lengths.ok());
  EXPECT_THAT(lengths.status().message(), HasSubstr("must agree"));
}

TEST(DynamicReshapeTest, ZeroCopiesTheInputDimAndMinusOneIsInferred) {
  std::vector<float> x(24);
  for (int i = 0; i < 24; ++i) x[i] = static_cast<float>(i);
  auto out = RunKernelUnshaped("DynamicReshape",
                               {T_<float>(x, {2, 3, 4}), T_<int64_t>({0, -1}, {2})}, {});
  ASSERT_TRUE(out.ok()) << out.status();
  testing::ExpectTensorEq((*out)[0], T_<float>(x, {2, 12}));
  auto i32 = RunKernelUnshaped("DynamicReshape",
                               {T_<float>(x, {2, 3, 4}), T_<int32_t>({4, 0, 2}, {3})}, {});
  ASSERT_TRUE(i32.ok()) << i32.status();
  testing::ExpectTensorEq((*i32)[0], T_<float>(x, {4, 3, 2}));
}

TEST(DynamicReshapeTest, AllowZeroMakesAZeroSizedDim) {
  auto out = RunKernelUnshaped("DynamicReshape",
                               {T_<float>({}, {0, 3}), T_<int64_t>({3, 0}, {2})},
                               {{"allowzero", true}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), TensorShape({3, 0}));
}

TEST(DynamicReshapeTest, BadShapesNameTheNode) {
  const Tensor x = T_<float>(std::vector<float>(6, 1.0f), {2, 3});
  auto count = RunKernelUnshaped("DynamicReshape", {x, T_<int64_t>({4, 2}, {2})}, {});
  ASSERT_FALSE(count.ok());
  EXPECT_THAT(count.status().message(), HasSubstr("DynamicReshape '"));
  EXPECT_THAT(count.status().message(), HasSubstr("cannot reshape"));
  auto copy = RunKernelUnshaped("DynamicReshape", {x, T_<int64_t>({6, 1, 0}, {3})}, {});
  ASSERT_FALSE(copy.ok());
  EXPECT_THAT(copy.status().message(), HasSubstr("has no dim 2"));
  auto rank = RunKernelUnshaped("DynamicReshape", {x, T_<int64_t>({6}, {1, 1})}, {});
  ASSERT_FALSE(rank.ok());
  EXPECT_THAT(rank.status().message(), HasSubstr("rank 1"));
}

// Squeeze / Unsqueeze by run-time axes, against dims built by hand from the
// ONNX spec; the values are untouched (a relabel).
TEST(DynamicAxesTest, UnsqueezeInsertsOnesAtOutputAxes) {
  std::vector<float> x(6);
  for (int i = 0; i < 6; ++i) x[i] = static_cast<float>(i);
  // Output rank 5; axes 0 and -1 (= 4) and 2: [1, 2, 1, 3, 1].
  auto out = RunKernelUnshaped("DynamicUnsqueeze",
                               {T_<float>(x, {2, 3}), T_<int64_t>({0, -1, 2}, {3})}, {});
  ASSERT_TRUE(out.ok()) << out.status();
  testing::ExpectTensorEq((*out)[0], T_<float>(x, {1, 2, 1, 3, 1}));
  auto i32 = RunKernelUnshaped("DynamicUnsqueeze",
                               {T_<float>(x, {2, 3}), T_<int32_t>({1}, {1})}, {});
  ASSERT_TRUE(i32.ok()) << i32.status();
  testing::ExpectTensorEq((*i32)[0], T_<float>(x, {2, 1, 3}));
}

TEST(DynamicAxesTest, SqueezeDropsNamedOrAllUnitDims) {
  std::vector<int64_t> x(6);
  for (int i = 0; i < 6; ++i) x[i] = 10 * i;
  auto named = RunKernelUnshaped("DynamicSqueeze",
                                 {T_<int64_t>(x, {1, 2, 1, 3}), T_<int64_t>({-2}, {1})}, {});
  ASSERT_TRUE(named.ok()) << named.status();
  testing::ExpectTensorEq((*named)[0], T_<int64_t>(x, {1, 2, 3}));
  auto all = RunKernelUnshaped("DynamicSqueeze",
                               {T_<int64_t>(x, {1, 2, 1, 3}), T_<int64_t>({}, {0})}, {});
  ASSERT_TRUE(all.ok()) << all.status();
  testing::ExpectTensorEq((*all)[0], T_<int64_t>(x, {2, 3}));
}

TEST(DynamicAxesTest, BadAxesNameTheNode) {
  const Tensor x = T_<float>(std::vector<float>(6, 1.0f), {2, 3});
  auto not_one = RunKernelUnshaped("DynamicSqueeze", {x, T_<int64_t>({0}, {1})}, {});
  ASSERT_FALSE(not_one.ok());
  EXPECT_THAT(not_one.status().message(), HasSubstr("DynamicSqueeze '"));
  EXPECT_THAT(not_one.status().message(), HasSubstr("dim 0 is 2, not 1"));
  auto range = RunKernelUnshaped("DynamicUnsqueeze", {x, T_<int64_t>({3}, {1})}, {});
  ASSERT_FALSE(range.ok());
  EXPECT_THAT(range.status().message(), HasSubstr("axis 3 is out of range [-3, 3)"));
  auto twice = RunKernelUnshaped("DynamicUnsqueeze", {x, T_<int64_t>({0, -4}, {2})}, {});
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.status().message(), HasSubstr("repeated"));
}

// Expand against a loop from numpy's rules: each output index maps to the
// input index with broadcast dims pinned to 0.
TEST(DynamicExpandTest, BroadcastsBothWaysAgainstALoop) {
  std::vector<int64_t> x = {1, 2, 3};  // [3, 1]
  // [3, 1] with [2, 1, 4] -> [2, 3, 4]: out[a][b][c] = x[b].
  auto out = RunKernelUnshaped("DynamicExpand",
                               {T_<int64_t>(x, {3, 1}), T_<int64_t>({2, 1, 4}, {3})}, {});
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<int64_t> want;
  for (int a = 0; a < 2; ++a) {
    for (int b = 0; b < 3; ++b) {
      for (int c = 0; c < 4; ++c) want.push_back(x[b]);
    }
  }
  testing::ExpectTensorEq((*out)[0], T_<int64_t>(want, {2, 3, 4}));
  // A shape smaller than the input keeps the input's dims (both ways).
  auto same = RunKernelUnshaped("DynamicExpand",
                                {T_<float>({1.5f, 2.5f, 3.5f}, {3, 1}), T_<int32_t>({1}, {1})},
                                {});
  ASSERT_TRUE(same.ok()) << same.status();
  testing::ExpectTensorEq((*same)[0], T_<float>({1.5f, 2.5f, 3.5f}, {3, 1}));
  // A scalar to a shape (ConstantOfShape's use); uint8 (1-byte elements).
  auto fill = RunKernelUnshaped("DynamicExpand",
                                {T_<uint8_t>({7}, {}), T_<int64_t>({2, 2}, {2})}, {});
  ASSERT_TRUE(fill.ok()) << fill.status();
  testing::ExpectTensorEq((*fill)[0], T_<uint8_t>({7, 7, 7, 7}, {2, 2}));
}

TEST(DynamicExpandTest, IncompatibleShapesNameTheNode) {
  auto bad = RunKernelUnshaped("DynamicExpand",
                               {T_<float>({1, 2, 3}, {3}), T_<int64_t>({2}, {1})}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("DynamicExpand '"));
  EXPECT_THAT(bad.status().message(), HasSubstr("does not broadcast"));
  auto negative = RunKernelUnshaped("DynamicExpand",
                                    {T_<float>({1}, {1}), T_<int64_t>({-2}, {1})}, {});
  ASSERT_FALSE(negative.ok());
  EXPECT_THAT(negative.status().message(), HasSubstr("negative dim"));
}

// Range against a stepping loop (start, start + delta, ... while short of
// limit) for every small integer start/limit/delta, both directions.
TEST(RangeTest, IntegersMatchASteppingLoop) {
  for (int64_t start = -5; start <= 5; ++start) {
    for (int64_t limit = -5; limit <= 5; ++limit) {
      for (int64_t delta : {-3, -2, -1, 1, 2, 3}) {
        std::vector<int32_t> want;
        for (int64_t v = start; delta > 0 ? v < limit : v > limit; v += delta) {
          want.push_back(static_cast<int32_t>(v));
        }
        auto out = RunKernelUnshaped(
            "Range",
            {T_<int32_t>({static_cast<int32_t>(start)}, {}),
             T_<int32_t>({static_cast<int32_t>(limit)}, {}),
             T_<int32_t>({static_cast<int32_t>(delta)}, {})},
            {});
        ASSERT_TRUE(out.ok()) << start << " " << limit << " " << delta << ": " << out.status();
        testing::ExpectTensorEq((*out)[0],
                                T_<int32_t>(want, {static_cast<int64_t>(want.size())}));
        if (::testing::Test::HasFailure()) FAIL() << start << " " << limit << " " << delta;
      }
    }
  }
}

TEST(RangeTest, FloatsAndErrors) {
  // ceil((10 - 1) / 4) = 3 elements: 1, 5, 9 (exact in binary).
  auto f = RunKernelUnshaped("Range", {T_<double>({1}, {}), T_<double>({10}, {}),
                                       T_<double>({4}, {})}, {});
  ASSERT_TRUE(f.ok()) << f.status();
  testing::ExpectTensorEq((*f)[0], T_<double>({1, 5, 9}, {3}));
  auto zero = RunKernelUnshaped("Range", {T_<float>({1}, {}), T_<float>({3}, {}),
                                          T_<float>({0}, {})}, {});
  ASSERT_FALSE(zero.ok());
  EXPECT_THAT(zero.status().message(), HasSubstr("Range '"));
  EXPECT_THAT(zero.status().message(), HasSubstr("delta is 0"));
  auto huge = RunKernelUnshaped("Range", {T_<float>({0}, {}), T_<float>({1e30f}, {}),
                                          T_<float>({1}, {})}, {});
  ASSERT_FALSE(huge.ok());
  EXPECT_THAT(huge.status().message(), HasSubstr("too many elements"));
}

// Pad's source indices along one dim, built as numpy.pad lays them out
// (begin pad, the dim, end pad), then cropped for negative pads; -1 is
// the constant.
std::vector<int64_t> PadIndices(int64_t n, int64_t b, int64_t e, const std::string& mode) {
  std::vector<int64_t> v;
  for (int64_t k = b; k > 0; --k) v.push_back(mode == "constant" ? -1 : mode == "edge" ? 0 : k);
  for (int64_t i = 0; i < n; ++i) v.push_back(i);
  for (int64_t k = 1; k <= e; ++k) {
    v.push_back(mode == "constant" ? -1 : mode == "edge" ? n - 1 : n - 1 - k);
  }
  const int64_t front = b < 0 ? -b : 0, back = e < 0 ? -e : 0;
  return std::vector<int64_t>(v.begin() + front, v.end() - back);
}

TEST(DynamicPadTest, EveryModeAgainstNumpyLayout) {
  std::vector<int16_t> x(12);
  for (int i = 0; i < 12; ++i) x[i] = static_cast<int16_t>(10 * i + 1);
  for (const std::string mode : {"constant", "edge", "reflect"}) {
    for (int64_t b0 = -1; b0 <= 2; ++b0) {
      for (int64_t e1 = -1; e1 <= 2; ++e1) {
        const std::vector<int64_t> pads = {b0, 1, 1 - b0, e1};  // [b0, b1, e0, e1]
        const std::vector<int64_t> rows = PadIndices(3, pads[0], pads[2], mode);
        const std::vector<int64_t> cols = PadIndices(4, pads[1], pads[3], mode);
        std::vector<int16_t> want;
        for (int64_t r : rows) {
          for (int64_t c : cols) want.push_back(r < 0 || c < 0 ? int16_t{-7} : x[r * 4 + c]);
        }
        auto out = RunKernelUnshaped(
            "DynamicPad", {T_<int16_t>(x, {3, 4}), T_<int64_t>(pads, {4}), T_<int16_t>({-7}, {})},
            {{"mode", mode}});
        ASSERT_TRUE(out.ok()) << mode << ": " << out.status();
        testing::ExpectTensorEq((*out)[0], T_<int16_t>(want, {static_cast<int64_t>(rows.size()),
                                                              static_cast<int64_t>(cols.size())}));
        if (::testing::Test::HasFailure()) FAIL() << mode << " b0=" << b0 << " e1=" << e1;
      }
    }
  }
}

TEST(DynamicPadTest, BadPadsNameTheNode) {
  const Tensor x = T_<float>(std::vector<float>(6, 1.0f), {2, 3});
  auto count = RunKernelUnshaped("DynamicPad", {x, T_<int64_t>({1, 1}, {2}), T_<float>({0}, {})},
                                 {{"mode", std::string("constant")}});
  ASSERT_FALSE(count.ok());
  EXPECT_THAT(count.status().message(), HasSubstr("DynamicPad '"));
  EXPECT_THAT(count.status().message(), HasSubstr("2 * rank = 4"));
  auto reflect = RunKernelUnshaped("DynamicPad",
                                   {x, T_<int64_t>({2, 0, 0, 0}, {4}), T_<float>({0}, {})},
                                   {{"mode", std::string("reflect")}});
  ASSERT_FALSE(reflect.ok());
  EXPECT_THAT(reflect.status().message(), HasSubstr("shorter than the dim"));
}

}  // namespace
}  // namespace graphrt
