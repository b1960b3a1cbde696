// StridedSlice on the CPU against a reference written from Python's slice
// rules (slice.indices, then every combination of the kept indices): random
// bounds, strides and masks on a rank-3 tensor for 1-, 4- and 8-byte
// elements; ellipsis, new axis and shrink by hand; an unknown batch dim
// resolved when it runs; errors.
#include <cstdint>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/graph/builder.h"
#include "core/graph/ops/indexing_ops.h"
#include "core/executor/session.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using testing::RunKernel;
using testing::T_;

// Python's range(*slice(b, e, s).indices(dim)), with masks meaning "omitted".
std::vector<int64_t> PySlice(int64_t dim, int64_t b, int64_t e, int64_t s, bool bm, bool em) {
  std::vector<int64_t> out;
  if (s > 0) {
    int64_t start = bm ? 0 : b < 0 ? std::max<int64_t>(b + dim, 0) : std::min(b, dim);
    int64_t stop = em ? dim : e < 0 ? std::max<int64_t>(e + dim, 0) : std::min(e, dim);
    for (int64_t i = start; i < stop; i += s) out.push_back(i);
  } else {
    int64_t start = bm ? dim - 1 : b < 0 ? std::max<int64_t>(b + dim, -1) : std::min(b, dim - 1);
    int64_t stop = em ? -1 : e < 0 ? std::max<int64_t>(e + dim, -1) : std::min(e, dim - 1);
    for (int64_t i = start; i > stop; i += s) out.push_back(i);
  }
  return out;
}

AttrMap Attrs(std::vector<int64_t> b, std::vector<int64_t> e, std::vector<int64_t> s,
              int64_t bm = 0, int64_t em = 0, int64_t ell = 0, int64_t na = 0, int64_t sh = 0) {
  return {{"begin", std::move(b)},   {"end", std::move(e)},   {"strides", std::move(s)},
          {"begin_mask", bm},        {"end_mask", em},        {"ellipsis_mask", ell},
          {"new_axis_mask", na},     {"shrink_axis_mask", sh}};
}

template <typename T>
void RandomSlices(uint32_t seed) {
  const std::vector<int64_t> shape = {4, 5, 6};
  std::vector<T> x(120);
  for (int i = 0; i < 120; ++i) x[i] = static_cast<T>(i % 100 + 1);
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> bound(-8, 8), stride(-3, 3), mask(0, 7);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<int64_t> b(3), e(3), s(3);
    for (int d = 0; d < 3; ++d) {
      b[d] = bound(gen);
      e[d] = bound(gen);
      do s[d] = stride(gen); while (s[d] == 0);
    }
    const int bm = mask(gen), em = mask(gen);
    std::vector<std::vector<int64_t>> keep(3);
    for (int d = 0; d < 3; ++d) keep[d] = PySlice(shape[d], b[d], e[d], s[d], bm >> d & 1, em >> d & 1);
    std::vector<T> want;
    for (int64_t i : keep[0]) {
      for (int64_t j : keep[1]) {
        for (int64_t k : keep[2]) want.push_back(x[(i * 5 + j) * 6 + k]);
      }
    }
    auto out = RunKernel("StridedSlice", {T_<T>(x, {4, 5, 6})}, Attrs(b, e, s, bm, em));
    const std::string where = absl::StrCat("b=", absl::StrJoin(b, ","), " e=", absl::StrJoin(e, ","),
                                           " s=", absl::StrJoin(s, ","), " masks ", bm, "/", em);
    ASSERT_TRUE(out.ok()) << where << ": " << out.status();
    testing::ExpectTensorEq(
        (*out)[0], T_<T>(want, {static_cast<int64_t>(keep[0].size()),
                                static_cast<int64_t>(keep[1].size()),
                                static_cast<int64_t>(keep[2].size())}));
    if (::testing::Test::HasFailure()) FAIL() << where;
  }
}

TEST(StridedSliceTest, RandomBoundsStridesAndMasksMatchPythonSlicing) {
  RandomSlices<uint8_t>(1);
  RandomSlices<float>(2);
  RandomSlices<int64_t>(3);
}

TEST(StridedSliceTest, EllipsisNewAxisAndShrink) {
  std::vector<int32_t> x(24);
  for (int i = 0; i < 24; ++i) x[i] = i;
  // x[..., 1] on [2, 3, 4] -> [2, 3]: element (i, j) is x[i, j, 1].
  auto a = RunKernel("StridedSlice", {T_<int32_t>(x, {2, 3, 4})},
                     Attrs({0, 1}, {0, 2}, {1, 1}, 0, 0, /*ellipsis=*/1, 0, /*shrink=*/2));
  ASSERT_TRUE(a.ok()) << a.status();
  std::vector<int32_t> want_a;
  for (int i = 0; i < 2; ++i) for (int j = 0; j < 3; ++j) want_a.push_back((i * 3 + j) * 4 + 1);
  testing::ExpectTensorEq((*a)[0], T_<int32_t>(want_a, {2, 3}));
  // x[:, newaxis, -1] -> [2, 1, 4]: element (i, 0, k) is x[i, 2, k].
  auto b = RunKernel("StridedSlice", {T_<int32_t>(x, {2, 3, 4})},
                     Attrs({0, 0, -1}, {0, 0, 0}, {1, 1, 1}, 1, 1, 0, /*new_axis=*/2,
                           /*shrink=*/4));
  ASSERT_TRUE(b.ok()) << b.status();
  std::vector<int32_t> want_b;
  for (int i = 0; i < 2; ++i) for (int k = 0; k < 4; ++k) want_b.push_back((i * 3 + 2) * 4 + k);
  testing::ExpectTensorEq((*b)[0], T_<int32_t>(want_b, {2, 1, 4}));
  // Everything kept: the same values, no copy needed.
  auto c = RunKernel("StridedSlice", {T_<int32_t>(x, {2, 3, 4})}, Attrs({0}, {0}, {1}, 1, 1));
  ASSERT_TRUE(c.ok());
  testing::ExpectTensorEq((*c)[0], T_<int32_t>(x, {2, 3, 4}));
}

TEST(StridedSliceTest, UnknownBatchDimResolvesWhenItRuns) {
  // Keras' x[:, 2:6] on a [?, 8] input.
  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, PartialShape{-1, 8}, "x");
  StridedSliceAttrs a{{0, 2}, {0, 6}, {1, 1}, /*begin_mask=*/1, /*end_mask=*/1};
  Output y = ops::StridedSlice(x, a, "y");
  ASSERT_TRUE(b.status().ok()) << b.status();
  EXPECT_EQ(y.shape(), (PartialShape{-1, 4}));
  auto session = Session::Create(*b.Build());
  ASSERT_TRUE(session.ok()) << session.status();
  std::vector<float> in(24);
  for (int i = 0; i < 24; ++i) in[i] = static_cast<float>(i);
  auto out = (*session)->Run({{"x", T_<float>(in, {3, 8})}}, {"y"});
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<float> want;
  for (int r = 0; r < 3; ++r) for (int c = 2; c < 6; ++c) want.push_back(in[r * 8 + c]);
  testing::ExpectTensorEq((*out)[0], T_<float>(want, {3, 4}));
}

TEST(StridedSliceTest, BadSlicesAreRefused) {
  auto zero = RunKernel("StridedSlice", {T_<float>({1, 2}, {2})}, Attrs({0}, {2}, {0}));
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(zero.status().message(), ::testing::HasSubstr("stride 0 is 0"));
  auto shrink = RunKernel("StridedSlice", {T_<float>({1, 2}, {2})},
                          Attrs({5}, {6}, {1}, 0, 0, 0, 0, 1));
  EXPECT_THAT(shrink.status().message(), ::testing::HasSubstr("index 5 of dim 0 is out of range"));
  auto too_many = RunKernel("StridedSlice", {T_<float>({1, 2}, {2})},
                            Attrs({0, 0}, {1, 1}, {1, 1}));
  EXPECT_THAT(too_many.status().message(), ::testing::HasSubstr("indexes 2 dims of an input of rank 1"));
}

}  // namespace
}  // namespace graphrt
