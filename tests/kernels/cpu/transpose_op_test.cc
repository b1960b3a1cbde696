// Tests for kernels/cpu/transpose_op.cc: every permutation of ranks 1 to 4
// and a sample of rank 5, against a coordinate reference written here, for
// each element size; sizes that cross the 32x32 tiles and split over 1 and 4
// intra-op threads; size-1 dims; empty inputs; errors (at graph build for
// a perm that is no permutation, in the kernel for one of the wrong rank).
#include <algorithm>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::testing::HasSubstr;

template <typename T>
Tensor Iota(const TensorShape& shape) {
  Tensor t(DataTypeOf<T>(), shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<T>()[i] = static_cast<T>(i * 3 + 1);
  return t;
}

// out[c_0, ..., c_r] = x[c'] with c'[perm[i]] = c_i.
template <typename T>
Tensor RefTranspose(const Tensor& x, const std::vector<int64_t>& perm) {
  const TensorShape& s = x.shape();
  std::vector<int64_t> dims;
  for (int64_t p : perm) dims.push_back(s.dim(static_cast<int>(p)));
  Tensor out(x.dtype(), TensorShape(std::span<const int64_t>(dims)));
  for (int64_t i = 0; i < out.num_elements(); ++i) {
    std::vector<int64_t> src(s.rank());
    int64_t rem = i;
    for (int d = s.rank() - 1; d >= 0; --d) {
      src[perm[d]] = rem % dims[d];
      rem /= dims[d];
    }
    int64_t j = 0;
    for (int d = 0; d < s.rank(); ++d) j = j * s.dim(d) + src[d];
    out.data<T>()[i] = x.data<T>()[j];
  }
  return out;
}

template <typename T>
void CheckAllPermutations(const TensorShape& shape, int threads) {
  std::vector<int64_t> perm(shape.rank());
  std::iota(perm.begin(), perm.end(), 0);
  const Tensor x = Iota<T>(shape);
  do {
    SCOPED_TRACE(absl::StrCat(shape.DebugString(), " perm [", absl::StrJoin(perm, ","), "] ",
                              DataTypeName(DataTypeOf<T>()), " threads ", threads));
    auto out = RunKernel("Transpose", {x}, {{"perm", perm}}, {.intra_threads = threads});
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectTensorEq((*out)[0], RefTranspose<T>(x, perm));
  } while (std::next_permutation(perm.begin(), perm.end()));
}

TEST(TransposeOpTest, EveryPermutationOfRanksOneToFour) {
  CheckAllPermutations<float>({7}, 1);
  CheckAllPermutations<float>({37, 45}, 4);
  CheckAllPermutations<int64_t>({3, 40, 33}, 4);
  CheckAllPermutations<uint8_t>({2, 3, 4, 5}, 1);
  CheckAllPermutations<int32_t>({5, 1, 34, 3}, 4);  // a size-1 dim among them
}

TEST(TransposeOpTest, RankFive) {
  const Tensor x = Iota<float>({2, 3, 4, 5, 6});
  for (const std::vector<int64_t>& perm :
       std::vector<std::vector<int64_t>>{{4, 3, 2, 1, 0}, {0, 2, 1, 4, 3}, {1, 0, 3, 4, 2},
                                         {0, 1, 2, 4, 3}, {3, 4, 0, 1, 2}}) {
    SCOPED_TRACE(absl::StrJoin(perm, ","));
    auto out = RunKernel("Transpose", {x}, {{"perm", perm}}, {.intra_threads = 4});
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectTensorEq((*out)[0], RefTranspose<float>(x, perm));
  }
}

TEST(TransposeOpTest, LargeMatrixAndNchwToNhwc) {
  const Tensor m = Iota<float>({513, 1031});
  auto out = RunKernel("Transpose", {m}, {{"perm", std::vector<int64_t>{1, 0}}},
                       {.intra_threads = 4});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], RefTranspose<float>(m, {1, 0}));
  const Tensor img = Iota<float>({4, 16, 17, 3});
  out = RunKernel("Transpose", {img}, {{"perm", std::vector<int64_t>{0, 3, 1, 2}}},
                  {.intra_threads = 4});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], RefTranspose<float>(img, {0, 3, 1, 2}));
}

TEST(TransposeOpTest, MovingOnlySizeOneDimsAndEmptyInputs) {
  const Tensor x = Iota<int32_t>({1, 6, 1});
  auto out = RunKernel("Transpose", {x}, {{"perm", std::vector<int64_t>{2, 1, 0}}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), TensorShape({1, 6, 1}));
  ExpectTensorEq((*out)[0], x);
  out = RunKernel("Transpose", {Tensor(DataType::kFloat32, {0, 3})},
                  {{"perm", std::vector<int64_t>{1, 0}}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), TensorShape({3, 0}));
  out = RunKernel("Transpose", {Tensor::Scalar<float>(2)}, {{"perm", std::vector<int64_t>{}}});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], Tensor::Scalar<float>(2));
}

TEST(TransposeOpTest, BadPermutationsAreNamed) {
  const Tensor x = Iota<float>({2, 3});
  for (const std::vector<int64_t>& perm :
       std::vector<std::vector<int64_t>>{{0}, {0, 0}, {0, 2}, {1, 0, 2}, {-1, 0}}) {
    auto bad = RunKernelUnshaped("Transpose", {x}, {{"perm", perm}});
    ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << bad.status();
    EXPECT_THAT(bad.status().message(), HasSubstr("is not a permutation of"));
  }
}

}  // namespace
}  // namespace graphrt
