// ONNX converters of the shape family. This stub adds none, so the
// converter table links before the family's helper lands its real file
// (which replaces this one).
#include <vector>

#include "core/graph/onnx/onnx_converter.h"

namespace graphrt::onnx_import {

void AddShapeConverters(std::vector<OnnxConverter>& table) {}

}  // namespace graphrt::onnx_import
