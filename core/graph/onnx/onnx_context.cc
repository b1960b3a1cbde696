// OnnxContext's attribute helpers: shared by every converter; the importer
// (onnx_import.cc) implements the rest of the context.
#include "core/graph/onnx/onnx_converter.h"

namespace graphrt::onnx_import {

const onnx::AttributeProto* OnnxContext::FindAttr(absl::string_view name) const {
  for (const onnx::AttributeProto& a : node().attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

int64_t OnnxContext::IntAttr(absl::string_view name, int64_t fallback) const {
  const onnx::AttributeProto* a = FindAttr(name);
  return a == nullptr ? fallback : a->i();
}

float OnnxContext::FloatAttr(absl::string_view name, float fallback) const {
  const onnx::AttributeProto* a = FindAttr(name);
  return a == nullptr ? fallback : a->f();
}

std::string OnnxContext::StringAttr(absl::string_view name, absl::string_view fallback) const {
  const onnx::AttributeProto* a = FindAttr(name);
  return a == nullptr ? std::string(fallback) : a->s();
}

std::vector<int64_t> OnnxContext::IntsAttr(absl::string_view name) const {
  return OptionalIntsAttr(name).value_or(std::vector<int64_t>{});
}

std::optional<std::vector<int64_t>> OnnxContext::OptionalIntsAttr(absl::string_view name) const {
  const onnx::AttributeProto* a = FindAttr(name);
  if (a == nullptr) return std::nullopt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

std::vector<float> OnnxContext::FloatsAttr(absl::string_view name) const {
  const onnx::AttributeProto* a = FindAttr(name);
  if (a == nullptr) return {};
  return std::vector<float>(a->floats().begin(), a->floats().end());
}

absl::StatusOr<Tensor> OnnxContext::TensorAttr(absl::string_view name) const {
  const onnx::AttributeProto* a = FindAttr(name);
  if (a == nullptr || !a->has_t()) return Error("attr '", name, "' (a tensor) is not set");
  absl::StatusOr<Tensor> t = TensorFromOnnx(a->t());
  if (!t.ok()) return NodeStatus(t.status().code(), "attr '", name, "': ", t.status().message());
  return t;
}

}  // namespace graphrt::onnx_import
