// A tiny strict JSON parser for tests: enough to check that hand-written JSON
// is valid (RFC 8259 grammar, string escapes included) and to read it back.
// Thread-safety: pure functions.
#ifndef GRAPHRT_TESTS_MEMORY_JSON_CHECKER_H_
#define GRAPHRT_TESTS_MEMORY_JSON_CHECKER_H_

#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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
    JsonParser p(text);
    std::optional<Json> v = p.Value();
    p.Space();
    if (!v || p.i_ != text.size()) return std::nullopt;
    return v;
  }

 private:
  explicit JsonParser(const std::string& s) : s_(s) {}
  void Space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool Eat(char c) {
    Space();
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  bool Word(const char* w) {
    const std::string word(w);
    if (s_.compare(i_, word.size(), word) != 0) return false;
    i_ += word.size();
    return true;
  }
  std::optional<Json> Value() {
    Space();
    if (i_ >= s_.size()) return std::nullopt;
    const char c = s_[i_];
    if (c == '{') return Object();
    if (c == '[') return Array();
    if (c == '"') {
      std::optional<std::string> s = String();
      return s ? std::optional<Json>(Json{*s}) : std::nullopt;
    }
    if (Word("true")) return Json{true};
    if (Word("false")) return Json{false};
    if (Word("null")) return Json{nullptr};
    return Number();
  }
  std::optional<Json> Number() {
    const size_t start = i_;
    if (s_[i_] == '-') ++i_;
    if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) return {};
    if (s_[i_] == '0' && i_ + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_ + 1])))
      return {};  // no leading zeros
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) ||
                              std::string_view(".eE+-").find(s_[i_]) != std::string::npos))
      ++i_;
    char* end = nullptr;
    const std::string text = s_.substr(start, i_ - start);
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size()) return {};
    return Json{v};
  }
  std::optional<std::string> String() {
    ++i_;  // opening quote
    std::string out;
    while (i_ < s_.size()) {
      const unsigned char c = s_[i_++];
      if (c == '"') return out;
      if (c < 0x20) return std::nullopt;  // control characters must be escaped
      if (c != '\\') {
        out += static_cast<char>(c);
        continue;
      }
      if (i_ >= s_.size()) return std::nullopt;
      const char e = s_[i_++];
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) return std::nullopt;
          unsigned v = 0;
          for (int k = 0; k < 4; ++k) {
            const char h = s_[i_++];
            if (!std::isxdigit(static_cast<unsigned char>(h))) return std::nullopt;
            v = v * 16 + (std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (h | 0x20) - 'a' + 10);
          }
          if (v >= 0x80) return std::nullopt;  // tests only need ASCII escapes
          out += static_cast<char>(v);
          break;
        }
        default: return std::nullopt;
      }
    }
    return std::nullopt;
  }
  std::optional<Json> Array() {
    ++i_;
    Json::Array out;
    if (Eat(']')) return Json{out};
    do {
      std::optional<Json> v = Value();
      if (!v) return std::nullopt;
      out.push_back(*v);
    } while (Eat(','));
    return Eat(']') ? std::optional<Json>(Json{out}) : std::nullopt;
  }
  std::optional<Json> Object() {
    ++i_;
    Json::Object out;
    if (Eat('}')) return Json{out};
    do {
      Space();
      if (i_ >= s_.size() || s_[i_] != '"') return std::nullopt;
      std::optional<std::string> key = String();
      if (!key || !Eat(':')) return std::nullopt;
      std::optional<Json> v = Value();
      if (!v) return std::nullopt;
      out[*key] = *v;
    } while (Eat(','));
    return Eat('}') ? std::optional<Json>(Json{out}) : std::nullopt;
  }

  const std::string& s_;
  size_t i_ = 0;
};

}  // namespace graphrt::memtest

#endif  // GRAPHRT_TESTS_MEMORY_JSON_CHECKER_H_
