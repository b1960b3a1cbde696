// Conformance of MatMul (every transpose variant, odd and larger sizes),
// FusedMatMul (bias and Relu), BiasAdd and BiasAddGrad. See conformance.h.
#include <algorithm>

#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "tests/kernels/conformance/conformance.h"

namespace graphrt::conformance {
namespace {

GRAPHRT_CONFORMANCE_SUITE(MatMulConformance);

// [m, k] x [k, n], stored transposed where asked.
Case MatMul(int64_t m, int64_t k, int64_t n, bool ta, bool tb, uint32_t seed) {
  Case c;
  Tensor a = ta ? RandomTensor({k, m}, seed) : RandomTensor({m, k}, seed);
  Tensor b = tb ? RandomTensor({n, k}, seed + 1) : RandomTensor({k, n}, seed + 1);
  c.expected = {RefMatMul(a, b, ta, tb)};
  c.inputs = {a, b};
  c.build = [ta, tb](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::MatMul(in[0], in[1], {.transpose_a = ta, .transpose_b = tb}, "op")};
  };
  c.tol = SumTolerance(k);
  return c;
}

TEST_P(MatMulConformance, MatMul) { RunCase(MatMul(37, 64, 29, false, false, 1)); }
TEST_P(MatMulConformance, MatMulTransposeA) { RunCase(MatMul(37, 64, 29, true, false, 3)); }
TEST_P(MatMulConformance, MatMulTransposeB) { RunCase(MatMul(37, 64, 29, false, true, 5)); }
TEST_P(MatMulConformance, MatMulTransposeBoth) { RunCase(MatMul(37, 64, 29, true, true, 7)); }
TEST_P(MatMulConformance, MatMulRowTimesColumn) { RunCase(MatMul(1, 300, 1, false, false, 9)); }
TEST_P(MatMulConformance, MatMulOuterProduct) { RunCase(MatMul(33, 1, 17, false, false, 11)); }
TEST_P(MatMulConformance, MatMulLarger) { RunCase(MatMul(128, 784, 300, false, false, 13)); }
TEST_P(MatMulConformance, MatMulLargerTransposeA) {
  RunCase(MatMul(300, 256, 100, true, false, 15));
}

// FusedMatMul: the reference product, + bias, then Relu (or not), in double.
Case FusedMatMul(int64_t m, int64_t k, int64_t n, bool tb, bool relu, uint32_t seed) {
  Case c = MatMul(m, k, n, false, tb, seed);
  const Tensor bias = RandomTensor({n}, seed + 2);
  c.expected = {RefBinary(c.expected[0], bias, [relu](double x, double b) {
    return relu ? std::max(x + b, 0.0) : x + b;
  })};
  c.inputs.push_back(bias);
  c.build = [tb, relu](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::FusedMatMul(in[0], in[1], in[2], relu ? "Relu" : "None",
                                    {.transpose_b = tb}, "op")};
  };
  return c;
}

TEST_P(MatMulConformance, FusedMatMulRelu) { RunCase(FusedMatMul(37, 64, 29, false, true, 31)); }
TEST_P(MatMulConformance, FusedMatMulTransposeB) {
  RunCase(FusedMatMul(33, 70, 45, true, false, 35));
}
TEST_P(MatMulConformance, FusedMatMulMlpLayer) {
  RunCase(FusedMatMul(64, 784, 300, false, true, 39));
}

TEST_P(MatMulConformance, BiasAddMatrix) {
  Case c;
  c.inputs = {RandomTensor({7, 13}, 17), RandomTensor({13}, 18)};
  c.build = [](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::BiasAdd(in[0], in[1], "op")};
  };
  c.expected = {RefBinary(c.inputs[0], c.inputs[1], [](double x, double b) { return x + b; })};
  RunCase(c);
}

TEST_P(MatMulConformance, BiasAddRank3) {
  Case c;
  c.inputs = {RandomTensor({2, 3, 5}, 19), RandomTensor({5}, 20)};
  c.build = [](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::BiasAdd(in[0], in[1], "op")};
  };
  c.expected = {RefBinary(c.inputs[0], c.inputs[1], [](double x, double b) { return x + b; })};
  RunCase(c);
}

TEST_P(MatMulConformance, BiasAddGradRank3) {
  Case c;
  c.inputs = {RandomTensor({2, 6, 5}, 21)};
  c.build = [](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::BiasAddGrad(in[0], "op")};
  };
  c.expected = {RefReduce(c.inputs[0], {0, 1}, false, Reduction::kSum)};
  c.tol = SumTolerance(12);
  RunCase(c);
}

TEST_P(MatMulConformance, BiasAddGradTallMatrix) {
  Case c;
  c.inputs = {RandomTensor({1024, 10}, 22)};
  c.build = [](GraphBuilder&, const Inputs& in) {
    return Fetches{ops::BiasAddGrad(in[0], "op")};
  };
  c.expected = {RefReduce(c.inputs[0], {0}, false, Reduction::kSum)};
  c.tol = SumTolerance(1024);
  RunCase(c);
}

}  // namespace
}  // namespace graphrt::conformance
