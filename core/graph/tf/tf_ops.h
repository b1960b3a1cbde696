// Internal to the TF importer: one converter per supported TF op, and the
// TF value conversions (dtypes, shapes, tensors) they share.
//
// A converter reads one TF node through a NodeContext and says which
// graphrt op it becomes, which of its data inputs it keeps (in order) and
// with which attrs; the driver (tf_import.cc) resolves inputs, devices and
// control edges.
//
// Thread-safety: the table is built once and read-only.
#ifndef GRAPHRT_CORE_GRAPH_TF_TF_OPS_H_
#define GRAPHRT_CORE_GRAPH_TF_TF_OPS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/graph/attr_value.h"
#include "core/graph/tf/tf_graph.pb.h"

namespace graphrt::tf_import {

// One value of a folded shape expression. An unknown dimension (-1) that
// Shape read from a tensor remembers which tensor and dimension it copies.
struct FoldedDim {
  int64_t value = 0;
  std::string source;  // graphrt endpoint name ("x", "x:1"); "" when known
  int dim = -1;
};

class NodeContext {
 public:
  virtual ~NodeContext() = default;
  virtual const tfproto::NodeDef& node() const = 0;
  virtual int num_data_inputs() const = 0;
  // Data input `i`'s value, which must be known at import time: a Const or a
  // folded shape expression. Unknown dimensions read -1.
  virtual absl::StatusOr<std::vector<FoldedDim>> StaticDims(int i) = 0;
  absl::StatusOr<std::vector<int64_t>> StaticInts(int i);
  // Data input `i` as a graphrt endpoint name, and its inferred shape.
  virtual absl::StatusOr<std::string> InputName(int i) = 0;
  virtual absl::StatusOr<PartialShape> InputShape(int i) = 0;
};

struct Converted {
  std::string op;           // the graphrt op
  std::vector<int> inputs;  // the TF data inputs it keeps, in order
  AttrMap attrs;
};

// Converts one node to the graphrt op `op` (several TF ops map to one).
using ConvertFn = absl::StatusOr<Converted> (*)(NodeContext& ctx, const char* op);
struct Converter {
  ConvertFn convert;
  const char* op;
  absl::StatusOr<Converted> operator()(NodeContext& ctx) const { return convert(ctx, op); }
};

// The converter for TF op `op`, or null when the op is not supported.
const Converter* FindConverter(absl::string_view op);
std::vector<std::string> ConverterOps();

// INVALID_ARGUMENT "TF node 'name' (Op): <parts>".
template <typename... Parts>
absl::Status NodeError(const tfproto::NodeDef& node, const Parts&... parts) {
  return absl::InvalidArgumentError(
      absl::StrCat("TF node '", node.name(), "' (", node.op(), "): ", parts...));
}

// Attr `name` of a TF node, or null.
const tfproto::AttrValue* FindTfAttr(const tfproto::NodeDef& node, absl::string_view name);
// A Const node's value; errors name the node.
absl::StatusOr<Tensor> ConstValue(const tfproto::NodeDef& node);

absl::StatusOr<DataType> DataTypeFromTf(int dtype);
absl::StatusOr<PartialShape> ShapeFromTf(const tfproto::TensorShapeProto& shape);
absl::StatusOr<Tensor> TensorFromTf(const tfproto::TensorProto& tensor);

}  // namespace graphrt::tf_import

#endif  // GRAPHRT_CORE_GRAPH_TF_TF_OPS_H_
