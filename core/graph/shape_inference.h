// ShapeContext: what an op's shape function sees (input dtypes and partial
// shapes, attrs) and fills in (output partial shapes); plus the shape
// functions many ops share.
//
// Shape functions run when a node is added to a Graph, so a shape error is
// reported where the graph is built, naming the node. Unknown dims (-1) are
// allowed throughout; kernels check the real shapes at run time.
#ifndef GRAPHRT_CORE_GRAPH_SHAPE_INFERENCE_H_
#define GRAPHRT_CORE_GRAPH_SHAPE_INFERENCE_H_

#include <span>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/graph/attr_value.h"
#include "core/graph/op_def.h"
#include "core/graph/tensor_shape.h"

namespace graphrt {

class ShapeContext {
 public:
  ShapeContext(absl::string_view node_name, const OpDef& def, const AttrMap& attrs,
               std::span<const DataType> input_types,
               std::span<const PartialShape> input_shapes, int num_outputs)
      : node_name_(node_name), def_(def), attrs_(attrs), input_types_(input_types),
        input_shapes_(input_shapes), outputs_(num_outputs) {}

  int num_inputs() const { return static_cast<int>(input_shapes_.size()); }
  const PartialShape& input(int i) const { return input_shapes_[i]; }
  DataType input_type(int i) const { return input_types_[i]; }
  template <typename T>
  absl::StatusOr<T> attr(absl::string_view name) const { return GetAttr<T>(attrs_, name); }
  const AttrMap& node_attrs() const { return attrs_; }

  int num_outputs() const { return static_cast<int>(outputs_.size()); }
  void set_output(int i, PartialShape shape) { outputs_[i] = std::move(shape); }
  std::vector<PartialShape>& outputs() { return outputs_; }

  // INVALID_ARGUMENT "node 'name' (Op): message".
  absl::Status Error(absl::string_view message) const;

 private:
  absl::string_view node_name_;
  const OpDef& def_;
  const AttrMap& attrs_;
  std::span<const DataType> input_types_;
  std::span<const PartialShape> input_shapes_;
  std::vector<PartialShape> outputs_;
};

// Every output has the shape of input 0.
absl::Status UnchangedShape(ShapeContext& c);
// Outputs are scalars.
absl::Status ScalarShape(ShapeContext& c);
// Output 0 is the numpy broadcast of all inputs.
absl::Status BroadcastShapeFn(ShapeContext& c);
// Output 0 has the shape of input 1 ("like"); inputs 0 and 1 must broadcast
// together (BroadcastLike, ReduceSumLike).
absl::Status LikeShapeFn(ShapeContext& c);

// numpy broadcasting of two known shapes: dims are aligned at the right and
// must be equal or 1. INVALID_ARGUMENT naming both shapes otherwise.
absl::StatusOr<TensorShape> BroadcastShapes(const TensorShape& a, const TensorShape& b);
absl::StatusOr<PartialShape> BroadcastPartialShapes(const PartialShape& a,
                                                    const PartialShape& b);

// Normalises axes (negative counts from the end) against `rank`, sorted and
// de-duplicated; an empty list means every axis. INVALID_ARGUMENT when out of range.
absl::StatusOr<std::vector<int>> NormalizeAxes(std::span<const int64_t> axes, int rank);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_SHAPE_INFERENCE_H_
