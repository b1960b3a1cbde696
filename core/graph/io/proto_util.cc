#include "core/graph/io/proto_util.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace graphrt {
namespace {

// Collects the text-format parser's complaints into one message.
class TextErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!text_.empty()) text_ += "; ";
    absl::StrAppend(&text_, "line ", line + 1, ", column ", column + 1, ": ", message);
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

const char* WireTypeName(google::protobuf::UnknownField::Type type) {
  switch (type) {
    case google::protobuf::UnknownField::TYPE_VARINT: return "varint";
    case google::protobuf::UnknownField::TYPE_FIXED32: return "fixed32";
    case google::protobuf::UnknownField::TYPE_FIXED64: return "fixed64";
    case google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED: return "length-delimited";
    case google::protobuf::UnknownField::TYPE_GROUP: return "group";
  }
  return "?";
}

}  // namespace

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open '", path, "' for reading"));
  std::ostringstream data;
  data << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading '", path, "'"));
  return std::move(data).str();
}

absl::Status WriteStringToFile(const std::string& path, absl::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::NotFoundError(absl::StrCat("cannot open '", path, "' for writing"));
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return absl::DataLossError(absl::StrCat("error writing '", path, "'"));
  return absl::OkStatus();
}

absl::Status ParseTextProto(absl::string_view text, google::protobuf::Message* message) {
  google::protobuf::TextFormat::Parser parser;
  TextErrors errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), message)) {
    return absl::InvalidArgumentError(errors.text().empty() ? "text format does not parse"
                                                            : errors.text());
  }
  return absl::OkStatus();
}

// Note [Unknown fields]
// Rationale: protobuf's parser keeps a field it does not know, or a known
// field number sent with another wire type, as an "unknown field" and still
// succeeds. So any bytes in protobuf wire format (an ONNX model, a binary
// RuntimeConfig, a TensorProto, often random bytes) "parse" as a GraphDef,
// usually one with no nodes, and would run as an empty graph.
// Approach: a reader that has parsed bytes as its own format refuses them
// when they hold any unknown field at the top level or in a node, naming
// the field; graphrt's GraphDef reader and the TensorFlow importer both call
// CheckGraphDefFields. tf_graph.proto therefore declares every field of
// TensorFlow's GraphDef and NodeDef, the unused ones as opaque bytes.
// Limitations: nested messages (attrs, tensors) are not checked: TF adds
// fields there that graphrt ignores. A file whose bytes happen to be all
// declared fields is still read (the two-byte graphrt empty graph is also a
// binary RuntimeConfig with inter_op_threads: 1).
absl::Status CheckNoUnknownFields(const google::protobuf::Message& message,
                                  absl::string_view where) {
  const google::protobuf::UnknownFieldSet& unknown =
      message.GetReflection()->GetUnknownFields(message);
  if (unknown.empty()) return absl::OkStatus();
  const google::protobuf::UnknownField& field = unknown.field(0);
  return absl::DataLossError(absl::StrCat("unknown field ", field.number(), " (",
                                          WireTypeName(field.type()), ") ",
                                          where));
}

}  // namespace graphrt
