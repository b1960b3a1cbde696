// GatherV2 on the CPU against a naive reference written from the definition
// out[b, p, j, i] = params[b, p, indices[b, j], i] (negative indices count
// from the end); every dtype size, both index types, batch_dims, bad indices.
#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using testing::RunKernel;
using testing::T_;

// Reference: walks every output coordinate and reads params by its own
// coordinates (no flattening shared with the kernel).
template <typename T, typename I>
std::vector<T> NaiveGather(const std::vector<T>& params, const std::vector<int64_t>& pshape,
                           const std::vector<I>& indices, const std::vector<int64_t>& ishape,
                           int axis, int batch) {
  std::vector<int64_t> oshape(pshape.begin(), pshape.begin() + axis);
  oshape.insert(oshape.end(), ishape.begin() + batch, ishape.end());
  oshape.insert(oshape.end(), pshape.begin() + axis + 1, pshape.end());
  int64_t total = 1;
  for (int64_t d : oshape) total *= d;
  std::vector<T> out;
  const int irank = static_cast<int>(ishape.size()) - batch;
  for (int64_t flat = 0; flat < total; ++flat) {
    std::vector<int64_t> c(oshape.size());
    for (int64_t d = static_cast<int64_t>(oshape.size()) - 1, r = flat; d >= 0; --d) {
      c[d] = r % oshape[d];
      r /= oshape[d];
    }
    // indices coordinate: batch dims from c[0, batch), then c[axis, axis + irank).
    int64_t ioff = 0;
    for (int d = 0; d < static_cast<int>(ishape.size()); ++d) {
      ioff = ioff * ishape[d] + (d < batch ? c[d] : c[axis + d - batch]);
    }
    int64_t at = static_cast<int64_t>(indices[ioff]);
    if (at < 0) at += pshape[axis];
    int64_t poff = 0;
    for (int d = 0; d < static_cast<int>(pshape.size()); ++d) {
      const int64_t v = d < axis ? c[d] : d == axis ? at : c[d - 1 + irank];
      poff = poff * pshape[d] + v;
    }
    out.push_back(params[poff]);
  }
  return out;
}

template <typename T>
std::vector<T> Iota(int64_t n, T start) {
  std::vector<T> v;
  for (int64_t i = 0; i < n; ++i) v.push_back(static_cast<T>(start + static_cast<T>(i)));
  return v;
}

TEST(GatherV2Test, EmbeddingLookupAxis0) {
  // Keras' Embedding: a [5, 3] table, [2, 2] ids -> [2, 2, 3].
  auto table = Iota<float>(15, 0.5f);
  std::vector<int32_t> ids = {4, 0, -1, 2};
  auto out = RunKernel("GatherV2", {T_<float>(table, {5, 3}), T_<int32_t>(ids, {2, 2})},
                       {{"axis", int64_t{0}}, {"batch_dims", int64_t{0}}});
  ASSERT_TRUE(out.ok()) << out.status();
  testing::ExpectTensorEq((*out)[0],
                          T_<float>(NaiveGather<float, int32_t>(table, {5, 3}, ids, {2, 2}, 0, 0),
                                    {2, 2, 3}));
  EXPECT_EQ((*out)[0].flat<float>()[6], table[12]);  // -1 is row 4
}

TEST(GatherV2Test, MiddleAxisEveryElementSize) {
  const std::vector<int64_t> ps = {2, 4, 3};
  std::vector<int64_t> ids = {3, 1, -4};
  auto check = [&]<typename T>() {
    auto p = Iota<T>(24, T(1));
    auto out = RunKernel("GatherV2", {T_<T>(p, TensorShape{2, 4, 3}), T_<int64_t>(ids, {3})},
                         {{"axis", int64_t{-2}}, {"batch_dims", int64_t{0}}});
    ASSERT_TRUE(out.ok()) << out.status();
    testing::ExpectTensorEq((*out)[0], T_<T>(NaiveGather<T, int64_t>(p, ps, ids, {3}, 1, 0),
                                             {2, 3, 3}));
  };
  check.operator()<int8_t>();
  check.operator()<int16_t>();
  check.operator()<float>();
  check.operator()<double>();
  check.operator()<int64_t>();
}

TEST(GatherV2Test, BatchDimsWalkParamsAndIndicesTogether) {
  // params [2, 3, 4], indices [2, 2], axis 2, batch_dims 1 -> [2, 3, 2].
  auto p = Iota<int32_t>(24, 0);
  std::vector<int32_t> ids = {3, 0, 1, 2};
  auto out = RunKernel("GatherV2", {T_<int32_t>(p, {2, 3, 4}), T_<int32_t>(ids, {2, 2})},
                       {{"axis", int64_t{2}}, {"batch_dims", int64_t{1}}});
  ASSERT_TRUE(out.ok()) << out.status();
  auto want = NaiveGather<int32_t, int32_t>(p, {2, 3, 4}, ids, {2, 2}, 2, 1);
  testing::ExpectTensorEq((*out)[0], T_<int32_t>(want, {2, 3, 2}));
  // Spelled out: batch 1, row 0 picks columns 1 and 2 of params[1, 0, :].
  EXPECT_EQ((*out)[0].flat<int32_t>()[6], 13);
  EXPECT_EQ((*out)[0].flat<int32_t>()[7], 14);
}

TEST(GatherV2Test, ScalarIndexDropsTheAxisAndLargeRowsSplit) {
  auto p = Iota<float>(3 * 5000, 0.0f);
  auto out = RunKernel("GatherV2", {T_<float>(p, {3, 5000}), T_<int64_t>({2}, {})},
                       {{"axis", int64_t{0}}, {"batch_dims", int64_t{0}}});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ((*out)[0].shape(), TensorShape{5000});
  EXPECT_EQ((*out)[0].flat<float>()[0], 10000.0f);
  EXPECT_EQ((*out)[0].flat<float>()[4999], 14999.0f);
}

TEST(GatherV2Test, OutOfRangeIndexIsNamed) {
  auto out = RunKernel("GatherV2", {T_<float>(Iota<float>(6, 0), {3, 2}), T_<int32_t>({0, 3}, {2})},
                       {{"axis", int64_t{0}}, {"batch_dims", int64_t{0}}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(),
              ::testing::AllOf(::testing::HasSubstr("index 3 at position 1"),
                               ::testing::HasSubstr("[-3, 3)")));
}

}  // namespace
}  // namespace graphrt
