// JSON read back in tests, through graphrt's own strict reader (ParseJson,
// core/base/json.h), as a value with short accessors: enough to check that a
// hand-written JSON export is valid and to look inside it.
// Thread-safety: pure functions.
#ifndef GRAPHRT_TESTS_MEMORY_JSON_CHECKER_H_
#define GRAPHRT_TESTS_MEMORY_JSON_CHECKER_H_

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "core/base/json.h"

namespace graphrt::memtest {

struct Json {
  using Object = std::map<std::string, Json>;
  using Array = std::vector<Json>;
  std::variant<std::nullptr_t, bool, double, std::string, Array, Object> value;

  const Json& operator[](const std::string& key) const {
    static const Json kMissing;
    const auto* obj = std::get_if<Object>(&value);
    if (obj == nullptr) return kMissing;
    auto it = obj->find(key);
    return it == obj->end() ? kMissing : it->second;
  }
  const Json& operator[](size_t i) const { return std::get<Array>(value).at(i); }
  double num() const { return std::get<double>(value); }
  const std::string& str() const { return std::get<std::string>(value); }
  size_t size() const { return std::get<Array>(value).size(); }
};

class JsonParser {
 public:
  // The value, or nullopt when `text` is not exactly one valid JSON value.
  static std::optional<Json> Parse(const std::string& text) {
    absl::StatusOr<JsonValue> parsed = ParseJson(text);
    if (!parsed.ok()) return std::nullopt;
    return Convert(*parsed);
  }

 private:
  static Json Convert(const JsonValue& v) {
    Json out;
    switch (v.kind()) {
      case JsonValue::Kind::kNull:
        break;
      case JsonValue::Kind::kBool:
        out.value = v.bool_value();
        break;
      case JsonValue::Kind::kNumber:
        out.value = v.number();
        break;
      case JsonValue::Kind::kString:
        out.value = v.string();
        break;
      case JsonValue::Kind::kArray: {
        Json::Array array;
        for (const JsonValue& e : v.array()) array.push_back(Convert(e));
        out.value = std::move(array);
        break;
      }
      case JsonValue::Kind::kObject: {
        Json::Object object;
        for (const auto& [key, e] : v.object()) object.emplace(key, Convert(e));
        out.value = std::move(object);
        break;
      }
    }
    return out;
  }
};

}  // namespace graphrt::memtest

#endif  // GRAPHRT_TESTS_MEMORY_JSON_CHECKER_H_
