#include "core/graph/onnx/onnx_graph_index.h"

namespace graphrt::onnx_import {

bool IsDefaultDomain(const onnx::NodeProto& n) {
  return n.domain().empty() || n.domain() == "ai.onnx";
}

const onnx::AttributeProto* FindNodeAttr(const onnx::NodeProto& n, const char* name) {
  for (const onnx::AttributeProto& a : n.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

int64_t NodeIntAttr(const onnx::NodeProto& n, const char* name, int64_t fallback) {
  const onnx::AttributeProto* a = FindNodeAttr(n, name);
  return a == nullptr ? fallback : a->i();
}

float NodeFloatAttr(const onnx::NodeProto& n, const char* name, float fallback) {
  const onnx::AttributeProto* a = FindNodeAttr(n, name);
  return a == nullptr ? fallback : a->f();
}

OnnxGraphIndex::OnnxGraphIndex(const onnx::GraphProto& g) : g_(g) {
  for (int i = 0; i < g.initializer_size(); ++i) inits_[g.initializer(i).name()] = i;
  for (const onnx::NodeProto& n : g.node()) {
    for (const std::string& in : n.input()) {
      if (!in.empty()) ++uses_[in];
    }
  }
  for (const onnx::ValueInfoProto& o : g.output()) ++uses_[o.name()];
  for (int i = 0; i < g.node_size(); ++i) {
    for (const std::string& out : g.node(i).output()) producer_[out] = i;
  }
  for (const auto* list : {&g.input(), &g.value_info()}) {
    for (const onnx::ValueInfoProto& v : *list) {
      if (v.type().has_tensor_type() && v.type().tensor_type().has_shape()) {
        rank_[v.name()] = v.type().tensor_type().shape().dim_size();
      }
    }
  }
}

const onnx::TensorProto* OnnxGraphIndex::Initializer(const std::string& name) const {
  auto it = inits_.find(name);
  if (name.empty() || it == inits_.end()) return nullptr;
  return &g_.initializer(it->second);
}

int OnnxGraphIndex::SoleProducer(const std::string& value) const {
  auto u = uses_.find(value);
  auto p = producer_.find(value);
  if (u == uses_.end() || u->second != 1 || p == producer_.end()) return -1;
  const onnx::NodeProto& n = g_.node(p->second);
  if (!IsDefaultDomain(n) || n.output_size() != 1) return -1;
  return p->second;
}

std::optional<int> OnnxGraphIndex::DeclaredRank(const std::string& value) const {
  auto it = rank_.find(value);
  if (it == rank_.end()) return std::nullopt;
  return it->second;
}

}  // namespace graphrt::onnx_import
