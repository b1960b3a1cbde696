// Conformance of reductions (Sum, Mean, Max over different axes, with and
// without keep_dims), ReduceSumLike, BroadcastLike and ArgMax. See
// conformance.h.
#include <cmath>
#include <vector>

#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/math_ops.h"
#include "tests/kernels/conformance/conformance.h"

namespace graphrt::conformance {
namespace {

GRAPHRT_CONFORMANCE_SUITE(ReductionConformance);

using ReduceFn = Output (*)(Output, ops::ReduceAttrs, absl::string_view);

Case Reduce(ReduceFn op, Reduction r, const TensorShape& shape, std::vector<int64_t> axes,
            bool keep_dims, uint32_t seed) {
  Case c;
  c.inputs = {RandomTensor(shape, seed)};
  c.expected = {RefReduce(c.inputs[0], axes, keep_dims, r)};
  c.build = [op, axes, keep_dims](GraphBuilder&, const Inputs& in) {
    return Fetches{op(in[0], {.axis = axes, .keep_dims = keep_dims}, "op")};
  };
  // Max selects an element (no rounding at all); a mean
  // divides the sum's rounding by the count.
  const int64_t out = std::max<int64_t>(1, c.expected[0].num_elements());
  c.tol = r == Reduction::kSum    ? SumTolerance(shape.num_elements() / out)
          : r == Reduction::kMean ? kAccumulating
                                  : kElementwise;
  return c;
}

TEST_P(ReductionConformance, SumAll) {
  RunCase(Reduce(ops::Sum, Reduction::kSum, {5, 7, 9}, {}, false, 1));
}
TEST_P(ReductionConformance, SumAllKeepDims) {
  RunCase(Reduce(ops::Sum, Reduction::kSum, {5, 7, 9}, {}, true, 2));
}
TEST_P(ReductionConformance, SumAxis0) {
  RunCase(Reduce(ops::Sum, Reduction::kSum, {5, 7, 9}, {0}, false, 3));
}
TEST_P(ReductionConformance, SumAxis1KeepDims) {
  RunCase(Reduce(ops::Sum, Reduction::kSum, {5, 7, 9}, {1}, true, 4));
}
TEST_P(ReductionConformance, SumLastAxisNegative) {
  RunCase(Reduce(ops::Sum, Reduction::kSum, {5, 7, 9}, {-1}, false, 5));
}
TEST_P(ReductionConformance, SumOuterAxes0And2) {
  RunCase(Reduce(ops::Sum, Reduction::kSum, {5, 7, 9}, {0, 2}, false, 6));
}
TEST_P(ReductionConformance, SumLargeRows) {
  RunCase(Reduce(ops::Sum, Reduction::kSum, {256, 4099}, {1}, false, 7));
}
TEST_P(ReductionConformance, SumLargeColumns) {
  RunCase(Reduce(ops::Sum, Reduction::kSum, {4099, 256}, {0}, false, 8));
}
TEST_P(ReductionConformance, SumMillionToScalar) {
  RunCase(Reduce(ops::Sum, Reduction::kSum, {1024, 1024}, {}, false, 9));
}
TEST_P(ReductionConformance, MeanAll) {
  RunCase(Reduce(ops::Mean, Reduction::kMean, {6, 11}, {}, false, 10));
}
TEST_P(ReductionConformance, MeanAxis1KeepDims) {
  RunCase(Reduce(ops::Mean, Reduction::kMean, {6, 11, 3}, {1}, true, 11));
}
TEST_P(ReductionConformance, MaxAxis0) {
  RunCase(Reduce(ops::Max, Reduction::kMax, {8, 13}, {0}, false, 12));
}
TEST_P(ReductionConformance, MaxAxes1And2KeepDims) {
  RunCase(Reduce(ops::Max, Reduction::kMax, {4, 5, 6}, {1, 2}, true, 13));
}

TEST_P(ReductionConformance, ReduceSumLike) {
  Case c;
  c.inputs = {RandomTensor({4, 6, 5}, 14), RandomTensor({6, 1}, 15)};
  c.build = [](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::ReduceSumLike(in[0], in[1], "op")};
  };
  std::vector<double> acc(6, 0.0);
  for (int64_t i = 0; i < c.inputs[0].num_elements(); ++i) {
    acc[BroadcastIndex(c.inputs[1].shape(), c.inputs[0].shape(), i)] += ValueAt(c.inputs[0], i);
  }
  c.expected = {MakeTensor(DataType::kFloat32, {6, 1}, [&](int64_t i) { return acc[i]; })};
  c.tol = SumTolerance(20);
  RunCase(c);
}

TEST_P(ReductionConformance, BroadcastLike) {
  Case c;
  c.inputs = {RandomTensor({6, 1}, 16), RandomTensor({4, 6, 5}, 17)};
  c.build = [](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::BroadcastLike(in[0], in[1], "op")};
  };
  const TensorShape out = c.inputs[1].shape();
  c.expected = {MakeTensor(DataType::kFloat32, out, [&](int64_t i) {
    return ValueAt(c.inputs[0], BroadcastIndex(c.inputs[0].shape(), out, i));
  })};
  RunCase(c);
}

// Random floats have no ties; the index must match exactly.
Case ArgMax(const TensorShape& shape, int64_t axis, DataType out_type, uint32_t seed) {
  Case c;
  c.inputs = {RandomTensor(shape, seed)};
  c.build = [axis, out_type](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::ArgMax(in[0], axis, out_type, "op")};
  };
  const Tensor& x = c.inputs[0];
  const int a = static_cast<int>(axis < 0 ? axis + shape.rank() : axis);
  int64_t outer = 1, inner = 1;
  std::vector<int64_t> out_dims;
  for (int d = 0; d < shape.rank(); ++d) {
    if (d < a) outer *= shape.dim(d);
    if (d > a) inner *= shape.dim(d);
    if (d != a) out_dims.push_back(shape.dim(d));
  }
  c.expected = {MakeTensor(out_type, TensorShape(out_dims), [&](int64_t i) {
    const int64_t o = i / inner, in = i % inner;
    int64_t best = 0;
    for (int64_t k = 1; k < shape.dim(a); ++k) {
      if (ValueAt(x, (o * shape.dim(a) + k) * inner + in) >
          ValueAt(x, (o * shape.dim(a) + best) * inner + in)) {
        best = k;
      }
    }
    return static_cast<double>(best);
  })};
  return c;
}

TEST_P(ReductionConformance, ArgMaxLastAxisInt64) {
  RunCase(ArgMax({32, 10}, 1, DataType::kInt64, 18));
}
TEST_P(ReductionConformance, ArgMaxAxis0Int32) {
  RunCase(ArgMax({17, 9}, 0, DataType::kInt32, 19));
}
TEST_P(ReductionConformance, ArgMaxMiddleAxisRank3) {
  RunCase(ArgMax({3, 50, 4}, 1, DataType::kInt64, 20));
}

}  // namespace
}  // namespace graphrt::conformance
