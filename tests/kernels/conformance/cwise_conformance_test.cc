// Conformance of elementwise kernels (kernels/cpu/cwise_*.cc and their GPU
// counterparts): binary ops with numpy broadcasting, AddN, unary float ops,
// Identity and Const on the device. See conformance.h.
#include <algorithm>
#include <cmath>

#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "tests/kernels/conformance/conformance.h"

namespace graphrt::conformance {
namespace {

GRAPHRT_CONFORMANCE_SUITE(CwiseConformance);

using BinaryFn = Output (*)(Output, Output, absl::string_view);
using UnaryFn = Output (*)(Output, absl::string_view);

Case Binary(BinaryFn op, Tensor a, Tensor b, const std::function<double(double, double)>& ref,
            DataType out = DataType::kInvalid) {
  Case c;
  c.expected = {RefBinary(a, b, ref, out)};
  c.inputs = {std::move(a), std::move(b)};
  c.build = [op](GraphBuilder&, const Inputs& in) { return Fetches{op(in[0], in[1], "op")}; };
  return c;
}

Case Unary(UnaryFn op, Tensor x, const std::function<double(double)>& ref) {
  Case c;
  c.expected = {RefUnary(x, ref)};
  c.inputs = {std::move(x)};
  c.build = [op](GraphBuilder&, const Inputs& in) { return Fetches{op(in[0], "op")}; };
  return c;
}

double Add(double a, double b) { return a + b; }

TEST_P(CwiseConformance, AddSameShape) {
  RunCase(Binary(ops::Add, RandomTensor({3, 17}, 1), RandomTensor({3, 17}, 2), Add));
}

TEST_P(CwiseConformance, AddBroadcastRow) {
  RunCase(Binary(ops::Add, RandomTensor({4, 5}, 3), RandomTensor({5}, 4), Add));
}

TEST_P(CwiseConformance, AddBroadcastBothSides) {
  RunCase(Binary(ops::Add, RandomTensor({4, 1}, 5), RandomTensor({1, 5}, 6), Add));
}

TEST_P(CwiseConformance, AddScalar) {
  RunCase(Binary(ops::Add, RandomTensor({6, 7}, 7), RandomTensor({}, 8), Add));
}

TEST_P(CwiseConformance, SubBroadcastRank3) {
  RunCase(Binary(ops::Sub, RandomTensor({2, 3, 4}, 9), RandomTensor({3, 1}, 10),
                 [](double a, double b) { return a - b; }));
}

TEST_P(CwiseConformance, SubScalarMinusMatrix) {
  RunCase(Binary(ops::Sub, RandomTensor({}, 11), RandomTensor({5, 3}, 12),
                 [](double a, double b) { return a - b; }));
}

TEST_P(CwiseConformance, MulBroadcastMiddle) {
  RunCase(Binary(ops::Mul, RandomTensor({2, 1, 4}, 13), RandomTensor({3, 4}, 14),
                 [](double a, double b) { return a * b; }));
}

// One million elements: several blocks of any launch configuration.
TEST_P(CwiseConformance, MulLargeBroadcastRow) {
  RunCase(Binary(ops::Mul, RandomTensor({1024, 1025}, 15), RandomTensor({1025}, 16),
                 [](double a, double b) { return a * b; }));
}

TEST_P(CwiseConformance, DivBroadcastRow) {
  RunCase(Binary(ops::Div, RandomTensor({5, 6}, 17), RandomTensor({6}, 18, 0.5f, 2.0f),
                 [](double a, double b) { return a / b; }));
}

TEST_P(CwiseConformance, MaximumBroadcast) {
  RunCase(Binary(ops::Maximum, RandomTensor({4, 5}, 19), RandomTensor({1, 5}, 20),
                 [](double a, double b) { return std::max(a, b); }));
}

TEST_P(CwiseConformance, ReluGrad) {
  RunCase(Binary(ops::ReluGrad, RandomTensor({4, 9}, 21), RandomTensor({4, 9}, 22),
                 [](double g, double f) { return f > 0 ? g : 0.0; }));
}

// Small integers as floats, so that about a third of the pairs are equal.
TEST_P(CwiseConformance, EqualFloatIsExact) {
  Tensor a = MakeTensor(DataType::kFloat32, {6, 8}, [](int64_t i) { return (i * 7) % 3; });
  Tensor b = MakeTensor(DataType::kFloat32, {8}, [](int64_t i) { return i % 3; });
  RunCase(Binary(ops::Equal, a, b, [](double x, double y) { return x == y ? 1.0 : 0.0; },
                 DataType::kBool));
}

TEST_P(CwiseConformance, AddInt32) {
  RunCase(Binary(ops::Add, RandomInts(DataType::kInt32, {4, 5}, 23, -1000, 1000),
                 RandomInts(DataType::kInt32, {5}, 24, -1000, 1000), Add));
}

TEST_P(CwiseConformance, AddNThreeInputs) {
  Case c;
  c.inputs = {RandomTensor({3, 8}, 25), RandomTensor({3, 8}, 26), RandomTensor({3, 8}, 27)};
  c.build = [](GraphBuilder&, const Inputs& in) { return Fetches{ops::AddN(in, "op")}; };
  c.expected = {MakeTensor(DataType::kFloat32, {3, 8}, [&](int64_t i) {
    return ValueAt(c.inputs[0], i) + ValueAt(c.inputs[1], i) + ValueAt(c.inputs[2], i);
  })};
  RunCase(c);
}

TEST_P(CwiseConformance, Neg) {
  RunCase(Unary(ops::Neg, RandomTensor({5, 7}, 28), [](double x) { return -x; }));
}

TEST_P(CwiseConformance, Relu) {
  RunCase(Unary(ops::Relu, RandomTensor({5, 7}, 29), [](double x) { return std::max(x, 0.0); }));
}

TEST_P(CwiseConformance, Exp) {
  RunCase(Unary(ops::Exp, RandomTensor({9, 33}, 30, -5, 5), [](double x) { return std::exp(x); }));
}

TEST_P(CwiseConformance, Log) {
  RunCase(
      Unary(ops::Log, RandomTensor({9, 33}, 31, 0.01f, 10), [](double x) { return std::log(x); }));
}

TEST_P(CwiseConformance, Tanh) {
  RunCase(
      Unary(ops::Tanh, RandomTensor({9, 33}, 32, -4, 4), [](double x) { return std::tanh(x); }));
}

TEST_P(CwiseConformance, Sigmoid) {
  RunCase(Unary(ops::Sigmoid, RandomTensor({9, 33}, 33, -8, 8),
                [](double x) { return 1.0 / (1.0 + std::exp(-x)); }));
}

TEST_P(CwiseConformance, Identity) {
  RunCase(Unary(ops::Identity, RandomTensor({3, 4}, 34), [](double x) { return x; }));
}

// A Const made on the device itself (GPU: copied to device memory when the
// kernel is made), then fetched back to the host.
TEST_P(CwiseConformance, ConstOnDevice) {
  Case c;
  Tensor value = RandomTensor({4, 6}, 35);
  c.build = [value](GraphBuilder& b, const Inputs&) { return Fetches{b.Const(value, "op")}; };
  c.expected = {value};
  RunCase(c);
}

}  // namespace
}  // namespace graphrt::conformance
