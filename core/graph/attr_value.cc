#include "core/graph/attr_value.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace graphrt {

absl::string_view AttrTypeName(AttrType type) {
  switch (type) {
    case AttrType::kInt: return "int";
    case AttrType::kFloat: return "float";
    case AttrType::kBool: return "bool";
    case AttrType::kString: return "string";
    case AttrType::kType: return "type";
    case AttrType::kShape: return "shape";
    case AttrType::kIntList: return "list(int)";
    case AttrType::kTensor: return "tensor";
  }
  return "?";
}

AttrType AttrTypeOf(const AttrValue& value) {
  // The variant's alternatives are listed in AttrType's order.
  return static_cast<AttrType>(value.index());
}

std::string AttrValueDebugString(const AttrValue& value) {
  struct Printer {
    std::string operator()(int64_t v) const { return absl::StrCat(v); }
    std::string operator()(float v) const { return absl::StrCat(v); }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::string& v) const { return absl::StrCat("\"", v, "\""); }
    std::string operator()(DataType v) const { return std::string(DataTypeName(v)); }
    std::string operator()(const PartialShape& v) const { return v.DebugString(); }
    std::string operator()(const std::vector<int64_t>& v) const {
      return absl::StrCat("[", absl::StrJoin(v, ","), "]");
    }
    std::string operator()(const Tensor& v) const { return v.DebugString(4); }
  };
  return std::visit(Printer{}, value);
}

template <typename T>
absl::StatusOr<T> GetAttr(const AttrMap& attrs, absl::string_view name) {
  auto it = attrs.find(name);
  if (it == attrs.end()) {
    return absl::NotFoundError(absl::StrCat("attr '", name, "' is not set"));
  }
  if (const T* v = std::get_if<T>(&it->second)) return *v;
  return absl::InvalidArgumentError(absl::StrCat(
      "attr '", name, "' holds a ", AttrTypeName(AttrTypeOf(it->second)), " (",
      AttrValueDebugString(it->second), "), not the type asked for"));
}

template absl::StatusOr<int64_t> GetAttr(const AttrMap&, absl::string_view);
template absl::StatusOr<float> GetAttr(const AttrMap&, absl::string_view);
template absl::StatusOr<bool> GetAttr(const AttrMap&, absl::string_view);
template absl::StatusOr<std::string> GetAttr(const AttrMap&, absl::string_view);
template absl::StatusOr<DataType> GetAttr(const AttrMap&, absl::string_view);
template absl::StatusOr<PartialShape> GetAttr(const AttrMap&, absl::string_view);
template absl::StatusOr<std::vector<int64_t>> GetAttr(const AttrMap&, absl::string_view);
template absl::StatusOr<Tensor> GetAttr(const AttrMap&, absl::string_view);

}  // namespace graphrt
