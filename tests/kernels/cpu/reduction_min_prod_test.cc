// Min and Prod reductions on the CPU (kernels/cpu/reduction_ops.cc) against
// naive loops: every axis subset of a rank-3 tensor, keep_dims on and off,
// float32/int32/int64; large inputs on each path; NaN, the empty product,
// the empty Min, integer wrap-around.
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::RunKernel;
using ::graphrt::testing::T_;

// out[kept coordinates] = fold of in over the reduced ones, in double.
template <typename T>
std::vector<double> Naive(const std::vector<T>& in, const std::vector<int64_t>& shape,
                          unsigned mask, bool prod) {
  const int rank = static_cast<int>(shape.size());
  std::vector<int64_t> oshape;
  for (int d = 0; d < rank; ++d) oshape.push_back((mask >> d & 1) ? 1 : shape[d]);
  int64_t outputs = 1;
  for (int64_t d : oshape) outputs *= d;
  std::vector<double> out(outputs, prod ? 1.0 : std::numeric_limits<double>::infinity());
  for (int64_t flat = 0; flat < static_cast<int64_t>(in.size()); ++flat) {
    int64_t r = flat, o = 0, step = 1;
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t c = r % shape[d];
      r /= shape[d];
      if (!(mask >> d & 1)) o += c * step;
      step *= oshape[d];
    }
    const double v = static_cast<double>(in[flat]);
    out[o] = prod ? out[o] * v : std::min(out[o], v);
  }
  return out;
}

template <typename T>
void CheckAllSubsets(uint32_t seed) {
  const std::vector<int64_t> shape = {2, 3, 4};
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(-3, 3);
  std::vector<T> in(24);
  for (T& v : in) v = static_cast<T>(dist(gen)) + (std::is_floating_point_v<T> ? T(0.25) : T(0));
  for (unsigned mask = 0; mask < 8; ++mask) {
    std::vector<int64_t> axes;
    for (int d = 0; d < 3; ++d) {
      if (mask >> d & 1) axes.push_back(d - (mask == 5 ? 3 : 0));  // some negative axes
    }
    if (mask == 0) axes = {};  // empty list: every axis
    const unsigned eff = mask == 0 ? 7 : mask;
    for (bool keep : {false, true}) {
      for (const char* op : {"Min", "Prod"}) {
        const bool prod = std::string(op) == "Prod";
        auto out = RunKernel(op, {T_<T>(in, {2, 3, 4})}, {{"axis", axes}, {"keep_dims", keep}});
        ASSERT_TRUE(out.ok()) << op << " " << out.status();
        const std::vector<double> want = Naive(in, shape, eff, prod);
        ASSERT_EQ((*out)[0].num_elements(), static_cast<int64_t>(want.size())) << op << mask;
        EXPECT_EQ((*out)[0].rank(), keep ? 3 : 3 - __builtin_popcount(eff)) << op << mask;
        for (size_t i = 0; i < want.size(); ++i) {
          EXPECT_NEAR(testing::ValueAt((*out)[0], i), want[i], 1e-4 * std::abs(want[i]))
              << op << " mask " << mask << " keep " << keep << " at " << i;
        }
      }
    }
  }
}

TEST(MinProdTest, EveryAxisSubsetMatchesLoops) {
  CheckAllSubsets<float>(1);
  CheckAllSubsets<int32_t>(2);
  CheckAllSubsets<int64_t>(3);
}

TEST(MinProdTest, LargeInputsOnRowAndColumnPathsAgreeAcrossThreads) {
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> dist(0.999f, 1.001f);
  std::vector<float> in(64 * 3000);
  for (float& v : in) v = dist(gen);
  for (int64_t axis : {int64_t{0}, int64_t{1}}) {
    const unsigned mask = axis == 0 ? 1 : 2;
    for (const char* op : {"Min", "Prod"}) {
      const std::vector<double> want = Naive(in, {64, 3000}, mask, std::string(op) == "Prod");
      for (int threads : {1, 2}) {
        testing::KernelRunOptions o;
        o.intra_threads = threads;
        auto out = RunKernel(op, {T_<float>(in, {64, 3000})},
                             {{"axis", std::vector<int64_t>{axis}}, {"keep_dims", false}}, o);
        ASSERT_TRUE(out.ok()) << out.status();
        for (size_t i = 0; i < want.size(); ++i) {
          ASSERT_NEAR(testing::ValueAt((*out)[0], i), want[i], 1e-5 * std::abs(want[i]) + 1e-6)
              << op << " axis " << axis << " threads " << threads << " at " << i;
        }
      }
    }
  }
}

TEST(MinProdTest, NanEmptyAndWrapAround) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto min = RunKernel("Min", {T_<float>({3, nan, -1}, {3})}, {});
  ASSERT_TRUE(min.ok());
  EXPECT_TRUE(std::isnan((*min)[0].flat<float>()[0]));
  // The empty product is 1 (numpy, ONNX); the empty Min has no value.
  auto empty = RunKernel("Prod", {T_<float>({}, {2, 0})},
                         {{"axis", std::vector<int64_t>{1}}, {"keep_dims", false}});
  ASSERT_TRUE(empty.ok()) << empty.status();
  testing::ExpectTensorEq((*empty)[0], T_<float>({1, 1}, {2}));
  auto no_min = RunKernel("Min", {T_<float>({}, {2, 0})},
                          {{"axis", std::vector<int64_t>{1}}, {"keep_dims", false}});
  EXPECT_EQ(no_min.status().code(), absl::StatusCode::kInvalidArgument);
  // int32 products wrap like the type: 65536 * 65536 = 2^32 = 0 mod 2^32; -3 * 5 = -15.
  auto wrap = RunKernel("Prod", {T_<int32_t>({65536, 65536, -3, 5}, {2, 2})},
                        {{"axis", std::vector<int64_t>{1}}, {"keep_dims", false}});
  ASSERT_TRUE(wrap.ok());
  testing::ExpectTensorEq((*wrap)[0], T_<int32_t>({0, -15}, {2}));
}

}  // namespace
}  // namespace graphrt
