// GatherElements, Tile, Trilu and Cumsum on the CPU against naive loops
// written from the ONNX/TF definitions (coordinates, not flat offsets), plus
// the spec's own GatherElements example and the errors.
#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using testing::RunKernel;
using testing::T_;

std::vector<int64_t> Coords(int64_t flat, const std::vector<int64_t>& dims) {
  std::vector<int64_t> c(dims.size());
  for (int d = static_cast<int>(dims.size()) - 1; d >= 0; --d) {
    c[d] = flat % dims[d];
    flat /= dims[d];
  }
  return c;
}
int64_t Flat(const std::vector<int64_t>& c, const std::vector<int64_t>& dims) {
  int64_t f = 0;
  for (size_t d = 0; d < dims.size(); ++d) f = f * dims[d] + c[d];
  return f;
}
int64_t Count(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

TEST(GatherElementsTest, SpecExampleAndEveryAxisAgainstLoops) {
  // ONNX's example: axis 1, data [[1, 2], [3, 4]], indices [[0, 0], [1, 0]].
  auto ex = RunKernel("GatherElements", {T_<float>({1, 2, 3, 4}, {2, 2}),
                                         T_<int64_t>({0, 0, 1, 0}, {2, 2})},
                      {{"axis", int64_t{1}}});
  ASSERT_TRUE(ex.ok()) << ex.status();
  testing::ExpectTensorEq((*ex)[0], T_<float>({1, 1, 4, 3}, {2, 2}));
  const std::vector<int64_t> dd = {3, 4, 5}, id = {2, 3, 4};
  std::vector<int16_t> data(Count(dd));
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<int16_t>(i * 7 % 101);
  for (int64_t axis : {0, 1, 2, -1}) {
    const int64_t a = axis < 0 ? axis + 3 : axis;
    std::vector<int32_t> idx(Count(id));
    for (size_t i = 0; i < idx.size(); ++i) {
      idx[i] = static_cast<int32_t>((i * 5 + 3) % dd[a]) - (i % 3 == 0 ? static_cast<int32_t>(dd[a]) : 0);
    }
    std::vector<int16_t> want;
    for (int64_t f = 0; f < Count(id); ++f) {
      std::vector<int64_t> c = Coords(f, id);
      c[a] = idx[f] < 0 ? idx[f] + dd[a] : idx[f];
      want.push_back(data[Flat(c, dd)]);
    }
    auto out = RunKernel("GatherElements", {T_<int16_t>(data, {3, 4, 5}), T_<int32_t>(idx, {2, 3, 4})},
                         {{"axis", axis}});
    ASSERT_TRUE(out.ok()) << out.status();
    testing::ExpectTensorEq((*out)[0], T_<int16_t>(want, {2, 3, 4}));
  }
  auto bad = RunKernel("GatherElements", {T_<float>({1, 2, 3, 4}, {2, 2}),
                                          T_<int64_t>({0, 2, 1, 0}, {2, 2})},
                       {{"axis", int64_t{1}}});
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("index 2 at position 1"));
}

TEST(TileTest, MatchesModuloLoopIncludingZeroCounts) {
  const std::vector<int64_t> dims = {2, 3, 2};
  std::vector<int8_t> in(12);
  for (int i = 0; i < 12; ++i) in[i] = static_cast<int8_t>(i - 5);
  for (const std::vector<int64_t>& m : std::vector<std::vector<int64_t>>{{1, 1, 1}, {2, 1, 3}, {3, 2, 1}, {1, 0, 2}}) {
    std::vector<int64_t> od = {dims[0] * m[0], dims[1] * m[1], dims[2] * m[2]};
    std::vector<int8_t> want;
    for (int64_t f = 0; f < Count(od); ++f) {
      std::vector<int64_t> c = Coords(f, od);
      for (int d = 0; d < 3; ++d) c[d] %= dims[d];
      want.push_back(in[Flat(c, dims)]);
    }
    auto out = RunKernel("Tile", {T_<int8_t>(in, {2, 3, 2}), T_<int64_t>(m, {3})}, {});
    ASSERT_TRUE(out.ok()) << out.status();
    testing::ExpectTensorEq((*out)[0], T_<int8_t>(want, TensorShape(std::span<const int64_t>(od))));
  }
  auto bad = RunKernel("Tile", {T_<int8_t>(in, {2, 3, 2}), T_<int32_t>({1, 2}, {2})}, {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(TriluTest, UpperAndLowerForEveryKAgainstLoops) {
  const std::vector<int64_t> dims = {2, 3, 4};
  std::vector<double> in(24);
  for (int i = 0; i < 24; ++i) in[i] = i + 0.5;
  for (bool upper : {true, false}) {
    for (int64_t k = -3; k <= 4; ++k) {
      std::vector<double> want;
      for (int64_t f = 0; f < 24; ++f) {
        std::vector<int64_t> c = Coords(f, dims);
        const int64_t i = c[1], j = c[2];
        want.push_back((upper ? j - i >= k : j - i <= k) ? in[f] : 0.0);
      }
      auto out = RunKernel("Trilu", {T_<double>(in, {2, 3, 4}), Tensor::Scalar<int64_t>(k)},
                           {{"upper", upper}});
      ASSERT_TRUE(out.ok()) << out.status();
      testing::ExpectTensorEq((*out)[0], T_<double>(want, {2, 3, 4}));
    }
  }
}

template <typename T>
void CheckCumsum() {
  const std::vector<int64_t> dims = {2, 3, 4};
  std::vector<T> in(24);
  for (int i = 0; i < 24; ++i) in[i] = static_cast<T>(i % 7 - 3);
  for (int64_t axis : {0, 1, 2, -1}) {
    const int64_t a = axis < 0 ? axis + 3 : axis;
    for (bool exclusive : {false, true}) {
      for (bool reverse : {false, true}) {
        std::vector<T> want(24);
        for (int64_t f = 0; f < 24; ++f) {
          std::vector<int64_t> c = Coords(f, dims);
          T sum = 0;
          for (int64_t s = 0; s < dims[a]; ++s) {
            const bool in_sum = reverse ? (exclusive ? s > c[a] : s >= c[a])
                                        : (exclusive ? s < c[a] : s <= c[a]);
            std::vector<int64_t> at = c;
            at[a] = s;
            if (in_sum) sum += in[Flat(at, dims)];
          }
          want[f] = sum;
        }
        auto out = RunKernel("Cumsum", {T_<T>(in, {2, 3, 4}), Tensor::Scalar<int32_t>(static_cast<int32_t>(axis))},
                             {{"exclusive", exclusive}, {"reverse", reverse}});
        ASSERT_TRUE(out.ok()) << out.status();
        testing::ExpectTensorEq((*out)[0], T_<T>(want, {2, 3, 4}));
      }
    }
  }
}

TEST(CumsumTest, EveryAxisExclusiveReverseAgainstLoops) {
  CheckCumsum<float>();
  CheckCumsum<double>();
  CheckCumsum<int32_t>();
  CheckCumsum<int64_t>();
  auto bad = RunKernel("Cumsum", {T_<float>({1, 2}, {2}), Tensor::Scalar<int64_t>(1)}, {});
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("axis 1 is out of range"));
}

TEST(OneHotTest, EveryAxisAgainstLoopsAndOutOfRangeRows) {
  // indices [2, 3] with -1 and 5 (out of range for depth 4).
  const std::vector<int64_t> idx = {0, 3, -1, 2, 5, 1};
  for (bool wrap : {false, true}) {
    for (int64_t axis : {-1, 0, 1, 2}) {
      const int64_t a = axis < 0 ? 2 : axis;
      std::vector<int64_t> od = {2, 3};
      od.insert(od.begin() + a, 4);
      std::vector<float> want;
      for (int64_t f = 0; f < Count(od); ++f) {
        std::vector<int64_t> c = Coords(f, od);
        const int64_t d = c[a];
        c.erase(c.begin() + a);
        int64_t v = idx[c[0] * 3 + c[1]];
        if (wrap && v < 0) v += 4;
        want.push_back(v == d ? 7.0f : -1.0f);
      }
      auto out = RunKernel("OneHot", {T_<int64_t>(idx, {2, 3}), Tensor::Scalar<int32_t>(4),
                                      Tensor::Scalar<float>(7), Tensor::Scalar<float>(-1)},
                           {{"axis", axis}, {"negative_indices_count_from_end", wrap}});
      ASSERT_TRUE(out.ok()) << out.status();
      testing::ExpectTensorEq((*out)[0], T_<float>(want, TensorShape(std::span<const int64_t>(od))));
    }
  }
}

TEST(TopKTest, LargestAndSmallestAlongEveryAxisWithTiesToTheLowerIndex) {
  const std::vector<int64_t> dims = {3, 4, 2};
  std::vector<int32_t> in(24);
  for (int i = 0; i < 24; ++i) in[i] = (i * 7) % 5;  // many ties
  for (int64_t axis : {0, 1, 2}) {
    for (bool largest : {true, false}) {
      const int64_t k = dims[axis] - 1;
      std::vector<int64_t> od = dims;
      od[axis] = k;
      std::vector<int32_t> want_v;
      std::vector<int64_t> want_i;
      for (int64_t f = 0; f < Count(od); ++f) {
        std::vector<int64_t> c = Coords(f, od);
        // Selection by repeated scans: the j-th pick is the best not yet taken.
        std::vector<bool> taken(dims[axis], false);
        int64_t pick = -1;
        for (int64_t j = 0; j <= c[axis]; ++j) {
          pick = -1;
          for (int64_t s = 0; s < dims[axis]; ++s) {
            if (taken[s]) continue;
            std::vector<int64_t> at = c, best = c;
            at[axis] = s;
            if (pick >= 0) best[axis] = pick;
            const int32_t v = in[Flat(at, dims)];
            if (pick < 0 || (largest ? v > in[Flat(best, dims)] : v < in[Flat(best, dims)])) pick = s;
          }
          taken[pick] = true;
        }
        std::vector<int64_t> at = c;
        at[axis] = pick;
        want_v.push_back(in[Flat(at, dims)]);
        want_i.push_back(pick);
      }
      auto out = RunKernel("TopKV2", {T_<int32_t>(in, {3, 4, 2}), Tensor::Scalar<int64_t>(k)},
                           {{"axis", axis}, {"largest", largest}, {"index_type", DataType::kInt64}});
      ASSERT_TRUE(out.ok()) << out.status();
      const TensorShape shape{std::span<const int64_t>(od)};
      testing::ExpectTensorEq((*out)[0], T_<int32_t>(want_v, shape));
      testing::ExpectTensorEq((*out)[1], T_<int64_t>(want_i, shape));
    }
  }
  auto bad = RunKernel("TopKV2", {T_<float>({1, 2}, {2}), Tensor::Scalar<int32_t>(3)},
                       {{"index_type", DataType::kInt32}});
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("k 3 is outside [0, 2]"));
}

}  // namespace
}  // namespace graphrt
