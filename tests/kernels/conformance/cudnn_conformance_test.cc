// Conformance cases that walk the corners of the cuDNN kernels
// (kernels/gpu/cudnn_*): asymmetric SAME and EXPLICIT padding (which the GPU
// kernels make real with a padded copy), dilations, 1x1 and strided-VALID
// windows that skip input rows, depthwise multipliers, overlapping pooling
// windows with padding (MaxPool's -inf padding, AvgPool's count of real
// cells), and FusedBatchNormV3 training with every output, empty running
// statistics, and its gradient in inference mode. Every case runs on the CPU
// against the naive loops (tests/kernels/cpu/conv_reference.h and RefPool
// below) and, where a GPU exists, on the GPU against the same references and
// the CPU's result.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/graph/ops/batch_norm_ops.h"
#include "core/graph/ops/conv_ops.h"
#include "core/graph/ops/pooling_ops.h"
#include "tests/kernels/conformance/conformance.h"
#include "tests/kernels/cpu/conv_reference.h"

namespace graphrt::conformance {
namespace {

using ::graphrt::testing::RefConv;
using ::graphrt::testing::RefWindow;

GRAPHRT_CONFORMANCE_SUITE(CudnnConformance);

enum class Pass { kForward, kInput, kFilter };

ops::Conv2DAttrs ToAttrs(const RefWindow& w) {
  ops::Conv2DAttrs a;
  a.strides = {1, w.sh, w.sw, 1};
  a.dilations = {1, w.dh, w.dw, 1};
  a.padding = w.padding;
  if (w.padding == "EXPLICIT") a.explicit_paddings = {0, 0, w.top, w.bottom, w.left, w.right, 0, 0};
  return a;
}

Case Conv(bool depthwise, Pass pass, const TensorShape& in, const TensorShape& filter,
          const RefWindow& w) {
  const Tensor x = RandomTensor(in, 21), f = RandomTensor(filter, 22);
  const Tensor dy = RandomTensor(RefConv(x, f, nullptr, w, depthwise).out.shape(), 23);
  const testing::RefConvResult ref = RefConv(x, f, &dy, w, depthwise);
  const ops::Conv2DAttrs attrs = ToAttrs(w);
  Case c;
  c.inputs = {x, f, dy};
  c.build = [=](GraphBuilder&, const Inputs& i) {
    if (pass == Pass::kForward) {
      return Fetches{depthwise ? ops::DepthwiseConv2dNative(i[0], i[1], attrs, "op")
                               : ops::Conv2D(i[0], i[1], attrs, "op")};
    }
    if (pass == Pass::kInput) {
      return Fetches{depthwise
                         ? ops::DepthwiseConv2dNativeBackpropInput(i[0], i[1], i[2], attrs, "op")
                         : ops::Conv2DBackpropInput(i[0], i[1], i[2], attrs, "op")};
    }
    return Fetches{depthwise
                       ? ops::DepthwiseConv2dNativeBackpropFilter(i[0], i[1], i[2], attrs, "op")
                       : ops::Conv2DBackpropFilter(i[0], i[1], i[2], attrs, "op")};
  };
  c.expected = {pass == Pass::kForward ? ref.out : pass == Pass::kInput ? ref.dx : ref.df};
  c.tol = SumTolerance(pass == Pass::kFilter ? dy.num_elements() : filter.num_elements());
  return c;
}

// SAME, stride 2 on an even size: padding (0, 1), the odd row after.
const RefWindow kSameStride2{.sh = 2, .sw = 2};
// EXPLICIT, lopsided both ways.
const RefWindow kExplicit{.padding = "EXPLICIT", .top = 2, .bottom = 0, .left = 1, .right = 3};
// SAME with dilation 2 (effective 5x5 window): symmetric padding (2, 2).
const RefWindow kSameDilated{.dh = 2, .dw = 2};
// VALID, stride 2 on an odd size: the last row is never read.
const RefWindow kValidStride2{.sh = 2, .sw = 2, .padding = "VALID"};

TEST_P(CudnnConformance, Conv2DSameStride2Asymmetric) {
  RunCase(Conv(false, Pass::kForward, {2, 8, 8, 3}, {3, 3, 3, 4}, kSameStride2));
}
TEST_P(CudnnConformance, Conv2DBackpropInputSameStride2Asymmetric) {
  RunCase(Conv(false, Pass::kInput, {2, 8, 8, 3}, {3, 3, 3, 4}, kSameStride2));
}
TEST_P(CudnnConformance, Conv2DBackpropFilterSameStride2Asymmetric) {
  RunCase(Conv(false, Pass::kFilter, {2, 8, 8, 3}, {3, 3, 3, 4}, kSameStride2));
}
TEST_P(CudnnConformance, Conv2DExplicitPadding) {
  RunCase(Conv(false, Pass::kForward, {1, 5, 6, 2}, {2, 3, 2, 3}, kExplicit));
}
TEST_P(CudnnConformance, Conv2DBackpropInputExplicitPadding) {
  RunCase(Conv(false, Pass::kInput, {1, 5, 6, 2}, {2, 3, 2, 3}, kExplicit));
}
TEST_P(CudnnConformance, Conv2DBackpropFilterExplicitPadding) {
  RunCase(Conv(false, Pass::kFilter, {1, 5, 6, 2}, {2, 3, 2, 3}, kExplicit));
}
TEST_P(CudnnConformance, Conv2DSameDilated) {
  RunCase(Conv(false, Pass::kForward, {2, 7, 7, 2}, {3, 3, 2, 5}, kSameDilated));
}
TEST_P(CudnnConformance, Conv2DBackpropInputSameDilated) {
  RunCase(Conv(false, Pass::kInput, {2, 7, 7, 2}, {3, 3, 2, 5}, kSameDilated));
}
TEST_P(CudnnConformance, Conv2DPointwiseValidStride2) {
  RunCase(Conv(false, Pass::kForward, {2, 5, 5, 4}, {1, 1, 4, 6}, kValidStride2));
}
TEST_P(CudnnConformance, Conv2DBackpropFilterPointwiseValidStride2) {
  RunCase(Conv(false, Pass::kFilter, {2, 5, 5, 4}, {1, 1, 4, 6}, kValidStride2));
}
TEST_P(CudnnConformance, DepthwiseSameStride2Multiplier3) {
  RunCase(Conv(true, Pass::kForward, {2, 6, 6, 3}, {3, 3, 3, 3}, kSameStride2));
}
TEST_P(CudnnConformance, DepthwiseBackpropInputSameStride2) {
  RunCase(Conv(true, Pass::kInput, {2, 6, 6, 3}, {3, 3, 3, 3}, kSameStride2));
}
TEST_P(CudnnConformance, DepthwiseBackpropFilterSameStride2) {
  RunCase(Conv(true, Pass::kFilter, {2, 6, 6, 3}, {3, 3, 3, 3}, kSameStride2));
}
TEST_P(CudnnConformance, DepthwiseExplicitPadding) {
  RunCase(Conv(true, Pass::kForward, {1, 5, 6, 2}, {2, 3, 2, 2}, kExplicit));
}

// ---- Pooling: a direct reference with TF's padding -------------------------

struct PoolSpec {
  int64_t kh = 2, kw = 2, sh = 2, sw = 2;
  std::string padding = "VALID";
  int64_t top = 0, bottom = 0, left = 0, right = 0;  // EXPLICIT (MaxPool) only
};

struct RefPoolResult {
  Tensor out, dx;
};

// MaxPool (the first maximum of a window takes its gradient, NaN never wins)
// or AvgPool (the mean of the window's cells inside the input).
RefPoolResult RefPool(const Tensor& x, const Tensor& dy, const PoolSpec& p, bool max) {
  const int64_t n = x.dim(0), ih = x.dim(1), iw = x.dim(2), c = x.dim(3);
  RefWindow w{.sh = p.sh, .sw = p.sw, .padding = p.padding, .top = p.top, .bottom = p.bottom,
              .left = p.left, .right = p.right};
  const auto [oh, pt] = testing::RefOut(ih, p.kh, 1, p.sh, w, p.top, p.bottom);
  const auto [ow, pl] = testing::RefOut(iw, p.kw, 1, p.sw, w, p.left, p.right);
  const TensorShape out_shape{n, oh, ow, c};
  std::vector<double> out(out_shape.num_elements()), dx(x.num_elements(), 0.0);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t z = 0; z < ow; ++z)
        for (int64_t ch = 0; ch < c; ++ch) {
          const int64_t o = ((b * oh + y) * ow + z) * c + ch;
          double best = -std::numeric_limits<double>::infinity(), sum = 0;
          int64_t arg = -1, count = 0;
          std::vector<int64_t> cells;
          for (int64_t kh = 0; kh < p.kh; ++kh)
            for (int64_t kw = 0; kw < p.kw; ++kw) {
              const int64_t iy = y * p.sh - pt + kh, iz = z * p.sw - pl + kw;
              if (iy < 0 || iy >= ih || iz < 0 || iz >= iw) continue;
              const int64_t at = ((b * ih + iy) * iw + iz) * c + ch;
              const double v = ValueAt(x, at);
              if (v > best) {
                best = v;
                arg = at;
              }
              sum += v;
              ++count;
              cells.push_back(at);
            }
          out[o] = max ? best : sum / count;
          if (dy.num_elements() == 0) continue;
          if (max) {
            dx[arg] += ValueAt(dy, o);
          } else {
            for (int64_t at : cells) dx[at] += ValueAt(dy, o) / count;
          }
        }
  return {MakeTensor(DataType::kFloat32, out_shape, [&](int64_t i) { return out[i]; }),
          MakeTensor(DataType::kFloat32, x.shape(), [&](int64_t i) { return dx[i]; })};
}

Case Pool(bool max, bool grad, const TensorShape& in, const PoolSpec& p) {
  const Tensor x = RandomTensor(in, 31);
  const Tensor dy = RandomTensor(RefPool(x, Tensor(), p, max).out.shape(), 32);
  const RefPoolResult ref = RefPool(x, dy, p, max);
  ops::PoolAttrs attrs;
  attrs.ksize = {1, p.kh, p.kw, 1};
  attrs.strides = {1, p.sh, p.sw, 1};
  attrs.padding = p.padding;
  if (p.padding == "EXPLICIT") {
    attrs.explicit_paddings = {0, 0, p.top, p.bottom, p.left, p.right, 0, 0};
  }
  Case c;
  c.inputs = {x, dy};
  c.build = [=](GraphBuilder&, const Inputs& i) {
    if (!grad) {
      return Fetches{max ? ops::MaxPool(i[0], attrs, "op") : ops::AvgPool(i[0], attrs, "op")};
    }
    return Fetches{max ? ops::MaxPoolGrad(i[0], ops::MaxPool(i[0], attrs), i[1], attrs, "op")
                       : ops::AvgPoolGrad(i[0], i[1], attrs, "op")};
  };
  c.expected = {grad ? ref.dx : ref.out};
  c.tol = kAccumulating;
  return c;
}

// 3x3 windows, stride 2, SAME on 7x8: rows padded (1, 1), columns (0, 1).
const PoolSpec kSame3x3Stride2{.kh = 3, .kw = 3, .padding = "SAME"};
// 2x2, stride 1, SAME on 5x5: padding (0, 1) on both axes.
const PoolSpec kSame2x2Stride1{.sh = 1, .sw = 1, .padding = "SAME"};
// 3x3, stride 1, SAME on 4x4: symmetric (1, 1), cuDNN's own padding only.
const PoolSpec kSame3x3Stride1{.kh = 3, .kw = 3, .sh = 1, .sw = 1, .padding = "SAME"};
// MaxPool's EXPLICIT padding, lopsided.
const PoolSpec kExplicitPool{.sh = 1, .sw = 1, .padding = "EXPLICIT", .top = 1, .right = 1};

TEST_P(CudnnConformance, MaxPoolSame3x3Stride2) {
  RunCase(Pool(true, false, {2, 7, 8, 3}, kSame3x3Stride2));
}
TEST_P(CudnnConformance, MaxPoolGradSame3x3Stride2) {
  RunCase(Pool(true, true, {2, 7, 8, 3}, kSame3x3Stride2));
}
TEST_P(CudnnConformance, AvgPoolSame3x3Stride2) {
  RunCase(Pool(false, false, {2, 7, 8, 3}, kSame3x3Stride2));
}
TEST_P(CudnnConformance, AvgPoolGradSame3x3Stride2) {
  RunCase(Pool(false, true, {2, 7, 8, 3}, kSame3x3Stride2));
}
TEST_P(CudnnConformance, AvgPoolSame2x2Stride1) {
  RunCase(Pool(false, false, {1, 5, 5, 2}, kSame2x2Stride1));
}
TEST_P(CudnnConformance, AvgPoolGradSame2x2Stride1) {
  RunCase(Pool(false, true, {1, 5, 5, 2}, kSame2x2Stride1));
}
TEST_P(CudnnConformance, AvgPoolSymmetricSame3x3) {
  RunCase(Pool(false, false, {2, 4, 4, 3}, kSame3x3Stride1));
}
TEST_P(CudnnConformance, AvgPoolGradSymmetricSame3x3) {
  RunCase(Pool(false, true, {2, 4, 4, 3}, kSame3x3Stride1));
}
TEST_P(CudnnConformance, MaxPoolExplicitPadding) {
  RunCase(Pool(true, false, {1, 4, 5, 2}, kExplicitPool));
}
TEST_P(CudnnConformance, MaxPoolGradExplicitPadding) {
  RunCase(Pool(true, true, {1, 4, 5, 2}, kExplicitPool));
}

// ---- Batch norm ------------------------------------------------------------

// FusedBatchNormV3 training: y, the running statistics updated with factor
// 0.25 (unbiased variance), reserve_space_1/2 the batch mean and biased
// variance. `running`: false gives empty mean/variance with factor 1.
Case BatchNormTraining(bool running) {
  const int64_t ch = 3, rows = 2 * 4 * 3;
  const float factor = running ? 0.25f : 1.0f;
  Case c;
  const TensorShape stats = running ? TensorShape{ch} : TensorShape{0};
  c.inputs = {RandomTensor({2, 4, 3, ch}, 41, -2, 3), RandomTensor({ch}, 42, 0.5, 2),
              RandomTensor({ch}, 43), RandomTensor(stats, 44), RandomTensor(stats, 45, 0.5, 2)};
  c.build = [=](GraphBuilder&, const Inputs& i) {
    ops::FusedBatchNormOutputs o = ops::FusedBatchNormV3(
        i[0], i[1], i[2], i[3], i[4], {.epsilon = 1e-3f, .exponential_avg_factor = factor}, "op");
    return Fetches{o.y, o.batch_mean, o.batch_variance, o.reserve_space_1, o.reserve_space_2};
  };
  const std::vector<Tensor>& in = c.inputs;
  std::vector<double> m(ch, 0), v(ch, 0);
  for (int64_t i = 0; i < rows * ch; ++i) m[i % ch] += ValueAt(in[0], i) / rows;
  for (int64_t i = 0; i < rows * ch; ++i) {
    const double d = ValueAt(in[0], i) - m[i % ch];
    v[i % ch] += d * d / rows;
  }
  auto old = [&](int k, int64_t i) { return running ? ValueAt(in[k], i) : 0.0; };
  c.expected = {
      MakeTensor(DataType::kFloat32, in[0].shape(), [&](int64_t i) {
        const int64_t k = i % ch;
        return (ValueAt(in[0], i) - m[k]) / std::sqrt(v[k] + 1e-3) * ValueAt(in[1], k) +
               ValueAt(in[2], k);
      }),
      MakeTensor(DataType::kFloat32, {ch},
                 [&](int64_t k) { return (1 - factor) * old(3, k) + factor * m[k]; }),
      MakeTensor(DataType::kFloat32, {ch},
                 [&](int64_t k) {
                   return (1 - factor) * old(4, k) + factor * v[k] * rows / (rows - 1);
                 }),
      MakeTensor(DataType::kFloat32, {ch}, [&](int64_t k) { return m[k]; }),
      MakeTensor(DataType::kFloat32, {ch}, [&](int64_t k) { return v[k]; })};
  c.tol = SumTolerance(rows);
  return c;
}

TEST_P(CudnnConformance, FusedBatchNormTrainingAllOutputs) { RunCase(BatchNormTraining(true)); }
TEST_P(CudnnConformance, FusedBatchNormTrainingEmptyRunningStats) {
  RunCase(BatchNormTraining(false));
}

TEST_P(CudnnConformance, FusedBatchNormGradInference) {
  Case c;
  const int64_t ch = 4, rows = 3 * 2 * 5;
  c.inputs = {RandomTensor({3, 2, 5, ch}, 51), RandomTensor({3, 2, 5, ch}, 52, -2, 2),
              RandomTensor({ch}, 53, 0.5, 2), RandomTensor({ch}, 54),
              RandomTensor({ch}, 55, 0.5, 2)};
  c.build = [](GraphBuilder& b, const Inputs& i) {
    ops::FusedBatchNormGradOutputs g = ops::FusedBatchNormGradV3(
        i[0], i[1], i[2], i[3], i[4], b.Scalar<float>(0), {.epsilon = 1e-3f, .is_training = false},
        "op");
    return Fetches{g.x_backprop, g.scale_backprop, g.offset_backprop};
  };
  const std::vector<Tensor>& in = c.inputs;
  auto inv_std = [&](int64_t k) { return 1.0 / std::sqrt(ValueAt(in[4], k) + 1e-3); };
  std::vector<double> sum_dy(ch, 0), sum_dyx(ch, 0);
  for (int64_t i = 0; i < rows * ch; ++i) {
    sum_dy[i % ch] += ValueAt(in[0], i);
    sum_dyx[i % ch] += ValueAt(in[0], i) * (ValueAt(in[1], i) - ValueAt(in[3], i % ch));
  }
  c.expected = {MakeTensor(DataType::kFloat32, in[1].shape(),
                           [&](int64_t i) {
                             return ValueAt(in[0], i) * ValueAt(in[2], i % ch) * inv_std(i % ch);
                           }),
                MakeTensor(DataType::kFloat32, {ch},
                           [&](int64_t k) { return sum_dyx[k] * inv_std(k); }),
                MakeTensor(DataType::kFloat32, {ch}, [&](int64_t k) { return sum_dy[k]; })};
  c.tol = SumTolerance(rows);
  RunCase(c);
}

}  // namespace
}  // namespace graphrt::conformance
