// The Gemm fusion rewrite: see Note [Gemm fusion at import] in onnx_fuse.h.
#include "core/graph/onnx/onnx_fuse.h"

#include <string>
#include <utility>
#include <vector>

#include "core/graph/onnx/onnx_graph_index.h"

namespace graphrt::onnx_import {
namespace {

bool IsFloatInitializer(const onnx::TensorProto* t) {
  return t != nullptr && t->data_type() == onnx::TensorProto::FLOAT;
}

// Add(MatMul(x, W), b) or Add(b, MatMul(x, W)) at node `add`, under the
// conditions of the Note: the index of the MatMul, and the Gemm replacing
// the Add; nullopt otherwise.
std::optional<std::pair<int, onnx::NodeProto>> GemmFromMatMulAdd(const onnx::GraphProto& g,
                                                                 const OnnxGraphIndex& index,
                                                                 int add) {
  const onnx::NodeProto& n = g.node(add);
  if (n.input_size() != 2 || n.output_size() != 1) return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    const int mm = index.SoleProducer(n.input(side));
    if (mm < 0 || g.node(mm).op_type() != "MatMul" || g.node(mm).input_size() != 2) continue;
    const onnx::NodeProto& matmul = g.node(mm);
    if (index.DeclaredRank(matmul.input(0)) != 2) continue;
    const onnx::TensorProto* w = index.Initializer(matmul.input(1));
    const onnx::TensorProto* b = index.Initializer(n.input(1 - side));
    if (!IsFloatInitializer(w) || !IsFloatInitializer(b) || w->dims_size() != 2) continue;
    const int64_t cols = w->dims(1);
    const bool vector = b->dims_size() == 1 && b->dims(0) == cols;
    const bool row = b->dims_size() == 2 && b->dims(0) == 1 && b->dims(1) == cols;
    if (!vector && !row) continue;
    onnx::NodeProto gemm;
    gemm.set_name(matmul.name());
    gemm.set_op_type("Gemm");
    gemm.add_input(matmul.input(0));
    gemm.add_input(matmul.input(1));
    gemm.add_input(n.input(1 - side));
    gemm.add_output(n.output(0));
    return std::make_pair(mm, std::move(gemm));
  }
  return std::nullopt;
}

void SetActivation(onnx::NodeProto& gemm, const char* activation) {
  onnx::AttributeProto* a = gemm.add_attribute();
  a->set_name(kFusedActivationAttr);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(activation);
}

}  // namespace

std::optional<google::protobuf::RepeatedPtrField<onnx::NodeProto>> FuseGemms(
    const onnx::GraphProto& graph, int64_t opset, int* relus) {
  if (relus != nullptr) *relus = 0;
  const OnnxGraphIndex index(graph);
  std::vector<onnx::NodeProto> nodes(graph.node().begin(), graph.node().end());
  std::vector<bool> removed(nodes.size(), false);
  bool any_gemm = false;
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto& n = graph.node(i);
    if (!IsDefaultDomain(n)) continue;
    if (n.op_type() == "Gemm") any_gemm = true;
    if (n.op_type() != "Add" || opset < 7) continue;
    if (auto made = GemmFromMatMulAdd(graph, index, i)) {
      // The Gemm takes the Add's place: its inputs are ready there, and
      // every reader of the Add's output comes later.
      removed[made->first] = true;
      nodes[i] = std::move(made->second);
      any_gemm = true;
    }
  }
  if (!any_gemm) return std::nullopt;
  std::vector<const char*> activation(nodes.size(), "None");
  for (size_t i = 0; i < nodes.size(); ++i) {
    const onnx::NodeProto& relu = nodes[i];
    if (relu.op_type() != "Relu" || !IsDefaultDomain(relu) || relu.input_size() != 1 ||
        relu.output_size() != 1) {
      continue;
    }
    // The index is of the graph before the MatMul + Add rewrite; a Gemm made
    // there has the Add's output, index and use count.
    const int p = index.SoleProducer(relu.input(0));
    if (p < 0 || removed[p] || nodes[p].op_type() != "Gemm" || !IsDefaultDomain(nodes[p])) {
      continue;
    }
    nodes[p].set_output(0, relu.output(0));
    activation[p] = "Relu";
    removed[i] = true;
    if (relus != nullptr) ++*relus;
  }
  google::protobuf::RepeatedPtrField<onnx::NodeProto> out;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (removed[i]) continue;
    if (nodes[i].op_type() == "Gemm" && IsDefaultDomain(nodes[i])) {
      SetActivation(nodes[i], activation[i]);
    }
    *out.Add() = std::move(nodes[i]);
  }
  return out;
}

}  // namespace graphrt::onnx_import
