// Small helpers for reading and writing protobuf files: whole files as
// strings, and text format with the parser's complaints in the status.
//
// Thread-safety: pure functions.
#ifndef GRAPHRT_CORE_GRAPH_IO_PROTO_UTIL_H_
#define GRAPHRT_CORE_GRAPH_IO_PROTO_UTIL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace graphrt {

// The whole file at `path`; NOT_FOUND naming the path when it cannot be opened.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);
absl::Status WriteStringToFile(const std::string& path, absl::string_view data);

// Text format into `message`; INVALID_ARGUMENT listing each error as
// "line L, column C: ...". Nothing is logged.
absl::Status ParseTextProto(absl::string_view text, google::protobuf::Message* message);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_IO_PROTO_UTIL_H_
