// TensorFlow frozen-graph import: a TF GraphDef (binary `.pb`, e.g. from
// convert_variables_to_constants_v2) becomes a graphrt Graph.
//
// Supported ops (SupportedTfOps) map one to one onto graphrt ops, keeping
// node names and device requests, so "images" and "probabilities:0" name
// the same tensors as in TensorFlow. Inputs TensorFlow passes as tensors but
// graphrt takes as attrs (Reshape's shape, reduction axes, ExpandDims' dim,
// ArgMax's dimension) must be known at import time: Const, or a Shape /
// StridedSlice / Pack expression over shapes the import already knows (how
// Keras' Flatten computes [batch, -1]); such helper nodes are folded away
// (see Note [Folding shape expressions] in tf_import.cc).
//
// Errors: UNIMPLEMENTED listing every unsupported op with its nodes;
// INVALID_ARGUMENT naming the node for a bad attr, dtype or input, or when
// no node would be imported (only Consts and shape expressions nothing
// reads); NOT_FOUND for a missing file. Bytes (ParseTfGraph, ReadTfGraph)
// that are no TF GraphDef are DATA_LOSS "not a TensorFlow GraphDef: ..."
// saying why: an empty file, bytes that do not parse, a field TensorFlow's
// GraphDef or NodeDef does not have ("unknown field 1 (varint) at the top
// level", "... in node 'x'"), or no nodes; an ONNX model is UNIMPLEMENTED,
// saying so. ReadTfGraph's errors start with the path.
//
// Thread-safety: pure functions.
#ifndef GRAPHRT_CORE_GRAPH_TF_TF_IMPORT_H_
#define GRAPHRT_CORE_GRAPH_TF_TF_IMPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/graph/graph.h"
#include "core/graph/tf/tf_graph.pb.h"

namespace graphrt {

struct TfImportOptions {
  // Keep the device each TF node asks for ("/device:GPU:0"); false drops
  // them all and leaves placement to graphrt.
  bool keep_devices = true;
};

absl::StatusOr<Graph> ImportTfGraph(const tfproto::GraphDef& def,
                                    const TfImportOptions& options = {});
// Binary GraphDef bytes, as written by tf.io.write_graph(..., as_text=False).
absl::StatusOr<Graph> ParseTfGraph(absl::string_view bytes, const TfImportOptions& options = {});
absl::StatusOr<Graph> ReadTfGraph(const std::string& path, const TfImportOptions& options = {});

// The TF op names the importer maps, sorted.
std::vector<std::string> SupportedTfOps();

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_TF_TF_IMPORT_H_
