// Tests for kernels/cpu/select_ops.cc: ReverseSequence against a loop over
// (batch, time, feature) written from its definition, in both dim orders
// and for int64 data; Compress along each axis, flattened, with a short
// condition and none selected, against nested loops; errors for bad inputs.
#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::RandomFloats;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

TEST(ReverseSequenceOpTest, MatchesLoopForBothDimOrders) {
  const int64_t T = 5, B = 3, F = 2;
  const std::vector<int64_t> lens = {5, 0, 3};
  Tensor x = RandomFloats({T, B, F}, -1, 1, 1);  // time-major
  Tensor want(DataType::kFloat32, x.shape());
  for (int64_t t = 0; t < T; ++t)
    for (int64_t b = 0; b < B; ++b)
      for (int64_t f = 0; f < F; ++f) {
        const int64_t from = t < lens[b] ? lens[b] - 1 - t : t;
        want.data<float>()[(t * B + b) * F + f] = x.data<float>()[(from * B + b) * F + f];
      }
  auto out = RunKernel("ReverseSequence", {x, T_<int64_t>(lens, {3})},
                       {{"seq_dim", int64_t{0}}, {"batch_dim", int64_t{1}}});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], want);

  // Batch-major int64 data, int32 lengths: [[1,2,3],[4,5,6]], lens [2, 3].
  auto bm = RunKernel("ReverseSequence",
                      {T_<int64_t>({1, 2, 3, 4, 5, 6}, {2, 3}), T_<int32_t>({2, 3}, {2})},
                      {{"seq_dim", int64_t{1}}, {"batch_dim", int64_t{0}}});
  ASSERT_TRUE(bm.ok()) << bm.status();
  ExpectTensorEq((*bm)[0], T_<int64_t>({2, 1, 3, 6, 5, 4}, {2, 3}));
}

TEST(CompressOpTest, EachAxisFlattenedShortAndEmpty) {
  Tensor x = T_<float>({1, 2, 3, 4, 5, 6}, {3, 2});
  auto run = [&](const Tensor& c, int64_t axis, bool flatten) {
    auto out = RunKernel("Compress", {x, c}, {{"axis", axis}, {"flatten", flatten}});
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? (*out)[0] : Tensor();
  };
  ExpectTensorEq(run(T_<bool>({false, true, true}, {3}), 0, false),
                 T_<float>({3, 4, 5, 6}, {2, 2}));
  ExpectTensorEq(run(T_<bool>({false, true}, {2}), 1, false), T_<float>({2, 4, 6}, {3, 1}));
  ExpectTensorEq(run(T_<bool>({true, false}, {2}), -1, false), T_<float>({1, 3, 5}, {3, 1}));
  ExpectTensorEq(run(T_<bool>({true}, {1}), 0, false), T_<float>({1, 2}, {1, 2}));  // short
  ExpectTensorEq(run(T_<bool>({false, true, false, false, true}, {5}), 0, true),
                 T_<float>({2, 5}, {2}));
  ExpectTensorEq(run(T_<bool>({false, false, false}, {3}), 0, false),
                 Tensor(DataType::kFloat32, TensorShape{0, 2}));
}

TEST(NonZeroOpTest, CoordinatesInRowMajorOrderForEachDtype) {
  // Coordinates found by scanning every (i, j) of a 3x4 pattern.
  const std::vector<float> v = {0, 1, 0, -0.0f, 2, 0, NAN, 0, 0, 0, 0, 3};
  std::vector<int64_t> rows, cols;
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 4; ++j)
      if (!(v[i * 4 + j] == 0.0f)) rows.push_back(i), cols.push_back(j);
  std::vector<int64_t> want = rows;
  want.insert(want.end(), cols.begin(), cols.end());
  const int64_t n = static_cast<int64_t>(rows.size());
  ASSERT_EQ(n, 4);  // 1, 2, NaN, 3; -0.0 is zero
  auto f = RunKernel("NonZero", {T_<float>(v, {3, 4})});
  ASSERT_TRUE(f.ok()) << f.status();
  ExpectTensorEq((*f)[0], T_<int64_t>(want, {2, n}));
  auto b = RunKernel("NonZero", {T_<bool>({true, false, true}, {3})});
  ASSERT_TRUE(b.ok()) << b.status();
  ExpectTensorEq((*b)[0], T_<int64_t>({0, 2}, {1, 2}));
  auto none = RunKernel("NonZero", {T_<int32_t>({0, 0}, {2})});
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ((*none)[0].shape(), (TensorShape{1, 0}));
}

// MaxPool 2x2 stride 2 of a 4x4 plane by hand: argmax positions 5, 7, 13, 15.
TEST(MaxUnpoolOpTest, ScattersIntoWindowShapeOrLargerOutput) {
  const Tensor x = T_<float>({5, 6, 7, 8}, {1, 1, 2, 2});
  const Tensor idx = T_<int64_t>({5, 7, 13, 15}, {1, 1, 2, 2});
  const AttrMap attrs = {{"kernel_shape", std::vector<int64_t>{2, 2}},
                         {"strides", std::vector<int64_t>{2, 2}},
                         {"pads", std::vector<int64_t>{}}};
  auto plain = RunKernel("MaxUnpool", {x, idx, Tensor(DataType::kInt64, TensorShape{0})}, attrs);
  ASSERT_TRUE(plain.ok()) << plain.status();
  std::vector<float> want(16, 0.0f);
  want[5] = 5, want[7] = 6, want[13] = 7, want[15] = 8;
  ExpectTensorEq((*plain)[0], T_<float>(want, {1, 1, 4, 4}));
  // Into 5x5: each value keeps its (row, col) of the 4x4.
  auto big = RunKernel("MaxUnpool", {x, idx, T_<int64_t>({1, 1, 5, 5}, {4})}, attrs);
  ASSERT_TRUE(big.ok()) << big.status();
  std::vector<float> want5(25, 0.0f);
  want5[1 * 5 + 1] = 5, want5[1 * 5 + 3] = 6, want5[3 * 5 + 1] = 7, want5[3 * 5 + 3] = 8;
  ExpectTensorEq((*big)[0], T_<float>(want5, {1, 1, 5, 5}));
  auto bad = RunKernelUnshaped("MaxUnpool",
                               {x, T_<int64_t>({5, 7, 13, 16}, {1, 1, 2, 2}),
                                Tensor(DataType::kInt64, TensorShape{0})},
                               attrs);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("index 16 at 3 is outside"));
}

TEST(SelectOpsTest, RejectBadInputs) {
  Tensor x = T_<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  auto long_len = RunKernelUnshaped("ReverseSequence", {x, T_<int64_t>({4, 1}, {2})},
                                    {{"seq_dim", int64_t{1}}, {"batch_dim", int64_t{0}}});
  ASSERT_FALSE(long_len.ok());
  EXPECT_THAT(long_len.status().message(), HasSubstr("seq_lengths[0] = 4 is not in [0, 3]"));
  auto wrong_count = RunKernelUnshaped("ReverseSequence", {x, T_<int64_t>({1}, {1})},
                                       {{"seq_dim", int64_t{1}}, {"batch_dim", int64_t{0}}});
  ASSERT_FALSE(wrong_count.ok());
  EXPECT_THAT(wrong_count.status().message(), HasSubstr("vector of 2"));
  auto long_cond = RunKernelUnshaped("Compress", {x, T_<bool>({true, true, true}, {3})},
                                     {{"axis", int64_t{0}}, {"flatten", false}});
  ASSERT_FALSE(long_cond.ok());
  EXPECT_THAT(long_cond.status().message(), HasSubstr("at most 2 values"));
  auto bad_axis = RunKernelUnshaped("Compress", {x, T_<bool>({true}, {1})},
                                    {{"axis", int64_t{2}}, {"flatten", false}});
  ASSERT_FALSE(bad_axis.ok());
  EXPECT_THAT(bad_axis.status().message(), HasSubstr("(Compress): axis 2 is out of range"));
}

}  // namespace
}  // namespace graphrt
