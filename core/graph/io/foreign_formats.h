// What graph readers say about bytes they refuse: an empty file is refused
// before parsing, and bytes that are an ONNX model (recognised by the
// structure of a ModelProto) get UNIMPLEMENTED saying so, instead of the
// reader's own DATA_LOSS, pointing to the ONNX importer (core/graph/onnx).
//
// Called by ParseGraph (graph_def.cc) and ParseTfGraph (core/graph/tf) on
// the raw bytes they were given. Internal: not a public header.
//
// Thread-safety: pure functions.
#ifndef GRAPHRT_CORE_GRAPH_IO_FOREIGN_FORMATS_H_
#define GRAPHRT_CORE_GRAPH_IO_FOREIGN_FORMATS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace graphrt {

// DATA_LOSS "empty graph file (0 bytes)" for no bytes, else OK. Neither
// graphrt nor TensorFlow writes an empty graph as zero bytes (both write a
// version), so an empty file is a failed write or download, not a graph.
absl::Status CheckNotEmpty(absl::string_view bytes);

struct OnnxModelInfo {
  int64_t ir_version = 0;
  int64_t opset = 0;  // the default domain's ("" or "ai.onnx"); 0 when not imported
  std::string producer_name, producer_version;  // as written; may be empty
};

// The model's identity when `bytes` are an ONNX ModelProto, else nullopt.
// See Note [Recognising ONNX models] in foreign_formats.cc.
std::optional<OnnxModelInfo> RecognizeOnnxModel(absl::string_view bytes);

// What a reader returns for `bytes` it refused with `refusal` (DATA_LOSS,
// naming its own format): UNIMPLEMENTED "an ONNX model (ir_version 8, ...)
// ... import ONNX models with ReadOnnxModel ..." when they are one, else
// `refusal`.
absl::Status RefuseGraphBytes(absl::string_view bytes, absl::Status refusal);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_IO_FOREIGN_FORMATS_H_
