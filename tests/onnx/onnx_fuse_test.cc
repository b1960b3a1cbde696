// Gemm fusion at import (core/graph/onnx/onnx_fuse.h, Note [Gemm fusion at
// import]): Gemm (+ Relu) and MatMul + Add (+ Relu) become one FusedMatMul,
// with the values of the unfused import (OnnxImportOptions::fuse_gemm off)
// on random inputs; a Relu is not absorbed when the Gemm's output is a
// graph output or has another user; a Gemm that cannot fuse (alpha != 1, a
// [M, N] C) keeps its ops and its absorbed Relu; and the option turns it off.
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

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

Tensor RandomTensor(const std::vector<int64_t>& dims, std::mt19937& rng) {
  return Tensor::FromVector(RandomValues(Count(dims), rng), TensorShape(dims));
}

struct Imported {
  std::map<std::string, int> ops;  // op type -> node count
  std::vector<std::string> activations;  // each FusedMatMul's, in node order
  int fused_relus = 0;
  std::vector<Tensor> outputs;
};

Imported Import(const onnx::ModelProto& proto, bool fuse, const std::vector<Tensor>& inputs) {
  OnnxImportOptions options;
  options.fuse_gemm = fuse;
  absl::StatusOr<OnnxModel> m = ImportOnnxModel(proto, options);
  EXPECT_TRUE(m.ok()) << m.status();
  if (!m.ok()) return {};
  Imported r;
  r.fused_relus = m->fused_relus;
  for (int i = 0; i < m->graph.num_nodes(); ++i) {
    const Node& n = m->graph.node(i);
    ++r.ops[n.op()];
    if (n.op() == "FusedMatMul") r.activations.push_back(*n.attr<std::string>("activation"));
  }
  absl::StatusOr<std::vector<Tensor>> out = RunOnnxModel(std::move(*m), inputs);
  EXPECT_TRUE(out.ok()) << out.status();
  if (out.ok()) r.outputs = *out;
  return r;
}

// The fused import of `m`, after checking that its outputs are the unfused
// import's (within 1e-5 of each output's largest magnitude), and that the
// unfused import has no FusedMatMul.
Imported ExpectFusedMatches(const onnx::ModelProto& m, const std::vector<Tensor>& inputs) {
  Imported fused = Import(m, true, inputs), plain = Import(m, false, inputs);
  EXPECT_EQ(plain.ops["FusedMatMul"], 0);
  EXPECT_EQ(plain.fused_relus, 0);
  ExpectOutputsNear(fused.outputs, plain.outputs, 1e-5f);
  return fused;
}

// make_onnx_models.py's MLP in small: Gemm(transB) + Relu, Gemm with a
// [1, N] C, Softmax; a dynamic batch.
TEST(OnnxFuseTest, MlpGemmsAndReluBecomeFusedMatMuls) {
  std::mt19937 rng(18);
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {-1, 8});
  AddInit(m, "w1", {6, 8}, rng);
  AddInit(m, "b1", {6}, rng);
  AddInit(m, "w2", {6, 3}, rng);
  AddInit(m, "b2", {1, 3}, rng);
  AddAttr(AddNode(m, "Gemm", {"x", "w1", "b1"}, {"h"}, "fc1"), "transB", AttributeProto::INT)
      ->set_i(1);
  AddNode(m, "Relu", {"h"}, {"r"}, "relu1");
  AddNode(m, "Gemm", {"r", "w2", "b2"}, {"logits"}, "fc2");
  AddNode(m, "Softmax", {"logits"}, {"y"}, "softmax");
  AddOutput(m, "y", TensorProto::FLOAT, {-1, 3});
  for (int64_t batch : {1, 5}) {
    SCOPED_TRACE(batch);
    Imported r = ExpectFusedMatches(m, {RandomTensor({batch, 8}, rng)});
    EXPECT_EQ(r.ops["FusedMatMul"], 2);
    EXPECT_THAT(r.activations, ::testing::ElementsAre("Relu", "None"));
    EXPECT_EQ(r.ops["MatMul"] + r.ops["Add"] + r.ops["Relu"], 0);
    EXPECT_EQ(r.fused_relus, 1);
  }
}

// TF-style layers: MatMul, Add of a bias (on either side), Relu.
TEST(OnnxFuseTest, MatMulAddReluBecomesOneFusedMatMul) {
  std::mt19937 rng(3);
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {4, 5});
  AddInit(m, "w", {5, 3}, rng);
  AddInit(m, "b", {3}, rng);
  AddInit(m, "w2", {3, 2}, rng);
  AddInit(m, "b2", {1, 2}, rng);
  AddNode(m, "MatMul", {"x", "w"}, {"p"}, "mm");
  AddNode(m, "Add", {"b", "p"}, {"s"}, "add");
  AddNode(m, "Relu", {"s"}, {"h"}, "relu");
  AddNode(m, "MatMul", {"h", "w2"}, {"p2"}, "mm2");
  AddNode(m, "Add", {"p2", "b2"}, {"y"}, "add2");
  AddOutput(m, "y", TensorProto::FLOAT, {4, 2});
  // h's rank is declared for the second MatMul's left operand.
  SetTensorType(m.mutable_graph()->add_value_info(), "h", TensorProto::FLOAT, {4, 3});
  Imported r = ExpectFusedMatches(m, {RandomTensor({4, 5}, rng)});
  EXPECT_EQ(r.ops["FusedMatMul"], 2);
  EXPECT_THAT(r.activations, ::testing::ElementsAre("Relu", "None"));
  EXPECT_EQ(r.ops["MatMul"] + r.ops["Add"] + r.ops["Relu"], 0);
}

// The Relu stays an op of its own when the Gemm's output is also a graph
// output, or has another user; the Gemm still takes its bias.
TEST(OnnxFuseTest, ReluNotAbsorbedWhenTheGemmOutputIsUsedElsewhere) {
  for (bool graph_output : {true, false}) {
    SCOPED_TRACE(graph_output ? "graph output" : "another user");
    std::mt19937 rng(5);
    onnx::ModelProto m = Model(13);
    AddInput(m, "x", TensorProto::FLOAT, {3, 4});
    AddInit(m, "w", {4, 6}, rng);
    AddInit(m, "b", {6}, rng);
    AddNode(m, "Gemm", {"x", "w", "b"}, {"g"}, "gemm");
    AddNode(m, "Relu", {"g"}, {"r"}, "relu");
    if (graph_output) {
      AddOutput(m, "g", TensorProto::FLOAT, {3, 6});
      AddOutput(m, "r", TensorProto::FLOAT, {3, 6});
    } else {
      AddNode(m, "Add", {"g", "r"}, {"y"}, "other_user");
      AddOutput(m, "y", TensorProto::FLOAT, {3, 6});
    }
    Imported r = ExpectFusedMatches(m, {RandomTensor({3, 4}, rng)});
    EXPECT_EQ(r.ops["FusedMatMul"], 1);
    EXPECT_THAT(r.activations, ::testing::ElementsAre("None"));
    EXPECT_EQ(r.ops["Relu"], 1);
    EXPECT_EQ(r.fused_relus, 0);
  }
}

// Gemm forms: beta and a one-element C fold into the bias at import; no C
// with a Relu takes a zero bias; a run-time [N] C is the bias. alpha != 1
// and a [M, N] C do not fuse, and their absorbed Relu is applied as an op.
TEST(OnnxFuseTest, GemmFormsFuseWhereTheyCanAndKeepTheirValues) {
  struct Variant {
    const char* name;
    float alpha, beta;
    std::vector<int64_t> c;  // C's dims; empty: no C
    bool c_is_input;
    bool fuses;
  };
  const Variant variants[] = {
      {"beta", 1.0f, 1.5f, {6}, false, true},
      {"one-element C", 1.0f, 1.0f, {1}, false, true},
      {"no C", 1.0f, 1.0f, {}, false, true},
      {"C fed", 1.0f, 1.0f, {6}, true, true},
      {"alpha", 0.5f, 1.0f, {6}, false, false},
      {"C [M, N]", 1.0f, 1.0f, {3, 6}, false, false},
  };
  for (const Variant& v : variants) {
    SCOPED_TRACE(v.name);
    std::mt19937 rng(7);
    onnx::ModelProto m = Model(13);
    AddInput(m, "x", TensorProto::FLOAT, {3, 4});
    AddInit(m, "w", {6, 4}, rng);
    std::vector<std::string> in = {"x", "w"};
    std::vector<Tensor> feeds = {RandomTensor({3, 4}, rng)};
    if (!v.c.empty()) {
      if (v.c_is_input) {
        AddInput(m, "c", TensorProto::FLOAT, v.c);
        feeds.push_back(RandomTensor(v.c, rng));
      } else {
        AddInit(m, "c", v.c, rng);
      }
      in.push_back("c");
    }
    onnx::NodeProto* gemm = AddNode(m, "Gemm", in, {"g"}, "gemm");
    AddAttr(gemm, "transB", AttributeProto::INT)->set_i(1);
    AddAttr(gemm, "alpha", AttributeProto::FLOAT)->set_f(v.alpha);
    AddAttr(gemm, "beta", AttributeProto::FLOAT)->set_f(v.beta);
    AddNode(m, "Relu", {"g"}, {"y"}, "relu");
    AddOutput(m, "y", TensorProto::FLOAT, {3, 6});
    Imported r = ExpectFusedMatches(m, feeds);
    EXPECT_EQ(r.fused_relus, 1);
    EXPECT_EQ(r.ops["FusedMatMul"], v.fuses ? 1 : 0);
    EXPECT_EQ(r.ops["Relu"], v.fuses ? 0 : 1);
    EXPECT_EQ(r.ops["MatMul"], v.fuses ? 0 : 1);
  }
}

// A float64 Gemm (BatchMatMulV2) is marked but not fused: its absorbed Relu
// is applied on its own.
TEST(OnnxFuseTest, Float64GemmKeepsItsOps) {
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::DOUBLE, {2, 2});
  onnx::TensorProto w;
  w.set_name("w");
  w.set_data_type(TensorProto::DOUBLE);
  w.add_dims(2);
  w.add_dims(2);
  for (double d : {1.0, -2.0, 3.0, -4.0}) w.add_double_data(d);
  *m.mutable_graph()->add_initializer() = w;
  AddNode(m, "Gemm", {"x", "w"}, {"g"}, "gemm");
  AddNode(m, "Relu", {"g"}, {"y"}, "relu");
  AddOutput(m, "y", TensorProto::DOUBLE, {2, 2});
  absl::StatusOr<OnnxModel> model = ImportOnnxModel(m);
  ASSERT_TRUE(model.ok()) << model.status();
  std::map<std::string, int> ops;
  for (int i = 0; i < model->graph.num_nodes(); ++i) ++ops[model->graph.node(i).op()];
  EXPECT_EQ(ops["FusedMatMul"], 0);
  EXPECT_EQ(ops["Relu"], 1);
  auto s = Session::Create(std::move(model->graph));
  ASSERT_TRUE(s.ok()) << s.status();
  auto out = (*s)->Run({{model->inputs[0], Tensor::FromVector<double>({1, 1, 1, 0}, {2, 2})}},
                       {model->outputs[0]});
  ASSERT_TRUE(out.ok()) << out.status();
  // [1, 1] x w = [4, -6] -> [4, 0]; [1, 0] x w = [1, -2] -> [1, 0].
  EXPECT_THAT(std::vector<double>((*out)[0].flat<double>().begin(),
                                  (*out)[0].flat<double>().end()),
              ::testing::ElementsAre(4, 0, 1, 0));
}

}  // namespace
}  // namespace graphrt
