#include "core/graph/io/npy.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/graph/io/proto_util.h"
#include "core/base/status_macros.h"

namespace graphrt {
namespace {

constexpr absl::string_view kMagic = "\x93NUMPY";

struct Descr {
  const char* text;
  DataType dtype;
};
constexpr Descr kDescrs[] = {{"<f4", DataType::kFloat32}, {"<i4", DataType::kInt32},
                             {"<i8", DataType::kInt64},   {"|u1", DataType::kUint8},
                             {"|b1", DataType::kBool}};

// The value of `key` in the header dict: the text after "'key':" up to the
// next top-level comma or the closing brace.
absl::StatusOr<absl::string_view> DictValue(absl::string_view header, absl::string_view key) {
  const std::string quoted = absl::StrCat("'", key, "'");
  size_t at = header.find(quoted);
  if (at == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("the header has no ", quoted));
  }
  absl::string_view rest = header.substr(at + quoted.size());
  rest = absl::StripLeadingAsciiWhitespace(rest);
  if (!absl::ConsumePrefix(&rest, ":")) {
    return absl::InvalidArgumentError(absl::StrCat("no ':' after ", quoted));
  }
  rest = absl::StripLeadingAsciiWhitespace(rest);
  int depth = 0;
  size_t end = 0;
  for (; end < rest.size(); ++end) {
    const char c = rest[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
  }
  return absl::StripTrailingAsciiWhitespace(rest.substr(0, end));
}

absl::StatusOr<Tensor> ParseNpyOrError(absl::string_view data) {
  if (!absl::StartsWith(data, kMagic) || data.size() < 10) {
    return absl::InvalidArgumentError("not a .npy file (no \\x93NUMPY magic)");
  }
  const int major = static_cast<uint8_t>(data[6]);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<uint8_t>(data[8]) | static_cast<uint8_t>(data[9]) << 8;
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (data.size() < 12) return absl::InvalidArgumentError("truncated .npy header");
    for (int i = 3; i >= 0; --i) header_len = header_len << 8 | static_cast<uint8_t>(data[8 + i]);
    offset = 12;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(".npy format version ", major,
                                                   " is not supported (1 to 3 are)"));
  }
  if (data.size() < offset + header_len) {
    return absl::InvalidArgumentError("truncated .npy header");
  }
  absl::string_view header = data.substr(offset, header_len);
  ASSIGN_OR_RETURN(absl::string_view descr, DictValue(header, "descr"));
  ASSIGN_OR_RETURN(absl::string_view fortran, DictValue(header, "fortran_order"));
  ASSIGN_OR_RETURN(absl::string_view shape_text, DictValue(header, "shape"));
  descr = absl::StripSuffix(absl::StripPrefix(descr, "'"), "'");
  DataType dtype = DataType::kInvalid;
  for (const Descr& d : kDescrs) {
    if (descr == d.text) dtype = d.dtype;
  }
  if (dtype == DataType::kInvalid) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dtype '", descr, "' is not supported (float32, int32, int64, uint8, bool are); "
        "convert with a.astype(np.float32) or similar before np.save"));
  }
  if (fortran != "False") {
    return absl::InvalidArgumentError(
        "Fortran-ordered arrays are not supported; save np.ascontiguousarray(a)");
  }
  if (!absl::ConsumePrefix(&shape_text, "(") || !absl::ConsumeSuffix(&shape_text, ")")) {
    return absl::InvalidArgumentError(absl::StrCat("shape '", shape_text, "' is not a tuple"));
  }
  std::vector<int64_t> dims;
  for (absl::string_view part : absl::StrSplit(shape_text, ',', absl::SkipWhitespace())) {
    int64_t d = 0;
    if (!absl::SimpleAtoi(part, &d) || d < 0) {
      return absl::InvalidArgumentError(absl::StrCat("shape dimension '", part, "' is not valid"));
    }
    dims.push_back(d);
  }
  ASSIGN_OR_RETURN(TensorShape shape, TensorShape::Make(dims));
  return Tensor::FromBytes(dtype, shape, data.substr(offset + header_len));
}

}  // namespace

absl::StatusOr<Tensor> ParseNpy(absl::string_view data) { return ParseNpyOrError(data); }

std::string SerializeNpy(const Tensor& tensor) {
  const char* descr = "";
  for (const Descr& d : kDescrs) {
    if (d.dtype == tensor.dtype()) descr = d.text;
  }
  // numpy's own spelling: (), (3,), (2, 3).
  std::string shape = absl::StrJoin(tensor.shape().dims(), ", ");
  if (tensor.rank() == 1) shape += ",";
  std::string header = absl::StrCat("{'descr': '", descr, "', 'fortran_order': False, 'shape': (",
                                    shape, "), }");
  // Pad with spaces so the data starts on a 64-byte boundary; end with '\n'.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::string out(kMagic);
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  out.append(static_cast<const char*>(tensor.raw_data()), tensor.TotalBytes());
  return out;
}

absl::StatusOr<Tensor> ReadNpy(const std::string& path) {
  ASSIGN_OR_RETURN(std::string data, ReadFileToString(path));
  auto tensor = ParseNpy(data);
  if (!tensor.ok()) {
    return absl::Status(tensor.status().code(), absl::StrCat(path, ": ", tensor.status().message()));
  }
  return tensor;
}

absl::Status WriteNpy(const Tensor& tensor, const std::string& path) {
  if (tensor.dtype() == DataType::kResource || !tensor.IsInitialized()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot write a ", DataTypeName(tensor.dtype()), " tensor to ", path));
  }
  return WriteStringToFile(path, SerializeNpy(tensor));
}

}  // namespace graphrt
