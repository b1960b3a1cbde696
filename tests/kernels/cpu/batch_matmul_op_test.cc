// Tests for BatchMatMulV2 (kernels/cpu/batch_matmul_op.cc) against a triple
// loop per batch written here: equal batches, numpy broadcasting (missing
// and size-1 batch dims on either side), adj_x / adj_y, float64, k == 0 and
// empty batches; mismatched shapes are named.
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::RandomFloats;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::ValueAt;
using ::testing::HasSubstr;
using Ints = std::vector<int64_t>;

// x [bx..., m, k] (or [.., k, m] with adj_x), y likewise; the batch of the
// output is the numpy broadcast of bx and by.
Tensor Reference(const Tensor& x, const Tensor& y, bool adj_x, bool adj_y, DataType dtype) {
  const int rx = x.rank(), ry = y.rank();
  const int64_t m = x.dim(adj_x ? rx - 1 : rx - 2), k = x.dim(adj_x ? rx - 2 : rx - 1);
  const int64_t n = y.dim(adj_y ? ry - 2 : ry - 1);
  const int rb = std::max(rx, ry) - 2;
  Ints batch(rb);
  for (int i = 0; i < rb; ++i) {
    const int ix = i - (rb - (rx - 2)), iy = i - (rb - (ry - 2));
    batch[i] = std::max(ix >= 0 ? x.dim(ix) : 1, iy >= 0 ? y.dim(iy) : 1);
  }
  Ints out_dims = batch;
  out_dims.push_back(m);
  out_dims.push_back(n);
  Tensor out(dtype, TensorShape(out_dims));
  int64_t batches = 1;
  for (int64_t b : batch) batches *= b;
  for (int64_t b = 0; b < batches; ++b) {
    // The batch index, digit by digit; each input reads index 0 where its dim is 1.
    int64_t xb = 0, yb = 0, rest = b, xs = 1, ys = 1;
    for (int i = rb - 1; i >= 0; --i) {
      const int64_t idx = rest % batch[i];
      rest /= batch[i];
      const int ix = i - (rb - (rx - 2)), iy = i - (rb - (ry - 2));
      const int64_t dx = ix >= 0 ? x.dim(ix) : 1, dy = iy >= 0 ? y.dim(iy) : 1;
      xb += (dx == 1 ? 0 : idx) * xs;
      yb += (dy == 1 ? 0 : idx) * ys;
      xs *= dx;
      ys *= dy;
    }
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t t = 0; t < k; ++t) {
          const double a = ValueAt(x, xb * m * k + (adj_x ? t * m + i : i * k + t));
          const double c = ValueAt(y, yb * k * n + (adj_y ? j * k + t : t * n + j));
          acc += a * c;
        }
        const int64_t at = (b * m + i) * n + j;
        if (dtype == DataType::kFloat64) {
          out.data<double>()[at] = acc;
        } else {
          out.data<float>()[at] = static_cast<float>(acc);
        }
      }
  }
  return out;
}

Tensor ToDouble(const Tensor& t) {
  Tensor d(DataType::kFloat64, t.shape());
  for (int64_t i = 0; i < t.num_elements(); ++i) d.data<double>()[i] = t.data<float>()[i];
  return d;
}

struct Case {
  Ints x, y;
  bool adj_x = false, adj_y = false;
};

TEST(BatchMatMulV2Test, MatchesLoopsWithBroadcastAndAdjoints) {
  const std::vector<Case> cases = {
      {{3, 4, 5}, {3, 5, 2}},
      {{2, 3, 4, 5}, {5, 6}},            // y broadcast over the whole batch
      {{4, 5}, {2, 1, 5, 3}},            // x missing batch dims
      {{2, 1, 4, 5}, {1, 3, 5, 2}},      // size-1 dims on both sides
      {{3, 5, 4}, {3, 5, 2}, true},      // adj_x
      {{3, 4, 5}, {3, 2, 5}, false, true},
      {{2, 5, 4}, {1, 2, 5}, true, true},
      {{2, 4, 17}, {2, 17, 33}},         // wide enough for vector paths
  };
  int seed = 1;
  for (const Case& c : cases) {
    const Tensor x = RandomFloats(TensorShape(c.x), -1, 1, seed++);
    const Tensor y = RandomFloats(TensorShape(c.y), -1, 1, seed++);
    const AttrMap attrs{{"adj_x", c.adj_x}, {"adj_y", c.adj_y}};
    auto got = RunKernel("BatchMatMulV2", {x, y}, attrs);
    ASSERT_TRUE(got.ok()) << got.status();
    ExpectTensorNear((*got)[0], Reference(x, y, c.adj_x, c.adj_y, DataType::kFloat32), 1e-5,
                     1e-5);
    auto got64 = RunKernel("BatchMatMulV2", {ToDouble(x), ToDouble(y)}, attrs);
    ASSERT_TRUE(got64.ok()) << got64.status();
    ExpectTensorNear((*got64)[0], Reference(x, y, c.adj_x, c.adj_y, DataType::kFloat64), 1e-12,
                     1e-12);
  }
}

TEST(BatchMatMulV2Test, EmptyInnerAndBatchDims) {
  auto zero_k = RunKernel("BatchMatMulV2", {Tensor(DataType::kFloat32, TensorShape{2, 3, 0}),
                                            Tensor(DataType::kFloat32, TensorShape{2, 0, 4})});
  ASSERT_TRUE(zero_k.ok()) << zero_k.status();
  ASSERT_EQ((*zero_k)[0].shape(), (TensorShape{2, 3, 4}));
  for (float v : (*zero_k)[0].flat<float>()) EXPECT_EQ(v, 0.0f);
  auto empty = RunKernel("BatchMatMulV2", {Tensor(DataType::kFloat32, TensorShape{0, 3, 2}),
                                           RandomFloats(TensorShape{2, 4}, -1, 1, 1)});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ((*empty)[0].shape(), (TensorShape{0, 3, 4}));
}

TEST(BatchMatMulV2Test, MismatchesAreNamed) {
  auto inner = RunKernel("BatchMatMulV2", {RandomFloats(TensorShape{2, 3, 4}, -1, 1, 1),
                                           RandomFloats(TensorShape{2, 5, 4}, -1, 1, 2)});
  ASSERT_FALSE(inner.ok());
  EXPECT_THAT(inner.status().message(), HasSubstr("inner dimensions differ"));
  auto batch = RunKernel("BatchMatMulV2", {RandomFloats(TensorShape{2, 3, 4}, -1, 1, 1),
                                           RandomFloats(TensorShape{3, 4, 4}, -1, 1, 2)});
  ASSERT_FALSE(batch.ok());
  EXPECT_THAT(batch.status().message(), HasSubstr("do not broadcast"));
}

}  // namespace
}  // namespace graphrt
