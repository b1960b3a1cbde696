// Conformance of Softmax, LogSoftmax, SparseSoftmaxCrossEntropyWithLogits
// (int32 and int64 labels), and a tiny MLP's forward and backward pass made
// of the ops above, all on the device under test. See conformance.h.
#include <cmath>
#include <vector>

#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "tests/kernels/conformance/conformance.h"

namespace graphrt::conformance {
namespace {

GRAPHRT_CONFORMANCE_SUITE(NnConformance);

Case Softmax(const TensorShape& shape, bool log, uint32_t seed) {
  Case c;
  c.inputs = {RandomTensor(shape, seed, -4, 4)};
  c.build = [log](GraphBuilder&, const Inputs& in) {
    return Fetches{log ? ops::LogSoftmax(in[0], "op") : ops::Softmax(in[0], "op")};
  };
  c.expected = {RefSoftmax(c.inputs[0], log)};
  c.tol = kAccumulating;
  return c;
}

TEST_P(NnConformance, SoftmaxRows) { RunCase(Softmax({8, 10}, false, 1)); }
TEST_P(NnConformance, SoftmaxWideRows) { RunCase(Softmax({4, 1000}, false, 2)); }
TEST_P(NnConformance, SoftmaxRank3) { RunCase(Softmax({2, 3, 7}, false, 3)); }
TEST_P(NnConformance, LogSoftmaxRows) { RunCase(Softmax({8, 10}, true, 4)); }
TEST_P(NnConformance, LogSoftmaxWideRows) { RunCase(Softmax({3, 2000}, true, 5)); }

Case Xent(int64_t batch, int64_t classes, DataType label_type, uint32_t seed) {
  Case c;
  c.inputs = {RandomTensor({batch, classes}, seed, -3, 3),
              RandomInts(label_type, {batch}, seed + 1, 0, classes - 1)};
  c.build = [](GraphBuilder&, const Inputs& in) {
    ops::SoftmaxCrossEntropy x = ops::SparseSoftmaxCrossEntropyWithLogits(in[0], in[1], "op");
    return Fetches{x.loss, x.backprop};
  };
  const Tensor log_p = RefSoftmax(c.inputs[0], true);
  const Tensor p = RefSoftmax(c.inputs[0], false);
  const Tensor& labels = c.inputs[1];
  c.expected = {
      MakeTensor(DataType::kFloat32, {batch}, [&](int64_t b) {
        return -ValueAt(log_p, b * classes + static_cast<int64_t>(ValueAt(labels, b)));
      }),
      MakeTensor(DataType::kFloat32, {batch, classes}, [&](int64_t i) {
        const bool hot = i % classes == static_cast<int64_t>(ValueAt(labels, i / classes));
        return ValueAt(p, i) - (hot ? 1.0 : 0.0);
      })};
  c.tol = kAccumulating;
  return c;
}

TEST_P(NnConformance, XentInt32Labels) { RunCase(Xent(16, 10, DataType::kInt32, 6)); }
TEST_P(NnConformance, XentInt64Labels) { RunCase(Xent(16, 10, DataType::kInt64, 8)); }
TEST_P(NnConformance, XentInt64LabelsLargeBatch) { RunCase(Xent(1024, 10, DataType::kInt64, 10)); }

// Row-major [r, c] matrices as plain vectors, for the MLP reference.
using Mat = std::vector<double>;
Mat ToMat(const Tensor& t) {
  Mat m(t.num_elements());
  for (int64_t i = 0; i < t.num_elements(); ++i) m[i] = ValueAt(t, i);
  return m;
}
// a [m, k] (or [k, m] when ta) times b [k, n] (or [n, k] when tb).
Mat MatMul(const Mat& a, const Mat& b, int64_t m, int64_t k, int64_t n, bool ta, bool tb) {
  Mat out(m * n, 0.0);
  for (int64_t r = 0; r < m; ++r)
    for (int64_t c = 0; c < n; ++c)
      for (int64_t p = 0; p < k; ++p)
        out[r * n + c] += a[ta ? p * m + r : r * k + p] * b[tb ? c * k + p : p * n + c];
  return out;
}
Tensor ToTensor(const Mat& m, const TensorShape& shape) {
  return MakeTensor(DataType::kFloat32, shape, [&](int64_t i) { return m[i]; });
}

// x [B, I] -> relu(x W1 + b1) [B, H] -> logits = h W2 + b2 [B, C]; the loss
// is the mean cross-entropy, and the backward pass gives dW1, db1, dW2, db2.
TEST_P(NnConformance, TinyMlpForwardBackward) {
  constexpr int64_t B = 8, I = 16, H = 12, C = 5;
  Case c;
  c.inputs = {RandomTensor({B, I}, 20),     RandomTensor({I, H}, 21), RandomTensor({H}, 22),
              RandomTensor({H, C}, 23),     RandomTensor({C}, 24),
              RandomInts(DataType::kInt64, {B}, 25, 0, C - 1)};
  c.build = [](GraphBuilder&, const Inputs& in) {
    Output pre = ops::BiasAdd(ops::MatMul(in[0], in[1]), in[2], "pre");
    Output h = ops::Relu(pre, "h");
    Output logits = ops::BiasAdd(ops::MatMul(h, in[3]), in[4], "logits");
    ops::SoftmaxCrossEntropy xent = ops::SparseSoftmaxCrossEntropyWithLogits(logits, in[5]);
    Output loss = ops::Mean(xent.loss, {}, "loss");
    Output dlogits = xent.backprop * (1.0f / B);
    Output dw2 = ops::MatMul(h, dlogits, {.transpose_a = true}, "dw2");
    Output db2 = ops::BiasAddGrad(dlogits, "db2");
    Output dh = ops::MatMul(dlogits, in[3], {.transpose_b = true}, "dh");
    Output dpre = ops::ReluGrad(dh, pre, "dpre");
    Output dw1 = ops::MatMul(in[0], dpre, {.transpose_a = true}, "dw1");
    Output db1 = ops::BiasAddGrad(dpre, "db1");
    return Fetches{logits, loss, dw1, db1, dw2, db2};
  };
  // The reference, in double.
  const Mat x = ToMat(c.inputs[0]), w1 = ToMat(c.inputs[1]), b1 = ToMat(c.inputs[2]);
  const Mat w2 = ToMat(c.inputs[3]), b2 = ToMat(c.inputs[4]), labels = ToMat(c.inputs[5]);
  Mat pre = MatMul(x, w1, B, I, H, false, false), h(B * H);
  for (int64_t i = 0; i < B * H; ++i) {
    pre[i] += b1[i % H];
    h[i] = std::max(pre[i], 0.0);
  }
  Mat logits = MatMul(h, w2, B, H, C, false, false), dlogits(B * C);
  double loss = 0;
  for (int64_t r = 0; r < B; ++r) {
    double mx = -1e300, sum = 0;
    for (int64_t k = 0; k < C; ++k) mx = std::max(mx, logits[r * C + k] += b2[k]);
    for (int64_t k = 0; k < C; ++k) sum += std::exp(logits[r * C + k] - mx);
    const int64_t label = static_cast<int64_t>(labels[r]);
    loss += (std::log(sum) - (logits[r * C + label] - mx)) / B;
    for (int64_t k = 0; k < C; ++k) {
      dlogits[r * C + k] = (std::exp(logits[r * C + k] - mx) / sum - (k == label)) / B;
    }
  }
  const Mat dw2 = MatMul(h, dlogits, H, B, C, true, false);
  Mat db2(C, 0.0), db1(H, 0.0);
  for (int64_t i = 0; i < B * C; ++i) db2[i % C] += dlogits[i];
  Mat dpre = MatMul(dlogits, w2, B, C, H, false, true);
  for (int64_t i = 0; i < B * H; ++i) {
    if (pre[i] <= 0) dpre[i] = 0;
    db1[i % H] += dpre[i];
  }
  const Mat dw1 = MatMul(x, dpre, I, B, H, true, false);
  c.expected = {ToTensor(logits, {B, C}), ToTensor({loss}, {}), ToTensor(dw1, {I, H}),
                ToTensor(db1, {H}),       ToTensor(dw2, {H, C}), ToTensor(db2, {C})};
  c.tol = SumTolerance(I);
  RunCase(c);
}

}  // namespace
}  // namespace graphrt::conformance
