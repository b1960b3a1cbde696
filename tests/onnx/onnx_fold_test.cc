// BatchNormalization folded at import (core/graph/onnx/onnx_fold.h): a
// folded model gives the unfolded model's outputs (the same file imported
// with OnnxImportOptions::fold_batch_norm off, where BN is its own x * a + b)
// within 1e-5 of the output's largest magnitude on random inputs, and the
// fold is not made when its conditions fail (the conv output has another
// use, or the BN parameters are not constant).
#include <algorithm>
#include <cmath>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/executor/session.h"
#include "core/graph/onnx/onnx_import.h"
#include "tests/onnx/onnx_run_util.h"
#include "tests/onnx/onnx_test_util.h"

namespace graphrt {
namespace {

using onnx::AttributeProto;
using onnx::TensorProto;
using namespace onnx_test;  // NOLINT: test builders

// BN(x) with random parameters (var > 0) as initializers, or as graph
// inputs when `params_as_inputs` (then fed by Run).
void AddBatchNorm(onnx::ModelProto& m, const std::string& x, const std::string& y, int64_t c,
                  std::mt19937& rng, bool params_as_inputs = false) {
  const char* names[] = {"scale", "bias", "mean", "var"};
  for (int i = 0; i < 4; ++i) {
    if (params_as_inputs) {
      AddInput(m, names[i], TensorProto::FLOAT, {c});
    } else {
      AddInit(m, names[i], {c}, rng, i == 3 ? 0.5f : -1.0f, 1.5f);
    }
  }
  onnx::NodeProto* bn = AddNode(m, "BatchNormalization", {x, "scale", "bias", "mean", "var"}, {y}, "bn");
  AddAttr(bn, "epsilon", AttributeProto::FLOAT)->set_f(1e-3f);
}

struct Imported {
  std::vector<Tensor> outputs;
  int folded = 0;
};

Imported RunImported(const onnx::ModelProto& proto, bool fold, const std::vector<Tensor>& inputs) {
  OnnxImportOptions options;
  options.fold_batch_norm = fold;
  absl::StatusOr<OnnxModel> m = ImportOnnxModel(proto, options);
  EXPECT_TRUE(m.ok()) << m.status();
  if (!m.ok()) return {};
  const int folded = m->folded_batch_norms;
  absl::StatusOr<std::vector<Tensor>> out = RunOnnxModel(std::move(*m), inputs);
  EXPECT_TRUE(out.ok()) << out.status();
  return {out.ok() ? *out : std::vector<Tensor>{}, folded};
}

// Folded and unfolded imports of `m` agree on `inputs`; returns the number
// of BNs the folded import folded.
int ExpectFoldMatches(const onnx::ModelProto& m, const std::vector<Tensor>& inputs) {
  Imported folded = RunImported(m, true, inputs), plain = RunImported(m, false, inputs);
  EXPECT_EQ(plain.folded, 0);
  ExpectOutputsNear(folded.outputs, plain.outputs, 1e-5f);
  return folded.folded;
}

Tensor RandomTensor(const std::vector<int64_t>& dims, std::mt19937& rng) {
  return Tensor::FromVector(RandomValues(Count(dims), rng, -1, 1), TensorShape(dims));
}

TEST(OnnxFoldTest, ConvWithAndWithoutBiasAndGroups) {
  for (int variant = 0; variant < 3; ++variant) {
    SCOPED_TRACE(variant);
    std::mt19937 rng(18 + variant);
    const int64_t group = variant == 2 ? 2 : 1;
    onnx::ModelProto m = Model(13);
    AddInput(m, "x", TensorProto::FLOAT, {2, 4, 6, 5});
    AddInit(m, "w", {6, 4 / group, 3, 3}, rng);
    std::vector<std::string> in = {"x", "w"};
    if (variant != 1) {
      AddInit(m, "b", {6}, rng);
      in.push_back("b");
    }
    onnx::NodeProto* conv = AddNode(m, "Conv", in, {"c"}, "conv");
    AttributeProto* pads = AddAttr(conv, "pads", AttributeProto::INTS);
    for (int i = 0; i < 4; ++i) pads->add_ints(1);
    AddAttr(conv, "group", AttributeProto::INT)->set_i(group);
    AddBatchNorm(m, "c", "y", 6, rng);
    AddOutput(m, "y", TensorProto::FLOAT, {2, 6, 6, 5});
    EXPECT_EQ(ExpectFoldMatches(m, {RandomTensor({2, 4, 6, 5}, rng)}), 1);
  }
}

TEST(OnnxFoldTest, GemmTransposedWithAlphaBetaAndWithoutC) {
  for (int variant = 0; variant < 2; ++variant) {
    SCOPED_TRACE(variant);
    std::mt19937 rng(7 + variant);
    onnx::ModelProto m = Model(13);
    AddInput(m, "a", TensorProto::FLOAT, {3, 5});
    std::vector<std::string> in = {"a", "w"};
    AddInit(m, "w", variant == 0 ? std::vector<int64_t>{4, 5} : std::vector<int64_t>{5, 4}, rng);
    if (variant == 0) {
      AddInit(m, "c", {1, 4}, rng);
      in.push_back("c");
    }
    onnx::NodeProto* gemm = AddNode(m, "Gemm", in, {"g"}, "gemm");
    AddAttr(gemm, "transB", AttributeProto::INT)->set_i(variant == 0 ? 1 : 0);
    AddAttr(gemm, "alpha", AttributeProto::FLOAT)->set_f(0.7f);
    AddAttr(gemm, "beta", AttributeProto::FLOAT)->set_f(1.3f);
    AddBatchNorm(m, "g", "y", 4, rng);
    AddOutput(m, "y", TensorProto::FLOAT, {3, 4});
    EXPECT_EQ(ExpectFoldMatches(m, {RandomTensor({3, 5}, rng)}), 1);
  }
}

TEST(OnnxFoldTest, MatMulPlusBias) {
  std::mt19937 rng(3);
  onnx::ModelProto m = Model(13);
  AddInput(m, "a", TensorProto::FLOAT, {3, 5});
  AddInit(m, "w", {5, 4}, rng);
  AddInit(m, "b", {4}, rng);
  AddNode(m, "MatMul", {"a", "w"}, {"p"}, "mm");
  AddNode(m, "Add", {"b", "p"}, {"s"}, "add");
  AddBatchNorm(m, "s", "y", 4, rng);
  AddOutput(m, "y", TensorProto::FLOAT, {3, 4});
  EXPECT_EQ(ExpectFoldMatches(m, {RandomTensor({3, 5}, rng)}), 1);
}

TEST(OnnxFoldTest, NotFoldedWhenConvOutputHasAnotherUse) {
  std::mt19937 rng(5);
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {1, 2, 4, 4});
  AddInit(m, "w", {3, 2, 1, 1}, rng);
  AddNode(m, "Conv", {"x", "w"}, {"c"}, "conv");
  AddBatchNorm(m, "c", "y", 3, rng);
  AddNode(m, "Relu", {"c"}, {"r"}, "relu");  // a second use of the conv output
  AddOutput(m, "y", TensorProto::FLOAT, {1, 3, 4, 4});
  AddOutput(m, "r", TensorProto::FLOAT, {1, 3, 4, 4});
  EXPECT_EQ(ExpectFoldMatches(m, {RandomTensor({1, 2, 4, 4}, rng)}), 0);

  // The conv output being a graph output is a use too.
  onnx::ModelProto m2 = Model(13);
  AddInput(m2, "x", TensorProto::FLOAT, {1, 2, 4, 4});
  AddInit(m2, "w", {3, 2, 1, 1}, rng);
  AddNode(m2, "Conv", {"x", "w"}, {"c"}, "conv");
  AddBatchNorm(m2, "c", "y", 3, rng);
  AddOutput(m2, "y", TensorProto::FLOAT, {1, 3, 4, 4});
  AddOutput(m2, "c", TensorProto::FLOAT, {1, 3, 4, 4});
  EXPECT_EQ(ExpectFoldMatches(m2, {RandomTensor({1, 2, 4, 4}, rng)}), 0);
}

// BN parameters fed at run time: no fold, and the output is still BN's
// formula, checked here against a loop over the elements.
TEST(OnnxFoldTest, NotFoldedWhenParametersAreInputs) {
  std::mt19937 rng(9);
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {1, 2, 3, 1});
  AddInit(m, "w", {2, 2, 1, 1}, rng);
  AddNode(m, "Conv", {"x", "w"}, {"c"}, "conv");
  AddBatchNorm(m, "c", "y", 2, rng, /*params_as_inputs=*/true);
  AddOutput(m, "y", TensorProto::FLOAT, {1, 2, 3, 1});
  const Tensor x = RandomTensor({1, 2, 3, 1}, rng);
  const std::vector<float> scale = {1.5f, -0.5f}, bias = {0.25f, 2}, mean = {0.1f, -0.3f},
                           var = {0.8f, 2.5f};
  std::vector<Tensor> in = {x};
  for (const auto* v : {&scale, &bias, &mean, &var}) in.push_back(Tensor::FromVector(*v));
  Imported r = RunImported(m, true, in);
  EXPECT_EQ(r.folded, 0);
  ASSERT_EQ(r.outputs.size(), 1u);
  const std::vector<float> w(m.graph().initializer(0).float_data().begin(),
                             m.graph().initializer(0).float_data().end());
  for (int o = 0; o < 2; ++o) {
    for (int p = 0; p < 3; ++p) {
      double conv = 0;
      for (int i = 0; i < 2; ++i) conv += double(w[o * 2 + i]) * x.flat<float>()[i * 3 + p];
      const double want = (conv - mean[o]) / std::sqrt(double(var[o]) + 1e-3) * scale[o] + bias[o];
      EXPECT_NEAR(r.outputs[0].flat<float>()[o * 3 + p], want, 1e-5) << o << "," << p;
    }
  }
}

}  // namespace
}  // namespace graphrt
