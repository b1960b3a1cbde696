// Small helpers for reading and writing protobuf files: whole files as
// strings, text format with the parser's complaints in the status, and the
// unknown-field check that graphrt's GraphDef reader and the TensorFlow
// importer share (Note [Unknown fields] in proto_util.cc).
//
// Thread-safety: pure functions.
#ifndef GRAPHRT_CORE_GRAPH_IO_PROTO_UTIL_H_
#define GRAPHRT_CORE_GRAPH_IO_PROTO_UTIL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/unknown_field_set.h"

namespace graphrt {

// The whole file at `path`; NOT_FOUND naming the path when it cannot be opened.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);
absl::Status WriteStringToFile(const std::string& path, absl::string_view data);

// Text format into `message`; INVALID_ARGUMENT listing each error as
// "line L, column C: ...". Nothing is logged.
absl::Status ParseTextProto(absl::string_view text, google::protobuf::Message* message);

// OK when `message` holds only fields its type declares; otherwise
// DATA_LOSS naming the first other one and `where` it was, e.g. "unknown
// field 7 (length-delimited) at the top level". A declared field number
// sent with another wire type counts as unknown (protobuf keeps it so).
absl::Status CheckNoUnknownFields(const google::protobuf::Message& message,
                                  absl::string_view where);

// CheckNoUnknownFields for a GraphDef-shaped message (graphrt's or
// TensorFlow's: a repeated `node` with a `name`): the top level, then each
// node ("in node 'x'", the name C-escaped: it may be any bytes).
template <typename GraphDefProto>
absl::Status CheckGraphDefFields(const GraphDefProto& def) {
  if (absl::Status s = CheckNoUnknownFields(def, "at the top level"); !s.ok()) return s;
  for (const auto& node : def.node()) {
    if (node.GetReflection()->GetUnknownFields(node).empty()) continue;  // no name to build
    return CheckNoUnknownFields(node, absl::StrCat("in node '", absl::CHexEscape(node.name()), "'"));
  }
  return absl::OkStatus();
}

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_IO_PROTO_UTIL_H_
