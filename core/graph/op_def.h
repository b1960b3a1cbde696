// OpDef: what an op is (inputs, outputs, attrs with types and defaults, the
// stateful flag, a shape function), and OpRegistry, the table of them.
//
// Ops are registered once, by RegisterStandardOps (core/graph/ops/) into the
// registry returned by OpRegistry::Global(); after that the registry is only
// read. Thread-safety: Register and Find are thread-safe.
#ifndef GRAPHRT_CORE_GRAPH_OP_DEF_H_
#define GRAPHRT_CORE_GRAPH_OP_DEF_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "core/base/sync.h"
#include "core/graph/attr_value.h"
#include "core/graph/tensor_shape.h"
#include "core/graph/types.h"

namespace graphrt {

// One input or output: a fixed dtype, or the dtype held by a type attr.
// `number_attr` names an int attr giving how many tensors the arg holds (AddN).
struct ArgDef {
  std::string name;
  DataType type = DataType::kInvalid;  // fixed type, or kInvalid
  std::string type_attr;               // else the attr holding the type
  std::string number_attr;             // "" for a single tensor
};

struct AttrDef {
  std::string name;
  AttrType type;
  std::optional<AttrValue> default_value;  // none: the attr is required
  std::vector<DataType> allowed_types;     // for kType; empty: any
};

class ShapeContext;
using ShapeFn = std::function<absl::Status(ShapeContext&)>;

struct OpDef {
  std::string name;
  std::vector<ArgDef> inputs;
  std::vector<ArgDef> outputs;
  std::vector<AttrDef> attrs;
  bool is_stateful = false;  // never pruned by CSE, ordered per resource
  // Properties the executor reads instead of comparing op names:
  bool is_feed = false;  // a feed point: Session::Run's feeds fill it (Placeholder)
  bool is_copy = false;  // moves its input 0 to the node's device (_Copy)
  // Always cheaper than a dispatch on every device (it aliases or forwards
  // buffers: Const, Identity, Reshape, ...): the executor runs it inline.
  bool is_cheap = false;
  ShapeFn shape_fn;          // null: outputs have unknown shapes
  std::string summary;

  const AttrDef* FindAttr(absl::string_view attr) const;
};

// Fluent registration: Op("Add").Input("x: T").Input("y: T").Output("z: T")
//   .TypeAttr("T", {kFloat32, kInt32}).Shape(BroadcastShapeFn);
// Arg specs read "name: float32", "name: T" or "name: N * T".
class OpDefBuilder {
 public:
  explicit OpDefBuilder(std::string name);
  OpDefBuilder& Input(absl::string_view spec);
  OpDefBuilder& Output(absl::string_view spec);
  OpDefBuilder& TypeAttr(std::string name, std::vector<DataType> allowed = {});
  OpDefBuilder& Attr(std::string name, AttrType type,
                     std::optional<AttrValue> default_value = std::nullopt);
  OpDefBuilder& Stateful();
  OpDefBuilder& Feed();   // is_feed
  OpDefBuilder& Copy();   // is_copy
  OpDefBuilder& Cheap();  // is_cheap
  OpDefBuilder& Shape(ShapeFn fn);
  OpDefBuilder& Doc(std::string summary);
  // Checks the spec (every referenced attr is declared) and returns the def.
  absl::StatusOr<OpDef> Finish() &&;

 private:
  ArgDef ParseArg(absl::string_view spec);
  OpDef def_;
  absl::Status status_;
};

class OpRegistry {
 public:
  // The registry holding every standard op (registered on first use).
  static OpRegistry& Global();

  absl::Status Register(OpDefBuilder builder);
  // nullptr when no op has that name.
  const OpDef* Find(absl::string_view name) const;
  std::vector<std::string> ListOps() const;

 private:
  mutable Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<const OpDef>> ops_ ABSL_GUARDED_BY(mu_);
};

// Registers every op of core/graph/ops/ (called once by Global()).
void RegisterStandardOps(OpRegistry& registry);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OP_DEF_H_
