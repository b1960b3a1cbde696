// GatherND, ScatterND and ScatterElements on the CPU against loops written
// from the ONNX spec's pseudo-code: GatherND with and without batch dims
// (int32/int64 indices, negative indices), ScatterND of elements and of
// rows (a later duplicate wins), ScatterElements along each axis; the
// add/mul/max/min reductions; errors
// name the node.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

TEST(GatherNdTest, TuplesAndSlicesAgainstTheSpecLoops) {
  // data [2, 3, 4] = 100 a + 10 b + c.
  std::vector<float> data;
  for (int a = 0; a < 2; ++a) {
    for (int b = 0; b < 3; ++b) {
      for (int c = 0; c < 4; ++c) data.push_back(100.0f * a + 10.0f * b + c);
    }
  }
  // Full tuples (k = 3): elements.
  auto full = RunKernelUnshaped("GatherND", {T_<float>(data, {2, 3, 4}),
                                             T_<int64_t>({1, 2, 3, 0, -1, 1}, {2, 3})},
                                {{"batch_dims", int64_t{0}}});
  ASSERT_TRUE(full.ok()) << full.status();
  testing::ExpectTensorEq((*full)[0], T_<float>({123, 21}, {2}));
  // k = 1: whole [3, 4] blocks, indices [2, 1] -> output [2, 3, 4].
  auto rows = RunKernelUnshaped("GatherND", {T_<float>(data, {2, 3, 4}), T_<int32_t>({1, 0}, {2, 1})},
                                {{"batch_dims", int64_t{0}}});
  ASSERT_TRUE(rows.ok()) << rows.status();
  std::vector<float> want;
  for (int a : {1, 0}) {
    for (int i = 0; i < 12; ++i) want.push_back(data[a * 12 + i]);
  }
  testing::ExpectTensorEq((*rows)[0], T_<float>(want, {2, 3, 4}));
  // batch_dims 1: batch a picks (b) in its own block -> [2, 4].
  auto batched = RunKernelUnshaped("GatherND", {T_<float>(data, {2, 3, 4}), T_<int64_t>({2, 1}, {2, 1})},
                                   {{"batch_dims", int64_t{1}}});
  ASSERT_TRUE(batched.ok()) << batched.status();
  want.clear();
  for (int c = 0; c < 4; ++c) want.push_back(20.0f + c);
  for (int c = 0; c < 4; ++c) want.push_back(110.0f + c);
  testing::ExpectTensorEq((*batched)[0], T_<float>(want, {2, 4}));
}

TEST(ScatterNdTest, ElementsAndRowsLaterDuplicateWins) {
  std::vector<int32_t> data(12, 0);
  auto elems = RunKernelUnshaped("ScatterND", {T_<int32_t>(data, {3, 4}),
                                               T_<int64_t>({0, 1, 2, -1, 0, 1}, {3, 2}),
                                               T_<int32_t>({5, 6, 7}, {3})},
                                 {});
  ASSERT_TRUE(elems.ok()) << elems.status();
  std::vector<int32_t> want(12, 0);
  want[0 * 4 + 1] = 7;  // written by 5, then 7
  want[2 * 4 + 3] = 6;
  testing::ExpectTensorEq((*elems)[0], T_<int32_t>(want, {3, 4}));
  auto rows = RunKernelUnshaped("ScatterND", {T_<int32_t>(data, {3, 4}), T_<int32_t>({2}, {1, 1}),
                                              T_<int32_t>({1, 2, 3, 4}, {1, 4})},
                                {});
  ASSERT_TRUE(rows.ok()) << rows.status();
  want.assign(12, 0);
  for (int c = 0; c < 4; ++c) want[8 + c] = c + 1;
  testing::ExpectTensorEq((*rows)[0], T_<int32_t>(want, {3, 4}));
}

TEST(ScatterElementsTest, EachAxisAgainstTheSpecLoop) {
  std::vector<double> data(6, 0.0);
  const std::vector<int64_t> idx = {1, 0, 2, 0, 2, -3};  // [2, 3], values into dim `axis`
  const std::vector<double> upd = {1, 2, 3, 4, 5, 6};
  for (int64_t axis : {1, -1}) {
    auto out = RunKernelUnshaped("ScatterElements", {T_<double>(data, {2, 3}), T_<int64_t>(idx, {2, 3}),
                                                     T_<double>(upd, {2, 3})},
                                 {{"axis", axis}});
    ASSERT_TRUE(out.ok()) << out.status();
    std::vector<double> want(6, 0.0);
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 3; ++j) {
        int64_t k = idx[i * 3 + j];
        if (k < 0) k += 3;
        want[i * 3 + k] = upd[i * 3 + j];
      }
    }
    testing::ExpectTensorEq((*out)[0], T_<double>(want, {2, 3}));
  }
  // axis 0 with indices [1, 2] into data [2, 2].
  auto rows = RunKernelUnshaped("ScatterElements", {T_<double>({0, 0, 0, 0}, {2, 2}),
                                                    T_<int32_t>({1, 0}, {1, 2}),
                                                    T_<double>({8, 9}, {1, 2})},
                                {{"axis", int64_t{0}}});
  ASSERT_TRUE(rows.ok()) << rows.status();
  testing::ExpectTensorEq((*rows)[0], T_<double>({0, 9, 8, 0}, {2, 2}));
}

TEST(ScatterTest, BadIndicesNameTheNode) {
  auto gather = RunKernelUnshaped("GatherND", {T_<float>({1, 2, 3}, {3}), T_<int64_t>({3}, {1, 1})},
                                  {{"batch_dims", int64_t{0}}});
  ASSERT_FALSE(gather.ok());
  EXPECT_THAT(gather.status().message(), HasSubstr("GatherND '"));
  EXPECT_THAT(gather.status().message(), HasSubstr("index 3 is out of range [-3, 3)"));
  auto nd = RunKernelUnshaped("ScatterND", {T_<float>({1, 2, 3}, {3}), T_<int64_t>({0}, {1, 1}),
                                            T_<float>({1, 2}, {2})},
                              {});
  ASSERT_FALSE(nd.ok());
  EXPECT_THAT(nd.status().message(), HasSubstr("updates float32[2] must be"));
  auto el = RunKernelUnshaped("ScatterElements", {T_<float>({1, 2, 3}, {3}), T_<int64_t>({-4}, {1}),
                                                  T_<float>({1}, {1})},
                              {{"axis", int64_t{0}}});
  ASSERT_FALSE(el.ok());
  EXPECT_THAT(el.status().message(), HasSubstr("ScatterElements '"));
  EXPECT_THAT(el.status().message(), HasSubstr("index -4 is out of range"));
}

// Reductions against the spec's loop: each update combined, in index order,
// with what is at its destination (duplicates accumulate).
TEST(ScatterTest, ReductionsCombineInIndexOrder) {
  const std::vector<int64_t> data = {1, 2, 3, 4};
  const std::vector<int64_t> idx = {1, 3, 1};
  const std::vector<int64_t> upd = {10, 20, 5};
  for (const std::string r : {"add", "mul", "max", "min"}) {
    std::vector<int64_t> want = data;
    for (int j = 0; j < 3; ++j) {
      int64_t& d = want[idx[j]];
      d = r == "add" ? d + upd[j] : r == "mul" ? d * upd[j] : r == "max" ? std::max(d, upd[j])
                                                                          : std::min(d, upd[j]);
    }
    auto nd = RunKernelUnshaped("ScatterND", {T_<int64_t>(data, {4}), T_<int64_t>(idx, {3, 1}),
                                              T_<int64_t>(upd, {3})},
                                {{"reduction", r}});
    ASSERT_TRUE(nd.ok()) << r << ": " << nd.status();
    testing::ExpectTensorEq((*nd)[0], T_<int64_t>(want, {4}));
    auto el = RunKernelUnshaped("ScatterElements", {T_<int64_t>(data, {4}), T_<int64_t>(idx, {3}),
                                                    T_<int64_t>(upd, {3})},
                                {{"axis", int64_t{0}}, {"reduction", r}});
    ASSERT_TRUE(el.ok()) << r << ": " << el.status();
    testing::ExpectTensorEq((*el)[0], T_<int64_t>(want, {4}));
  }
  auto bad = RunKernelUnshaped("ScatterND", {T_<bool>({true}, {1}), T_<int64_t>({0}, {1, 1}),
                                             T_<bool>({false}, {1})},
                               {{"reduction", std::string("add")}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("reduction 'add' on bool"));
}

}  // namespace
}  // namespace graphrt
