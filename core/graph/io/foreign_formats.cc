#include "core/graph/io/foreign_formats.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace graphrt {
namespace {

// Note [Recognising ONNX models]
// Rationale: an ONNX model is protobuf too, so graphrt's and TensorFlow's
// readers refuse it only as bytes with unknown fields (Note [Unknown fields]
// in proto_util.cc), which does not tell the user what the file is or that
// graphrt cannot read it yet.
// Approach: a scan of the wire format, copying nothing, that accepts what
// onnx.proto's ModelProto allows: every top-level field is one ModelProto
// declares, with its wire type; ir_version (1, varint, 1 to 100) is set;
// graph (7) holds only GraphProto fields, all length-delimited, and each of
// its nodes only NodeProto fields, all length-delimited, op_type among them;
// at least one opset_import (8) holds a domain (1, length-delimited) and a
// version (2, varint). A graphrt GraphDef has no field 7; a TensorFlow
// GraphDef's field 1 is length-delimited, never a varint.
// Limitations: what lies below a node (attributes, tensors) is not looked
// at. Recognising a model only changes the refusal's wording: bytes are
// never accepted because of it.
constexpr int kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5;
constexpr int64_t kMaxIrVersion = 100;

struct WireField {
  uint32_t number = 0;
  int wire_type = 0;
  uint64_t varint = 0;          // kVarint
  absl::string_view payload;    // kLengthDelimited
};

// Protobuf wire format, one field at a time. Next() is false at the end and
// on malformed bytes, which ok() then reports; groups count as malformed
// (onnx.proto has none).
class WireReader {
 public:
  explicit WireReader(absl::string_view bytes) : rest_(bytes) {}

  bool Next(WireField* f) {
    if (!ok_ || rest_.empty()) return false;
    uint64_t tag = 0;
    ok_ = ReadVarint(&tag) && (tag >> 3) >= 1 && (tag >> 3) <= 0x1fffffff;
    if (!ok_) return false;
    f->number = static_cast<uint32_t>(tag >> 3);
    f->wire_type = static_cast<int>(tag & 7);
    switch (f->wire_type) {
      case kVarint: ok_ = ReadVarint(&f->varint); break;
      case kFixed64: ok_ = Skip(8); break;
      case kFixed32: ok_ = Skip(4); break;
      case kLengthDelimited: {
        uint64_t size = 0;
        ok_ = ReadVarint(&size) && size <= rest_.size();
        if (ok_) {
          f->payload = rest_.substr(0, size);
          rest_.remove_prefix(size);
        }
        break;
      }
      default: ok_ = false;
    }
    return ok_;
  }
  bool ok() const { return ok_; }

 private:
  bool ReadVarint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && !rest_.empty(); shift += 7) {
      const auto byte = static_cast<uint8_t>(rest_[0]);
      rest_.remove_prefix(1);
      *v |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }
  bool Skip(size_t n) {
    if (rest_.size() < n) return false;
    rest_.remove_prefix(n);
    return true;
  }

  absl::string_view rest_;
  bool ok_ = true;
};

// ModelProto's wire type for field `number`, or -1 for a field it lacks.
int ModelFieldWireType(uint32_t number) {
  switch (number) {
    case 1: case 5: return kVarint;  // ir_version, model_version
    case 2: case 3: case 4: case 6: case 7: case 8: case 14: case 20: case 25: case 26:
      return kLengthDelimited;  // producer, domain, doc, graph, opsets, metadata, ...
    default: return -1;
  }
}

bool IsNodeProto(absl::string_view bytes) {
  WireReader in(bytes);
  WireField f;
  bool has_op_type = false;
  while (in.Next(&f)) {
    // input, output, name, op_type, attribute, doc_string, domain, overload,
    // metadata_props, device_configurations
    if (f.wire_type != kLengthDelimited || f.number > 10) return false;
    has_op_type |= f.number == 4 && !f.payload.empty();
  }
  return in.ok() && has_op_type;
}

bool IsGraphProto(absl::string_view bytes) {
  WireReader in(bytes);
  WireField f;
  while (in.Next(&f)) {
    if (f.wire_type != kLengthDelimited) return false;
    switch (f.number) {
      case 1:
        if (!IsNodeProto(f.payload)) return false;
        break;
      // name, initializer, doc_string, input, output, value_info,
      // quantization_annotation, sparse_initializer, metadata_props
      case 2: case 5: case 10: case 11: case 12: case 13: case 14: case 15: case 16: break;
      default: return false;
    }
  }
  return in.ok();
}

// An OperatorSetIdProto; sets *default_opset for the default domain.
bool IsOpsetImport(absl::string_view bytes, int64_t* default_opset) {
  WireReader in(bytes);
  WireField f;
  absl::string_view domain;
  bool has_version = false;
  int64_t version = 0;
  while (in.Next(&f)) {
    if (f.number == 1 && f.wire_type == kLengthDelimited) {
      domain = f.payload;
    } else if (f.number == 2 && f.wire_type == kVarint) {
      has_version = true;
      version = static_cast<int64_t>(f.varint);
    } else {
      return false;
    }
  }
  if (!in.ok() || !has_version) return false;
  if (domain.empty() || domain == "ai.onnx") *default_opset = version;
  return true;
}

std::string Quoted(absl::string_view s) {
  constexpr size_t kMax = 64;
  return absl::StrCat("'", absl::CHexEscape(s.substr(0, kMax)), s.size() > kMax ? "...'" : "'");
}

}  // namespace

absl::Status CheckNotEmpty(absl::string_view bytes) {
  if (!bytes.empty()) return absl::OkStatus();
  return absl::DataLossError("empty graph file (0 bytes)");
}

std::optional<OnnxModelInfo> RecognizeOnnxModel(absl::string_view bytes) {
  OnnxModelInfo info;
  bool has_ir_version = false, has_graph = false, has_opset = false;
  WireReader in(bytes);
  WireField f;
  while (in.Next(&f)) {
    if (ModelFieldWireType(f.number) != f.wire_type) return std::nullopt;
    switch (f.number) {
      case 1:
        if (f.varint < 1 || f.varint > kMaxIrVersion) return std::nullopt;
        has_ir_version = true;
        info.ir_version = static_cast<int64_t>(f.varint);
        break;
      case 2: info.producer_name = std::string(f.payload); break;
      case 3: info.producer_version = std::string(f.payload); break;
      case 7:
        if (!IsGraphProto(f.payload)) return std::nullopt;
        has_graph = true;
        break;
      case 8:
        if (!IsOpsetImport(f.payload, &info.opset)) return std::nullopt;
        has_opset = true;
        break;
      default: break;
    }
  }
  if (!in.ok() || !has_ir_version || !has_graph || !has_opset) return std::nullopt;
  return info;
}

absl::Status RefuseGraphBytes(absl::string_view bytes, absl::Status refusal) {
  std::optional<OnnxModelInfo> onnx = RecognizeOnnxModel(bytes);
  if (!onnx.has_value()) return refusal;
  std::string what = absl::StrCat("ir_version ", onnx->ir_version);
  if (onnx->opset > 0) absl::StrAppend(&what, ", opset ", onnx->opset);
  if (!onnx->producer_name.empty()) {
    absl::StrAppend(&what, ", producer ", Quoted(onnx->producer_name));
    if (!onnx->producer_version.empty()) {
      absl::StrAppend(&what, " version ", Quoted(onnx->producer_version));
    }
  }
  return absl::UnimplementedError(absl::StrCat(
      "an ONNX model (", what, "): this reader takes graphrt or TensorFlow GraphDefs; "
      "import ONNX models with ReadOnnxModel (core/graph/onnx/onnx_import.h) or "
      "`graphrt run`"));
}

}  // namespace graphrt
