// ParseJson and JsonValue (core/base/json.h): a recursive-descent reader for
// configuration documents. Strict: no comments, no trailing commas.
#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "core/base/json.h"

namespace graphrt {

const JsonValue* JsonValue::Find(absl::string_view key) const {
  if (kind_ != Kind::kObject) return nullptr;
  for (const auto& [k, v] : object_) {
    if (k == key) return &v;
  }
  return nullptr;
}

const char* JsonValue::KindName(Kind kind) {
  switch (kind) {
    case Kind::kNull: return "null";
    case Kind::kBool: return "boolean";
    case Kind::kNumber: return "number";
    case Kind::kString: return "string";
    case Kind::kArray: return "array";
    case Kind::kObject: return "object";
  }
  return "?";
}

class JsonParser {
 public:
  explicit JsonParser(absl::string_view text) : s_(text) {}

  absl::StatusOr<JsonValue> Document() {
    JsonValue v;
    if (absl::Status st = Value(v, 0); !st.ok()) return st;
    SkipSpace();
    if (pos_ != s_.size()) return Error("end of the document");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 64;

  absl::Status Error(absl::string_view expected) const {
    std::string found = pos_ < s_.size() ? absl::StrCat("'", s_.substr(pos_, 1), "'")
                                         : std::string("the end of the text");
    return absl::InvalidArgumentError(absl::StrCat(
        "JSON: expected ", expected, " at offset ", pos_, ", found ", found));
  }
  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Consume(absl::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  absl::Status Value(JsonValue& v, int depth) {
    if (depth > kMaxDepth) return Error("at most 64 nested arrays/objects");
    SkipSpace();
    if (pos_ >= s_.size()) return Error("a value");
    const char c = s_[pos_];
    if (c == '{') return Object(v, depth);
    if (c == '[') return Array(v, depth);
    if (c == '"') {
      v.kind_ = JsonValue::Kind::kString;
      return String(v.string_);
    }
    if (Consume("true") || Consume("false")) {
      v.kind_ = JsonValue::Kind::kBool;
      v.bool_ = c == 't';
      return absl::OkStatus();
    }
    if (Consume("null")) return absl::OkStatus();
    if (c == '-' || (c >= '0' && c <= '9')) return Number(v);
    return Error("a value (object, array, string, number, true, false or null)");
  }

  absl::Status Object(JsonValue& v, int depth) {
    v.kind_ = JsonValue::Kind::kObject;
    ++pos_;  // '{'
    SkipSpace();
    if (Consume("}")) return absl::OkStatus();
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '"') return Error("a member name in quotes");
      const size_t key_at = pos_;
      std::string key;
      if (absl::Status st = String(key); !st.ok()) return st;
      if (v.Find(key) != nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("JSON: duplicate member \"", key, "\" at offset ", key_at));
      }
      SkipSpace();
      if (!Consume(":")) return Error("':' after a member name");
      JsonValue member;
      if (absl::Status st = Value(member, depth + 1); !st.ok()) return st;
      v.object_.emplace_back(std::move(key), std::move(member));
      SkipSpace();
      if (Consume("}")) return absl::OkStatus();
      if (!Consume(",")) return Error("',' or '}' in an object");
    }
  }

  absl::Status Array(JsonValue& v, int depth) {
    v.kind_ = JsonValue::Kind::kArray;
    ++pos_;  // '['
    SkipSpace();
    if (Consume("]")) return absl::OkStatus();
    while (true) {
      JsonValue item;
      if (absl::Status st = Value(item, depth + 1); !st.ok()) return st;
      v.array_.push_back(std::move(item));
      SkipSpace();
      if (Consume("]")) return absl::OkStatus();
      if (!Consume(",")) return Error("',' or ']' in an array");
    }
  }

  absl::Status Number(JsonValue& v) {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t at = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ > at;
    };
    Consume("-");
    if (Consume("0")) {
    } else if (!digits()) {
      return Error("a digit");
    }
    if (Consume(".") && !digits()) return Error("a digit after '.'");
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (!Consume("+")) Consume("-");
      if (!digits()) return Error("a digit in the exponent");
    }
    const std::string text(s_.substr(start, pos_ - start));
    v.kind_ = JsonValue::Kind::kNumber;
    v.number_ = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(v.number_)) {
      pos_ = start;
      return Error("a number within double's range");
    }
    return absl::OkStatus();
  }

  static void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  absl::Status Hex4(uint32_t& cp) {
    cp = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      if (pos_ >= s_.size()) return Error("four hex digits after \\u");
      const char h = s_[pos_];
      int d = h >= '0' && h <= '9' ? h - '0'
              : h >= 'a' && h <= 'f' ? h - 'a' + 10
              : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
      if (d < 0) return Error("four hex digits after \\u");
      cp = cp * 16 + static_cast<uint32_t>(d);
    }
    return absl::OkStatus();
  }

  absl::Status String(std::string& out) {
    ++pos_;  // '"'
    while (true) {
      if (pos_ >= s_.size()) return Error("a closing '\"'");
      const unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return absl::OkStatus();
      }
      if (c < 0x20) return Error("no control character inside a string (escape it)");
      if (c != '\\') {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) return Error("an escape after '\\'");
      const char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp;
          if (absl::Status st = Hex4(cp); !st.ok()) return st;
          if (cp >= 0xD800 && cp < 0xDC00) {
            uint32_t low;
            if (!Consume("\\u")) return Error("a low surrogate \\uDC00-\\uDFFF");
            if (absl::Status st = Hex4(low); !st.ok()) return st;
            if (low < 0xDC00 || low >= 0xE000) return Error("a low surrogate \\uDC00-\\uDFFF");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            return Error("a high surrogate before a low one");
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          --pos_;
          return Error("one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u");
      }
    }
  }

  absl::string_view s_;
  size_t pos_ = 0;
};

absl::StatusOr<JsonValue> ParseJson(absl::string_view text) {
  return JsonParser(text).Document();
}

}  // namespace graphrt
