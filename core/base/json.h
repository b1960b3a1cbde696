// JsonQuote: a string as a JSON string literal, for the hand-written JSON
// exports (OOM reports, placements, step traces). Graphviz DOT accepts the
// same escapes in its quoted strings ("\n" is a line break there).
//
// Thread-safety: a pure function.
#ifndef GRAPHRT_CORE_BASE_JSON_H_
#define GRAPHRT_CORE_BASE_JSON_H_

#include <string>

#include "absl/strings/string_view.h"

namespace graphrt {

// `s` quoted, with quotes, backslashes and control characters escaped;
// UTF-8 passes through unchanged.
std::string JsonQuote(absl::string_view s);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_BASE_JSON_H_
