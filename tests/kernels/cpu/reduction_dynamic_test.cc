// Reductions whose axes are read when they run (DynamicSum, DynamicMean,
// DynamicMax, DynamicMin, DynamicProd; kernels/cpu/reduction_ops.cc) and the
// float64 reductions, against a naive loop over every element: every axis
// subset of a rank-3 tensor (negative axes too), keep_dims on and off,
// int32 and int64 axes; empty axes (every axis, or a pass-through with
// noop_with_empty_axes); errors name the node.
#include <cmath>
#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

enum class Op { kSum, kMean, kMax, kMin, kProd };

// out[kept coordinates] folded over the dims in `mask`, in double; output
// dims of 1 where reduced (keep_dims layout; the same values without it).
std::vector<double> Naive(const std::vector<double>& in, const std::vector<int64_t>& shape,
                          unsigned mask, Op op) {
  const int rank = static_cast<int>(shape.size());
  std::vector<int64_t> oshape;
  int64_t outputs = 1, count = 1;
  for (int d = 0; d < rank; ++d) {
    oshape.push_back((mask >> d & 1) ? 1 : shape[d]);
    outputs *= oshape.back();
    if (mask >> d & 1) count *= shape[d];
  }
  const double init = op == Op::kProd  ? 1.0
                      : op == Op::kMax ? -INFINITY
                      : op == Op::kMin ? INFINITY
                                       : 0.0;
  std::vector<double> out(outputs, init);
  for (int64_t flat = 0; flat < static_cast<int64_t>(in.size()); ++flat) {
    int64_t r = flat, o = 0, step = 1;
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t c = r % shape[d];
      r /= shape[d];
      if (!(mask >> d & 1)) o += c * step;
      step *= oshape[d];
    }
    const double v = in[flat];
    switch (op) {
      case Op::kSum: case Op::kMean: out[o] += v; break;
      case Op::kMax: out[o] = std::max(out[o], v); break;
      case Op::kMin: out[o] = std::min(out[o], v); break;
      case Op::kProd: out[o] *= v; break;
    }
  }
  if (op == Op::kMean) {
    for (double& v : out) v /= static_cast<double>(count);
  }
  return out;
}

const char* Name(Op op) {
  switch (op) {
    case Op::kSum: return "Sum";
    case Op::kMean: return "Mean";
    case Op::kMax: return "Max";
    case Op::kMin: return "Min";
    case Op::kProd: return "Prod";
  }
  return "";
}

TEST(DynamicReductionTest, EveryAxisSubsetAgainstNaiveLoops) {
  const std::vector<int64_t> shape = {3, 4, 5};
  std::vector<double> x(60);
  for (int i = 0; i < 60; ++i) x[i] = 0.5 + 0.25 * ((i * 7) % 11) - (i % 3);
  for (Op op : {Op::kSum, Op::kMean, Op::kMax, Op::kMin, Op::kProd}) {
    for (unsigned mask = 1; mask < 8; ++mask) {
      for (bool keep : {false, true}) {
        std::vector<int64_t> axes;
        std::vector<int64_t> kept_shape, dropped_shape;
        for (int d = 0; d < 3; ++d) {
          if (mask >> d & 1) axes.push_back(mask == 7 ? d - 3 : d);  // negatives too
          kept_shape.push_back((mask >> d & 1) ? 1 : shape[d]);
          if (!(mask >> d & 1)) dropped_shape.push_back(shape[d]);
        }
        const std::vector<double> want = Naive(x, shape, mask, op);
        const TensorShape out_shape(keep ? kept_shape : dropped_shape);
        const int64_t n = static_cast<int64_t>(axes.size());
        // float64, int64 axes.
        auto f64 = RunKernelUnshaped(std::string("Dynamic") + Name(op),
                                     {T_<double>(x, {3, 4, 5}), T_<int64_t>(axes, {n})},
                                     {{"keep_dims", keep}, {"noop_with_empty_axes", false}});
        ASSERT_TRUE(f64.ok()) << Name(op) << " mask " << mask << ": " << f64.status();
        testing::ExpectTensorNear((*f64)[0], T_<double>(want, out_shape), 1e-12, 1e-12);
        // float32, int32 axes.
        std::vector<float> xf(x.begin(), x.end());
        std::vector<float> wf(want.begin(), want.end());
        std::vector<int32_t> axes32(axes.begin(), axes.end());
        auto f32 = RunKernelUnshaped(std::string("Dynamic") + Name(op),
                                     {T_<float>(xf, {3, 4, 5}), T_<int32_t>(axes32, {n})},
                                     {{"keep_dims", keep}, {"noop_with_empty_axes", false}});
        ASSERT_TRUE(f32.ok()) << Name(op) << " mask " << mask << ": " << f32.status();
        testing::ExpectTensorNear((*f32)[0], T_<float>(wf, out_shape), 1e-4, 1e-5);
        // The attr-built reduction on float64 agrees with the same loop.
        auto fixed = RunKernel(Name(op), {T_<double>(x, {3, 4, 5})},
                               {{"axis", axes}, {"keep_dims", keep}});
        ASSERT_TRUE(fixed.ok()) << Name(op) << " mask " << mask << ": " << fixed.status();
        testing::ExpectTensorNear((*fixed)[0], T_<double>(want, out_shape), 1e-12, 1e-12);
        if (::testing::Test::HasFailure()) FAIL() << Name(op) << " mask " << mask;
      }
    }
  }
}

TEST(DynamicReductionTest, EmptyAxesReduceEverythingOrPassThrough) {
  const std::vector<int64_t> x = {1, 2, 3, 4, 5, 6};
  auto all = RunKernelUnshaped("DynamicSum", {T_<int64_t>(x, {2, 3}), T_<int64_t>({}, {0})},
                               {{"keep_dims", true}, {"noop_with_empty_axes", false}});
  ASSERT_TRUE(all.ok()) << all.status();
  testing::ExpectTensorEq((*all)[0], T_<int64_t>({21}, {1, 1}));
  auto noop = RunKernelUnshaped("DynamicSum", {T_<int64_t>(x, {2, 3}), T_<int64_t>({}, {0})},
                                {{"keep_dims", true}, {"noop_with_empty_axes", true}});
  ASSERT_TRUE(noop.ok()) << noop.status();
  testing::ExpectTensorEq((*noop)[0], T_<int64_t>(x, {2, 3}));
}

TEST(DynamicReductionTest, BadAxesNameTheNode) {
  const Tensor x = T_<float>(std::vector<float>(6, 1.0f), {2, 3});
  auto range = RunKernelUnshaped("DynamicSum", {x, T_<int64_t>({2}, {1})},
                                 {{"keep_dims", false}, {"noop_with_empty_axes", false}});
  ASSERT_FALSE(range.ok());
  EXPECT_THAT(range.status().message(), HasSubstr("DynamicSum '"));
  EXPECT_THAT(range.status().message(), HasSubstr("2"));
  auto rank = RunKernelUnshaped("DynamicMax", {x, T_<int64_t>({0}, {1, 1})},
                                {{"keep_dims", false}, {"noop_with_empty_axes", false}});
  ASSERT_FALSE(rank.ok());
  EXPECT_THAT(rank.status().message(), HasSubstr("axes must be rank 1"));
}

}  // namespace
}  // namespace graphrt
