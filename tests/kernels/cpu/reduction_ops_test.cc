// Tests for kernels/cpu/reduction_ops.cc and kernels/common/reduction_shape.h:
// PlanReduction's grouping; Sum, Mean
// and Max by hand and for every axis subset of small tensors (each dtype,
// keep_dims on and off) against a naive loop in double; large inputs on each
// path with 1 and 2 threads; float accuracy; empty reductions; NaN; integer
// wrap-around; ArgMax by hand and against a loop; and the errors.
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/common/reduction_shape.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::RunKernelUnshaped;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;

template <typename T>
Tensor Random(const TensorShape& shape, uint32_t seed) {
  std::mt19937 gen(seed);
  Tensor t(DataTypeOf<T>(), shape);
  if constexpr (std::is_floating_point_v<T>) {
    std::uniform_real_distribution<float> dist(-10.0f, 10.0f);
    for (T& v : t.flat<T>()) v = dist(gen);
  } else {
    std::uniform_int_distribution<int> dist(-100, 100);
    for (T& v : t.flat<T>()) v = static_cast<T>(dist(gen));
  }
  return t;
}

// Sum, Mean or Max of `x` over `axes` (empty: all) by visiting every element.
template <typename T>
Tensor Reference(const std::string& op, const Tensor& x, std::vector<int64_t> axes,
                 bool keep_dims) {
  const int rank = x.rank();
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes) reduced[a < 0 ? a + rank : a] = true;
  TensorShape shape;
  int64_t count = 1;
  for (int i = 0; i < rank; ++i) {
    if (!reduced[i]) shape.AddDim(x.dim(i));
    if (reduced[i]) count *= x.dim(i);
    if (reduced[i] && keep_dims) shape.AddDim(1);
  }
  std::vector<double> acc(shape.num_elements(),
                          op == "Max" ? -std::numeric_limits<double>::infinity() : 0.0);
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    int64_t out = 0, scale = 1, rest = i;
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t coord = rest % x.dim(d);
      rest /= x.dim(d);
      if (!reduced[d]) {
        out += coord * scale;
        scale *= x.dim(d);
      }
    }
    const double v = static_cast<double>(x.data<T>()[i]);
    acc[out] = op == "Max" ? std::max(acc[out], v) : acc[out] + v;
  }
  Tensor result(DataTypeOf<T>(), shape);
  for (int64_t o = 0; o < shape.num_elements(); ++o) {
    double v = acc[o];
    if (op == "Mean") {
      v = std::is_floating_point_v<T> ? v / count
                                      : static_cast<double>(static_cast<int64_t>(v) / count);
    }
    result.data<T>()[o] = static_cast<T>(v);
  }
  return result;
}

TEST(ReductionPlanTest, GroupsMergeAndDropOnes) {
  auto plan = PlanReduction(TensorShape{4, 1, 5, 6}, std::vector<int64_t>{2, -1}, false);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->output, (TensorShape{4, 1}));
  ASSERT_EQ(plan->groups.size(), 2u);
  EXPECT_EQ(plan->groups[0].size, 4);
  EXPECT_FALSE(plan->groups[0].reduced);
  EXPECT_EQ(plan->groups[1].size, 30);
  EXPECT_TRUE(plan->groups[1].reduced);
  EXPECT_EQ(plan->reduced_count, 30);
  auto kept = PlanReduction(TensorShape{4, 1, 5, 6}, std::vector<int64_t>{0, 1}, true);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->output, (TensorShape{1, 1, 5, 6}));
  auto all = PlanReduction(TensorShape{2, 3}, {}, false);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->output, TensorShape{});
  EXPECT_EQ(all->reduced_count, 6);
  auto bad = PlanReduction(TensorShape{2, 3}, std::vector<int64_t>{2}, false);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("[2,3]"));
}

TEST(SumOpTest, MatrixByHand) {
  Tensor x = T_<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  auto all = RunKernel("Sum", {x});
  ASSERT_TRUE(all.ok()) << all.status();
  ExpectTensorEq((*all)[0], Tensor::Scalar<float>(21));
  auto cols = RunKernel("Sum", {x}, {{"axis", std::vector<int64_t>{0}}});
  ASSERT_TRUE(cols.ok());
  ExpectTensorEq((*cols)[0], T_<float>({5, 7, 9}, {3}));
  auto rows = RunKernel("Sum", {x}, {{"axis", std::vector<int64_t>{-1}}, {"keep_dims", true}});
  ASSERT_TRUE(rows.ok());
  ExpectTensorEq((*rows)[0], T_<float>({6, 15}, {2, 1}));
  auto mean = RunKernel("Mean", {x}, {{"axis", std::vector<int64_t>{1}}});
  ASSERT_TRUE(mean.ok());
  ExpectTensorEq((*mean)[0], T_<float>({2, 5}, {2}));
  auto max = RunKernel("Max", {T_<int32_t>({1, -7, 3, -4, -5, -6}, {2, 3})},
                       {{"axis", std::vector<int64_t>{1}}});
  ASSERT_TRUE(max.ok());
  ExpectTensorEq((*max)[0], T_<int32_t>({3, -4}, {2}));
  auto scalar = RunKernel("Mean", {Tensor::Scalar<float>(2.5f)});
  ASSERT_TRUE(scalar.ok());
  ExpectTensorEq((*scalar)[0], Tensor::Scalar<float>(2.5f));
}

template <typename T>
void CheckEveryAxisSubset(const TensorShape& shape) {
  const Tensor x = Random<T>(shape, 11);
  for (int mask = 0; mask < (1 << shape.rank()); ++mask) {
    std::vector<int64_t> axes;
    for (int i = 0; i < shape.rank(); ++i) {
      // Alternate positive and negative spellings of the same axis.
      if (mask >> i & 1) axes.push_back(axes.size() % 2 == 0 ? i : i - shape.rank());
    }
    if (mask == 0) axes = {};  // "all axes"
    for (bool keep_dims : {false, true}) {
      for (const char* op : {"Sum", "Mean", "Max"}) {
        SCOPED_TRACE(absl::StrCat(op, " ", x.ShapeString(), " axes [", absl::StrJoin(axes, ","),
                                  "] keep_dims=", keep_dims));
        auto out = RunKernel(op, {x}, {{"axis", axes}, {"keep_dims", keep_dims}});
        ASSERT_TRUE(out.ok()) << out.status();
        ExpectTensorNear((*out)[0], Reference<T>(op, x, axes, keep_dims), 1e-5, 1e-5);
      }
    }
  }
}

TEST(ReductionOpsTest, EveryAxisSubsetMatchesReference) {
  for (const TensorShape& shape : {TensorShape{3, 4, 5, 6}, TensorShape{3, 1, 4, 5},
                                   TensorShape{7, 9}, TensorShape{5}}) {
    CheckEveryAxisSubset<float>(shape);
    CheckEveryAxisSubset<int32_t>(shape);
    CheckEveryAxisSubset<int64_t>(shape);
  }
}

TEST(ReductionOpsTest, LargeInputsOnEveryPathAgreeAcrossThreads) {
  struct Case {
    TensorShape shape;
    std::vector<int64_t> axes;
  };
  const std::vector<Case> cases = {
      {{1000, 1000}, {0}},           // leading: column accumulators
      {{1000, 1000}, {1}},           // trailing: rows
      {{1000, 1000}, {}},            // everything
      {{200000, 3}, {0}},            // leading, few columns: row chunks
      {{3, 100000}, {1}},            // trailing, few long rows: chunks
      {{4, 20000, 3}, {1}},          // middle, row chunks
      {{2, 30, 5000}, {1}},          // middle, one chunk
      {{64, 50, 64, 20}, {0, 2}},    // general
  };
  for (const Case& c : cases) {
    const Tensor x = Random<float>(c.shape, 12);
    for (const char* op : {"Sum", "Mean", "Max"}) {
      SCOPED_TRACE(absl::StrCat(op, " ", x.ShapeString(), " axes [", absl::StrJoin(c.axes, ","),
                                "]"));
      const Tensor expected = Reference<float>(op, x, c.axes, false);
      std::vector<Tensor> results;
      for (int threads : {1, 2}) {
        testing::KernelRunOptions options;
        options.intra_threads = threads;
        auto out = RunKernel(op, {x}, {{"axis", c.axes}}, options);
        ASSERT_TRUE(out.ok()) << out.status();
        ExpectTensorNear((*out)[0], expected, 1e-3, 1e-5);
        results.push_back((*out)[0]);
      }
      ExpectTensorEq(results[0], results[1]);
    }
  }
}

TEST(SumOpTest, MillionTenthsAreAccurate) {
  const Tensor x = Tensor::FromVector(std::vector<float>(1'000'000, 0.1f));
  auto sum = RunKernel("Sum", {x});
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_NEAR(sum.value()[0].scalar<float>(), 1e5, 1e5 * 1e-6);
  auto mean = RunKernel("Mean", {x});
  ASSERT_TRUE(mean.ok());
  EXPECT_NEAR(mean.value()[0].scalar<float>(), 0.1, 1e-7);
}

TEST(ReductionOpsTest, EmptyReductions) {
  const Tensor x(DataType::kFloat32, {0, 3});
  const AttrMap rows = {{"axis", std::vector<int64_t>{0}}};
  auto sum = RunKernel("Sum", {x}, rows);
  ASSERT_TRUE(sum.ok()) << sum.status();
  ExpectTensorEq((*sum)[0], T_<float>({0, 0, 0}, {3}));
  auto mean = RunKernel("Mean", {x}, rows);
  ASSERT_TRUE(mean.ok()) << mean.status();
  for (float v : (*mean)[0].flat<float>()) EXPECT_TRUE(std::isnan(v));
  auto max = RunKernel("Max", {x}, rows);
  ASSERT_EQ(max.status().code(), absl::StatusCode::kInvalidArgument) << max.status();
  EXPECT_THAT(max.status().message(), HasSubstr("float32[0,3]"));
  auto int_mean = RunKernel("Mean", {Tensor(DataType::kInt32, {0, 3})}, rows);
  EXPECT_EQ(int_mean.status().code(), absl::StatusCode::kInvalidArgument) << int_mean.status();
  // Nothing to produce: no error, even for Max.
  auto empty_out = RunKernel("Max", {x}, {{"axis", std::vector<int64_t>{1}}});
  ASSERT_TRUE(empty_out.ok()) << empty_out.status();
  EXPECT_EQ((*empty_out)[0].shape(), (TensorShape{0}));
}

TEST(MaxOpTest, NanPropagates) {
  auto out = RunKernel("Max", {T_<float>({1, NAN, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {11})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(std::isnan((*out)[0].scalar<float>()));
  auto cols = RunKernel("Max", {T_<float>({1, 2, NAN, 0}, {2, 2})},
                        {{"axis", std::vector<int64_t>{0}}});
  ASSERT_TRUE(cols.ok());
  EXPECT_TRUE(std::isnan((*cols)[0].flat<float>()[0]));
  EXPECT_EQ((*cols)[0].flat<float>()[1], 2.0f);
}

TEST(SumOpTest, IntegersWrapAndMeanTruncates) {
  const int32_t big = std::numeric_limits<int32_t>::max();
  auto sum = RunKernel("Sum", {T_<int32_t>({big, 1}, {2})});
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_EQ((*sum)[0].scalar<int32_t>(), std::numeric_limits<int32_t>::min());
  auto mean = RunKernel("Mean", {T_<int64_t>({-1, -2, 1, 2}, {2, 2})},
                        {{"axis", std::vector<int64_t>{1}}});
  ASSERT_TRUE(mean.ok());
  ExpectTensorEq((*mean)[0], T_<int64_t>({-1, 1}, {2}));
}

TEST(ReductionOpsTest, AxisOutOfRangeIsInvalid) {
  auto out = RunKernelUnshaped("Sum", {T_<float>({1, 2}, {2})},
                               {{"axis", std::vector<int64_t>{1}}, {"keep_dims", false}});
  ASSERT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
  EXPECT_THAT(out.status().message(), HasSubstr("axis 1"));
}

// ArgMax along `axis` by a loop; NaN first wins, ties keep the first index.
template <typename Out>
Tensor ReferenceArgMax(const Tensor& x, int axis) {
  int64_t outer = 1, inner = 1;
  TensorShape shape;
  for (int i = 0; i < x.rank(); ++i) {
    if (i < axis) outer *= x.dim(i);
    if (i > axis) inner *= x.dim(i);
    if (i != axis) shape.AddDim(x.dim(i));
  }
  Tensor result(DataTypeOf<Out>(), shape);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t c = 0; c < inner; ++c) {
      int64_t best = 0;
      for (int64_t r = 1; r < x.dim(axis); ++r) {
        const float v = x.data<float>()[(o * x.dim(axis) + r) * inner + c];
        const float b = x.data<float>()[(o * x.dim(axis) + best) * inner + c];
        if (v > b || (std::isnan(v) && !std::isnan(b))) best = r;
      }
      result.data<Out>()[o * inner + c] = static_cast<Out>(best);
    }
  }
  return result;
}

TEST(ArgMaxOpTest, ByHandWithTies) {
  Tensor x = T_<float>({1, 5, 5, 7, 2, 7}, {2, 3});
  auto rows = RunKernel("ArgMax", {x}, {{"axis", int64_t{1}}, {"output_type", DataType::kInt64}});
  ASSERT_TRUE(rows.ok()) << rows.status();
  ExpectTensorEq((*rows)[0], T_<int64_t>({1, 0}, {2}));
  auto cols = RunKernel("ArgMax", {x}, {{"axis", int64_t{-2}}, {"output_type", DataType::kInt32}});
  ASSERT_TRUE(cols.ok()) << cols.status();
  ExpectTensorEq((*cols)[0], T_<int32_t>({1, 0, 1}, {3}));
  auto ints = RunKernel("ArgMax", {T_<int64_t>({-3, -1, -2}, {3})},
                        {{"output_type", DataType::kInt32}});
  ASSERT_TRUE(ints.ok()) << ints.status();
  ExpectTensorEq((*ints)[0], Tensor::Scalar<int32_t>(1));
  auto nan = RunKernel("ArgMax", {T_<float>({1, NAN, 9, NAN}, {4})},
                       {{"output_type", DataType::kInt32}});
  ASSERT_TRUE(nan.ok());
  ExpectTensorEq((*nan)[0], Tensor::Scalar<int32_t>(1));
  auto nan_cols = RunKernel("ArgMax", {T_<float>({1, 2, NAN, 0, NAN, 5, -INFINITY, 9}, {4, 2})},
                            {{"output_type", DataType::kInt32}});
  ASSERT_TRUE(nan_cols.ok());
  ExpectTensorEq((*nan_cols)[0], T_<int32_t>({1, 3}, {2}));
  auto all_low = RunKernel("ArgMax", {T_<float>({-INFINITY, -INFINITY}, {2})},
                           {{"output_type", DataType::kInt64}});
  ASSERT_TRUE(all_low.ok());
  ExpectTensorEq((*all_low)[0], Tensor::Scalar<int64_t>(0));
}

TEST(ArgMaxOpTest, EveryAxisMatchesReference) {
  for (const TensorShape& shape : {TensorShape{4, 5, 6}, TensorShape{3, 7, 600},
                                   TensorShape{20000, 3}, TensorShape{2, 30000}}) {
    // Few distinct values, so ties are common.
    Tensor x(DataType::kFloat32, shape);
    std::mt19937 gen(13);
    for (float& v : x.flat<float>()) v = static_cast<float>(gen() % 5);
    for (int axis = 0; axis < shape.rank(); ++axis) {
      SCOPED_TRACE(absl::StrCat(x.ShapeString(), " axis ", axis));
      auto out = RunKernel("ArgMax", {x}, {{"axis", int64_t{axis}},
                                           {"output_type", DataType::kInt32}});
      ASSERT_TRUE(out.ok()) << out.status();
      ExpectTensorEq((*out)[0], ReferenceArgMax<int32_t>(x, axis));
    }
  }
}

TEST(ArgMaxOpTest, Errors) {
  auto empty = RunKernel("ArgMax", {Tensor(DataType::kFloat32, {0, 3})},
                         {{"output_type", DataType::kInt64}});
  ASSERT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument) << empty.status();
  EXPECT_THAT(empty.status().message(), HasSubstr("float32[0,3]"));
  auto range = RunKernelUnshaped("ArgMax", {T_<float>({1, 2}, {2})},
                                 {{"axis", int64_t{1}}, {"output_type", DataType::kInt64}});
  ASSERT_EQ(range.status().code(), absl::StatusCode::kInvalidArgument) << range.status();
  EXPECT_THAT(range.status().message(), HasSubstr("axis 1"));
  auto scalar = RunKernelUnshaped("ArgMax", {Tensor::Scalar<float>(1)},
                                  {{"axis", int64_t{0}}, {"output_type", DataType::kInt64}});
  EXPECT_EQ(scalar.status().code(), absl::StatusCode::kInvalidArgument) << scalar.status();
}

}  // namespace
}  // namespace graphrt
