// Internal to the ONNX importer (core/graph/onnx/): what the graph rewrites
// made before conversion (onnx_fold.h, onnx_fuse.h) ask of an ONNX graph:
// which values are initializers, how often each value is used (a graph
// output counts as a use), which node computes it, and the rank declared for
// it (graph inputs and value_info); and the attribute readers they share.
//
// The index points into the graph it was made from, which must outlive it
// and not change. Thread-compatible.
#ifndef GRAPHRT_CORE_GRAPH_ONNX_ONNX_GRAPH_INDEX_H_
#define GRAPHRT_CORE_GRAPH_ONNX_ONNX_GRAPH_INDEX_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "onnx/onnx_pb.h"

namespace graphrt::onnx_import {

// The node is of the default domain ("" or "ai.onnx").
bool IsDefaultDomain(const onnx::NodeProto& n);
// The attribute, or null / `fallback` when the node lacks it.
const onnx::AttributeProto* FindNodeAttr(const onnx::NodeProto& n, const char* name);
int64_t NodeIntAttr(const onnx::NodeProto& n, const char* name, int64_t fallback);
float NodeFloatAttr(const onnx::NodeProto& n, const char* name, float fallback);

class OnnxGraphIndex {
 public:
  explicit OnnxGraphIndex(const onnx::GraphProto& g);

  // The initializer named `name`, or null (also for the empty name).
  const onnx::TensorProto* Initializer(const std::string& name) const;
  // The index of the default-domain, single-output node computing `value`
  // when `value` has exactly one use (the caller's) and is no graph output;
  // else -1.
  int SoleProducer(const std::string& value) const;
  // The rank declared for `value` by a graph input or value_info.
  std::optional<int> DeclaredRank(const std::string& value) const;

 private:
  const onnx::GraphProto& g_;
  absl::flat_hash_map<std::string, int> inits_, uses_, producer_, rank_;
};

}  // namespace graphrt::onnx_import

#endif  // GRAPHRT_CORE_GRAPH_ONNX_ONNX_GRAPH_INDEX_H_
