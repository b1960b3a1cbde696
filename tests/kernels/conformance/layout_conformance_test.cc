// Conformance of the layout kernels (Pad, PadV2, SliceLike, ConcatV2,
// SplitLike, Transpose, Squeeze), Sqrt/Rsqrt/Square and the stateless
// uniform (bit for bit: the GPU must draw the CPU's values) on every device,
// against naive coordinate references written here. See conformance.h.
#include <cmath>
#include <vector>

#include "core/graph/ops/layout_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/random_ops.h"
#include "kernels/common/philox.h"
#include "tests/kernels/conformance/conformance.h"

namespace graphrt::conformance {
namespace {

GRAPHRT_CONFORMANCE_SUITE(LayoutConformance);

std::vector<int64_t> Coords(const TensorShape& s, int64_t i) {
  std::vector<int64_t> c(s.rank());
  for (int d = s.rank() - 1; d >= 0; --d) {
    c[d] = i % s.dim(d);
    i /= s.dim(d);
  }
  return c;
}

int64_t Flat(const TensorShape& s, const std::vector<int64_t>& c) {
  int64_t i = 0;
  for (int d = 0; d < s.rank(); ++d) i = i * s.dim(d) + c[d];
  return i;
}

TensorShape Shape(const std::vector<int64_t>& dims) {
  return TensorShape(std::span<const int64_t>(dims));
}

Tensor RefPad(const Tensor& x, const std::vector<int64_t>& pads, double fill) {
  std::vector<int64_t> dims;
  for (int d = 0; d < x.shape().rank(); ++d) {
    dims.push_back(x.shape().dim(d) + pads[2 * d] + pads[2 * d + 1]);
  }
  const TensorShape out = Shape(dims);
  return MakeTensor(x.dtype(), out, [&](int64_t i) {
    std::vector<int64_t> c = Coords(out, i);
    for (int d = 0; d < out.rank(); ++d) {
      c[d] -= pads[2 * d];
      if (c[d] < 0 || c[d] >= x.shape().dim(d)) return fill;
    }
    return ValueAt(x, Flat(x.shape(), c));
  });
}

Tensor RefTranspose(const Tensor& x, const std::vector<int64_t>& perm) {
  std::vector<int64_t> dims;
  for (int64_t p : perm) dims.push_back(x.shape().dim(static_cast<int>(p)));
  const TensorShape out = Shape(dims);
  return MakeTensor(x.dtype(), out, [&](int64_t i) {
    const std::vector<int64_t> c = Coords(out, i);
    std::vector<int64_t> src(c.size());
    for (size_t d = 0; d < c.size(); ++d) src[perm[d]] = c[d];
    return ValueAt(x, Flat(x.shape(), src));
  });
}

TEST_P(LayoutConformance, PadNhwcImages) {
  Case c;
  const std::vector<int64_t> pads = {0, 0, 2, 1, 1, 2, 0, 0};
  c.inputs = {RandomTensor({3, 17, 19, 5}, 1)};
  c.build = [pads](GraphBuilder&, const Inputs& in) { return Fetches{ops::Pad(in[0], pads, "op")}; };
  c.expected = {RefPad(c.inputs[0], pads, 0)};
  RunCase(c);
}

TEST_P(LayoutConformance, PadV2Int64WithConstant) {
  Case c;
  const std::vector<int64_t> pads = {1, 0, 0, 3};
  c.inputs = {RandomInts(DataType::kInt64, {4, 6}, 2, -1000, 1000),
              Tensor::Scalar<int64_t>(-77)};
  c.build = [pads](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::PadV2(in[0], pads, in[1], "op")};
  };
  c.expected = {RefPad(c.inputs[0], pads, -77)};
  RunCase(c);
}

TEST_P(LayoutConformance, SliceLikeBox) {
  Case c;
  c.inputs = {RandomTensor({6, 7, 8}, 3), Tensor(DataType::kFloat32, {3, 4, 2})};
  c.build = [](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::SliceLike(in[0], in[1], {2, 1, 5}, "op")};
  };
  const Tensor& x = c.inputs[0];
  c.expected = {MakeTensor(DataType::kFloat32, {3, 4, 2}, [&](int64_t i) {
    std::vector<int64_t> k = Coords({3, 4, 2}, i);
    return ValueAt(x, Flat(x.shape(), {k[0] + 2, k[1] + 1, k[2] + 5}));
  })};
  RunCase(c);
}

TEST_P(LayoutConformance, ConcatAndSplitAlongTheLastAxis) {
  Case c;
  c.inputs = {RandomTensor({5, 3}, 4), RandomTensor({5, 0}, 5), RandomTensor({5, 7}, 6)};
  c.build = [](GraphBuilder&, const Inputs& in) {
    Output joined = ops::ConcatV2(in, -1, "op");
    std::vector<Output> pieces = ops::SplitLike(joined, in, 1, "split");
    return Fetches{joined, pieces[0], pieces[2]};
  };
  Tensor joined = MakeTensor(DataType::kFloat32, {5, 10}, [&](int64_t i) {
    const int64_t r = i / 10, k = i % 10;
    return k < 3 ? ValueAt(c.inputs[0], r * 3 + k) : ValueAt(c.inputs[2], r * 7 + k - 3);
  });
  c.expected = {joined, c.inputs[0], c.inputs[2]};
  RunCase(c);
}

TEST_P(LayoutConformance, ConcatInt32AlongTheFirstAxis) {
  Case c;
  c.inputs = {RandomInts(DataType::kInt32, {2, 4}, 7, -9, 9),
              RandomInts(DataType::kInt32, {3, 4}, 8, -9, 9)};
  c.build = [](GraphBuilder&, const Inputs& in) { return Fetches{ops::ConcatV2(in, 0, "op")}; };
  c.expected = {MakeTensor(DataType::kInt32, {5, 4}, [&](int64_t i) {
    return i < 8 ? ValueAt(c.inputs[0], i) : ValueAt(c.inputs[1], i - 8);
  })};
  RunCase(c);
}

TEST_P(LayoutConformance, TransposeNhwcToNchwAndMatrix) {
  Case c;
  c.inputs = {RandomTensor({2, 9, 11, 3}, 9), RandomTensor({67, 45}, 10)};
  c.build = [](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::Transpose(in[0], {0, 3, 1, 2}, "op"), ops::Transpose(in[1], {1, 0})};
  };
  c.expected = {RefTranspose(c.inputs[0], {0, 3, 1, 2}), RefTranspose(c.inputs[1], {1, 0})};
  RunCase(c);
}

TEST_P(LayoutConformance, TransposeRankFive) {
  Case c;
  c.inputs = {RandomTensor({2, 3, 4, 5, 6}, 11)};
  c.build = [](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::Transpose(in[0], {4, 1, 3, 0, 2}, "op")};
  };
  c.expected = {RefTranspose(c.inputs[0], {4, 1, 3, 0, 2})};
  RunCase(c);
}

TEST_P(LayoutConformance, Squeeze) {
  Case c;
  c.inputs = {RandomTensor({1, 4, 1, 3}, 12)};
  c.build = [](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::Squeeze(in[0], {}, "op"), ops::Squeeze(in[0], {-2})};
  };
  Tensor all = c.inputs[0], one = c.inputs[0];
  c.expected = {*all.Reshaped({4, 3}), *one.Reshaped({1, 4, 3})};
  RunCase(c);
}

TEST_P(LayoutConformance, SqrtRsqrtSquare) {
  Case c;
  c.inputs = {RandomTensor({9, 33}, 13, 0.01f, 100)};
  c.build = [](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::Sqrt(in[0], "op"), ops::Rsqrt(in[0]), ops::Square(in[0])};
  };
  c.expected = {RefUnary(c.inputs[0], [](double x) { return std::sqrt(x); }),
                RefUnary(c.inputs[0], [](double x) { return 1 / std::sqrt(x); }),
                RefUnary(c.inputs[0], [](double x) { return x * x; })};
  RunCase(c);
}

// Exact (the tolerance only admits equal values): every device draws the
// Philox stream of the seed.
TEST_P(LayoutConformance, StatelessUniformIsTheSameStreamEverywhere) {
  Case c;
  c.inputs = {Tensor(DataType::kFloat32, {129, 31}), Tensor::FromVector<int64_t>({-3, 12})};
  c.build = [](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::StatelessRandomUniformLike(in[0], in[1], "op")};
  };
  c.expected = {MakeTensor(DataType::kFloat32, {129, 31}, [](int64_t i) {
    const philox::Block b = philox::UniformBlock(static_cast<uint64_t>(i / 4),
                                                 static_cast<uint64_t>(int64_t{-3}), 12);
    return static_cast<double>(b.v[i % 4] >> 8) / 16777216.0;
  })};
  c.tol = {0, 0};
  RunCase(c);
}

}  // namespace
}  // namespace graphrt::conformance
