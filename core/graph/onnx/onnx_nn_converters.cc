// ONNX converters of the nn family. This stub adds none, so the
// converter table links before the family's helper lands its real file
// (which replaces this one).
#include <vector>

#include "core/graph/onnx/onnx_converter.h"

namespace graphrt::onnx_import {

void AddNnConverters(std::vector<OnnxConverter>& table) {}

}  // namespace graphrt::onnx_import
