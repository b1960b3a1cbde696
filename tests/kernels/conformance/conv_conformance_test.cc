// Conformance of the convolution, pooling and batch-norm kernels: Conv2D,
// FusedConv2D (CPU only: a known GPU gap), DepthwiseConv2dNative and their input and filter gradients against the
// direct nested-loop reference (tests/kernels/cpu/conv_reference.h);
// MaxPool, AvgPool and their gradients on non-overlapping windows, and
// FusedBatchNormV3 (inference) and FusedBatchNormGradV3 (training) against
// loops here. On a GPU they run the cuDNN kernels (kernels/gpu/cudnn_*; more
// padding and stride corners in cudnn_conformance_test.cc), or skip naming
// the missing cuDNN in builds without it.
#include <algorithm>
#include <cmath>
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

GRAPHRT_CONFORMANCE_SUITE(ConvConformance);

enum class ConvPass { kForward, kInput, kFilter };

Case Conv(bool depthwise, ConvPass pass, const TensorShape& in, const TensorShape& filter,
          const ops::Conv2DAttrs& attrs, const RefWindow& w) {
  Case c;
  const Tensor x = RandomTensor(in, 1), f = RandomTensor(filter, 2);
  const Tensor out = RefConv(x, f, nullptr, w, depthwise).out;
  const Tensor dy = RandomTensor(out.shape(), 3);
  const testing::RefConvResult ref = RefConv(x, f, &dy, w, depthwise);
  c.inputs = {x, f, dy};
  c.build = [=](GraphBuilder&, const Inputs& i) {
    switch (pass) {
      case ConvPass::kForward:
        return Fetches{depthwise ? ops::DepthwiseConv2dNative(i[0], i[1], attrs, "op")
                                 : ops::Conv2D(i[0], i[1], attrs, "op")};
      case ConvPass::kInput:
        return Fetches{depthwise
                           ? ops::DepthwiseConv2dNativeBackpropInput(i[0], i[1], i[2], attrs, "op")
                           : ops::Conv2DBackpropInput(i[0], i[1], i[2], attrs, "op")};
      case ConvPass::kFilter:
        break;
    }
    return Fetches{depthwise
                       ? ops::DepthwiseConv2dNativeBackpropFilter(i[0], i[1], i[2], attrs, "op")
                       : ops::Conv2DBackpropFilter(i[0], i[1], i[2], attrs, "op")};
  };
  c.expected = {pass == ConvPass::kForward ? ref.out : pass == ConvPass::kInput ? ref.dx : ref.df};
  c.tol = SumTolerance(pass == ConvPass::kFilter ? dy.num_elements() : filter.num_elements());
  return c;
}

const ops::Conv2DAttrs kStrided{.strides = {1, 2, 2, 1}};
const RefWindow kStridedRef{.sh = 2, .sw = 2};
const ops::Conv2DAttrs kDilated{.padding = "VALID", .dilations = {1, 2, 2, 1}};
const RefWindow kDilatedRef{.dh = 2, .dw = 2, .padding = "VALID"};

TEST_P(ConvConformance, Conv2DSameStrided) {
  RunCase(Conv(false, ConvPass::kForward, {2, 7, 6, 3}, {3, 3, 3, 8}, kStrided, kStridedRef));
}
TEST_P(ConvConformance, Conv2DBackpropInput) {
  RunCase(Conv(false, ConvPass::kInput, {2, 7, 6, 3}, {3, 3, 3, 8}, kStrided, kStridedRef));
}
TEST_P(ConvConformance, Conv2DBackpropFilter) {
  RunCase(Conv(false, ConvPass::kFilter, {2, 9, 8, 4}, {3, 3, 4, 5}, kDilated, kDilatedRef));
}
// FusedConv2D: the reference convolution, + bias, then Relu, in double.
TEST_P(ConvConformance, FusedConv2DBiasRelu) {
  Case c;
  const Tensor x = RandomTensor({2, 7, 6, 3}, 1), f = RandomTensor({3, 3, 3, 8}, 2);
  const Tensor bias = RandomTensor({8}, 3);
  const Tensor conv = RefConv(x, f, nullptr, kStridedRef, false).out;
  Tensor expected(DataType::kFloat32, conv.shape());
  for (int64_t i = 0; i < conv.num_elements(); ++i) {
    const double z = static_cast<double>(conv.data<float>()[i]) + bias.data<float>()[i % 8];
    expected.data<float>()[i] = static_cast<float>(std::max(z, 0.0));
  }
  c.inputs = {x, f, bias};
  c.build = [](GraphBuilder&, const Inputs& i) {
    return Fetches{ops::FusedConv2D(i[0], i[1], i[2], "Relu", kStrided, "op")};
  };
  c.expected = {expected};
  c.tol = SumTolerance(3 * 3 * 3);
  RunCase(c);
}
TEST_P(ConvConformance, DepthwiseMultiplier2) {
  RunCase(Conv(true, ConvPass::kForward, {2, 7, 6, 3}, {3, 3, 3, 2}, kStrided, kStridedRef));
}
TEST_P(ConvConformance, DepthwiseBackpropInput) {
  RunCase(Conv(true, ConvPass::kInput, {2, 9, 8, 4}, {3, 3, 4, 2}, kDilated, kDilatedRef));
}
TEST_P(ConvConformance, DepthwiseBackpropFilter) {
  RunCase(Conv(true, ConvPass::kFilter, {2, 7, 6, 3}, {3, 3, 3, 2}, kStrided, kStridedRef));
}

// 2x2 windows, stride 2, VALID on even sizes: every cell in one window.
Case Pool(bool max, bool grad) {
  const TensorShape in{2, 6, 4, 3};
  Case c;
  const Tensor x = RandomTensor(in, 4);
  const Tensor dy = RandomTensor({2, 3, 2, 3}, 5);
  const ops::PoolAttrs attrs{};
  auto window_cell = [](int64_t out_index, int k) {  // flat input index of cell k
    const int64_t ch = out_index % 3, ow = out_index / 3 % 2, oh = out_index / 6 % 3,
                  n = out_index / 18;
    return ((n * 6 + oh * 2 + k / 2) * 4 + ow * 2 + k % 2) * 3 + ch;
  };
  Tensor fwd = MakeTensor(DataType::kFloat32, {2, 3, 2, 3}, [&](int64_t o) {
    double best = -1e30, sum = 0;
    for (int k = 0; k < 4; ++k) {
      best = std::max(best, ValueAt(x, window_cell(o, k)));
      sum += ValueAt(x, window_cell(o, k));
    }
    return max ? best : sum / 4;
  });
  std::vector<double> dx(x.num_elements(), 0.0);
  for (int64_t o = 0; o < dy.num_elements(); ++o) {
    for (int k = 0; k < 4; ++k) {
      const int64_t at = window_cell(o, k);
      if (!max) dx[at] += ValueAt(dy, o) / 4;
      else if (ValueAt(x, at) == ValueAt(fwd, o)) dx[at] += ValueAt(dy, o);
    }
  }
  c.inputs = {x, dy};
  c.build = [=](GraphBuilder&, const Inputs& i) {
    if (!grad) return Fetches{max ? ops::MaxPool(i[0], attrs, "op") : ops::AvgPool(i[0], attrs, "op")};
    return Fetches{max ? ops::MaxPoolGrad(i[0], ops::MaxPool(i[0], attrs), i[1], attrs, "op")
                       : ops::AvgPoolGrad(i[0], i[1], attrs, "op")};
  };
  c.expected = {grad ? MakeTensor(DataType::kFloat32, in, [&](int64_t i) { return dx[i]; })
                     : fwd};
  c.tol = kAccumulating;
  return c;
}

TEST_P(ConvConformance, MaxPool) { RunCase(Pool(true, false)); }
TEST_P(ConvConformance, AvgPool) { RunCase(Pool(false, false)); }
TEST_P(ConvConformance, MaxPoolGrad) { RunCase(Pool(true, true)); }
TEST_P(ConvConformance, AvgPoolGrad) { RunCase(Pool(false, true)); }

TEST_P(ConvConformance, FusedBatchNormInference) {
  Case c;
  const int64_t ch = 5;
  c.inputs = {RandomTensor({2, 3, 4, ch}, 6), RandomTensor({ch}, 7, 0.5, 2),
              RandomTensor({ch}, 8), RandomTensor({ch}, 9), RandomTensor({ch}, 10, 0.5, 2)};
  c.build = [](GraphBuilder&, const Inputs& i) {
    return Fetches{ops::FusedBatchNormV3(i[0], i[1], i[2], i[3], i[4],
                                         {.epsilon = 1e-3f, .is_training = false}, "op").y};
  };
  const std::vector<Tensor>& in = c.inputs;
  c.expected = {MakeTensor(DataType::kFloat32, in[0].shape(), [&](int64_t i) {
    const int64_t k = i % ch;
    return (ValueAt(in[0], i) - ValueAt(in[3], k)) / std::sqrt(ValueAt(in[4], k) + 1e-3) *
               ValueAt(in[1], k) + ValueAt(in[2], k);
  })};
  c.tol = kAccumulating;
  RunCase(c);
}

TEST_P(ConvConformance, FusedBatchNormGradTraining) {
  Case c;
  const int64_t ch = 4, rows = 2 * 3 * 3;
  c.inputs = {RandomTensor({2, 3, 3, ch}, 11), RandomTensor({2, 3, 3, ch}, 12, -2, 2),
              RandomTensor({ch}, 13, 0.5, 2), RandomTensor({ch}, 14), RandomTensor({ch}, 15, 0.5, 2)};
  c.build = [](GraphBuilder& b, const Inputs& i) {
    ops::FusedBatchNormGradOutputs g = ops::FusedBatchNormGradV3(
        i[0], i[1], i[2], i[3], i[4], b.Scalar<float>(0), {.epsilon = 1e-3f}, "op");
    return Fetches{g.x_backprop, g.scale_backprop, g.offset_backprop};
  };
  const std::vector<Tensor>& in = c.inputs;
  std::vector<double> sum_dy(ch, 0), sum_dy_xhat(ch, 0);
  auto xhat = [&](int64_t i) {
    const int64_t k = i % ch;
    return (ValueAt(in[1], i) - ValueAt(in[3], k)) / std::sqrt(ValueAt(in[4], k) + 1e-3);
  };
  for (int64_t i = 0; i < rows * ch; ++i) {
    sum_dy[i % ch] += ValueAt(in[0], i);
    sum_dy_xhat[i % ch] += ValueAt(in[0], i) * xhat(i);
  }
  c.expected = {
      MakeTensor(DataType::kFloat32, in[1].shape(), [&](int64_t i) {
        const int64_t k = i % ch;
        return ValueAt(in[2], k) / std::sqrt(ValueAt(in[4], k) + 1e-3) *
               (ValueAt(in[0], i) - sum_dy[k] / rows - xhat(i) * sum_dy_xhat[k] / rows);
      }),
      MakeTensor(DataType::kFloat32, {ch}, [&](int64_t k) { return sum_dy_xhat[k]; }),
      MakeTensor(DataType::kFloat32, {ch}, [&](int64_t k) { return sum_dy[k]; })};
  c.tol = SumTolerance(rows);
  RunCase(c);
}

}  // namespace
}  // namespace graphrt::conformance
