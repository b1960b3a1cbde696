// Internal to the ONNX importer: the raw converter table, for the test that
// checks no (op type, since opset) pair is listed twice. The importer uses
// FindOnnxConverter (onnx_converter.h).
#ifndef GRAPHRT_CORE_GRAPH_ONNX_ONNX_CONVERTERS_H_
#define GRAPHRT_CORE_GRAPH_ONNX_ONNX_CONVERTERS_H_

#include <string>
#include <vector>

#include "core/graph/onnx/onnx_converter.h"

namespace graphrt::onnx_import {

// Every family's entries, unsorted, duplicates kept.
std::vector<OnnxConverter> AllOnnxConverterEntries();
// "Op since opset N" for each pair listed more than once.
std::vector<std::string> DuplicateOnnxConverters(const std::vector<OnnxConverter>& entries);

}  // namespace graphrt::onnx_import

#endif  // GRAPHRT_CORE_GRAPH_ONNX_ONNX_CONVERTERS_H_
