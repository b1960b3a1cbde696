// The converter table: every family's entries, sorted by (op type, opset),
// built once. See onnx_converter.h for how an entry covers opsets.
#include <algorithm>
#include <string>
#include <vector>

#include "core/graph/onnx/onnx_converter.h"
#include "core/graph/onnx/onnx_converters.h"

namespace graphrt::onnx_import {
namespace {

bool EntryLess(const OnnxConverter& a, const OnnxConverter& b) {
  int c = std::string_view(a.op_type).compare(b.op_type);
  return c != 0 ? c < 0 : a.since_opset < b.since_opset;
}

const std::vector<OnnxConverter>& Table() {
  static const std::vector<OnnxConverter>* table = [] {
    auto* t = new std::vector<OnnxConverter>(AllOnnxConverterEntries());
    std::stable_sort(t->begin(), t->end(), EntryLess);
    return t;
  }();
  return *table;
}

}  // namespace

std::vector<OnnxConverter> AllOnnxConverterEntries() {
  std::vector<OnnxConverter> table;
  AddCoreConverters(table);
  AddElementwiseConverters(table);
  AddShapeConverters(table);
  AddReductionConverters(table);
  AddNnConverters(table);
  AddMiscConverters(table);
  AddRnnConverters(table);
  return table;
}

std::vector<std::string> DuplicateOnnxConverters(const std::vector<OnnxConverter>& entries) {
  std::vector<OnnxConverter> sorted = entries;
  std::stable_sort(sorted.begin(), sorted.end(), EntryLess);
  std::vector<std::string> dups;
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (std::string_view(sorted[i].op_type) == sorted[i - 1].op_type &&
        sorted[i].since_opset == sorted[i - 1].since_opset) {
      dups.push_back(absl::StrCat(sorted[i].op_type, " since opset ", sorted[i].since_opset));
    }
  }
  return dups;
}

const OnnxConverter* FindOnnxConverter(absl::string_view op_type, int64_t opset) {
  // The entry with the largest since_opset <= opset for this op type.
  const OnnxConverter* found = nullptr;
  for (const OnnxConverter& c : Table()) {
    if (op_type == c.op_type && c.since_opset <= opset) found = &c;
  }
  return found;
}

std::vector<std::string> OnnxConverterOps() {
  std::vector<std::string> ops;
  for (const OnnxConverter& c : Table()) {
    if (ops.empty() || ops.back() != c.op_type) ops.push_back(c.op_type);
  }
  return ops;
}

}  // namespace graphrt::onnx_import
