// JSON helpers: JsonQuote, a string as a JSON string literal, for the
// hand-written JSON exports (OOM reports, placements, step traces; Graphviz
// DOT accepts the same escapes in its quoted strings: "\n" is a line break
// there); and ParseJson, a small strict reader for configuration documents
// (GRAPHRT_CONFIG, core/executor/cluster_spec.h).
//
// ParseJson reads RFC 8259 JSON: objects, arrays, strings (with \u escapes,
// surrogate pairs included, decoded to UTF-8), numbers (as double), true,
// false, null. It refuses trailing text, and nests at most 64 deep. Errors
// are INVALID_ARGUMENT with the byte offset and what was expected. Object
// members keep their order; a duplicate key is an error.
//
// Thread-safety: pure functions; a JsonValue is a plain value.
#ifndef GRAPHRT_CORE_BASE_JSON_H_
#define GRAPHRT_CORE_BASE_JSON_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace graphrt {

// `s` quoted, with quotes, backslashes and control characters escaped;
// UTF-8 passes through unchanged.
std::string JsonQuote(absl::string_view s);

class JsonValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  JsonValue() = default;
  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }

  // The value; meaningful only for the matching kind.
  bool bool_value() const { return bool_; }
  double number() const { return number_; }
  const std::string& string() const { return string_; }
  const std::vector<JsonValue>& array() const { return array_; }
  const std::vector<std::pair<std::string, JsonValue>>& object() const { return object_; }
  // The member called `key` of an object; null when absent or not an object.
  const JsonValue* Find(absl::string_view key) const;

  // "object", "array", "string", "number", "true"/"false" (as "boolean"), "null".
  static const char* KindName(Kind kind);

 private:
  friend class JsonParser;
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<JsonValue> array_;
  std::vector<std::pair<std::string, JsonValue>> object_;
};

// The document in `text`, or INVALID_ARGUMENT naming the offset and the fault.
absl::StatusOr<JsonValue> ParseJson(absl::string_view text);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_BASE_JSON_H_
