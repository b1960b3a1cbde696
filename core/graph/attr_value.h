// AttrValue: the value of one node attribute (an int, a dtype, a shape, a
// tensor, ...), and AttrMap, a node's attributes by name.
//
// Thread-safety: plain values.
#ifndef GRAPHRT_CORE_GRAPH_ATTR_VALUE_H_
#define GRAPHRT_CORE_GRAPH_ATTR_VALUE_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/graph/tensor.h"
#include "core/graph/tensor_shape.h"
#include "core/graph/types.h"

namespace graphrt {

enum class AttrType { kInt, kFloat, kBool, kString, kType, kShape, kIntList, kTensor };

using AttrValue = std::variant<int64_t, float, bool, std::string, DataType, PartialShape,
                               std::vector<int64_t>, Tensor>;

absl::string_view AttrTypeName(AttrType type);
AttrType AttrTypeOf(const AttrValue& value);
std::string AttrValueDebugString(const AttrValue& value);

using AttrMap = absl::flat_hash_map<std::string, AttrValue>;

// Reads attr `name` as T; a status naming the attr when missing or mistyped.
template <typename T>
absl::StatusOr<T> GetAttr(const AttrMap& attrs, absl::string_view name);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_ATTR_VALUE_H_
