// Internal to the ONNX importer's shape family (onnx_shape_converters.cc):
// the converters for operands computed when the model runs (Note [Run-time
// shape operands], onnx_shape_runtime_converters.cc), for GatherND,
// ScatterND and ScatterElements, and for the ops that always read their
// operands when they run (CumSum, Tile, Trilu, GatherElements, OneHot, TopK). Each builds its nodes and binds the ONNX
// outputs, or returns a status naming the node.
//
// Thread-safety: as any converter, used by the one thread importing a model.
#ifndef GRAPHRT_CORE_GRAPH_ONNX_ONNX_SHAPE_RUNTIME_CONVERTERS_H_
#define GRAPHRT_CORE_GRAPH_ONNX_ONNX_SHAPE_RUNTIME_CONVERTERS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "core/graph/onnx/onnx_converter.h"

namespace graphrt::onnx_import {

// Slice whose starts, ends, axes or steps are not import-time constants.
absl::Status ConvertRunTimeSlice(OnnxContext& ctx);
// Split of x along `axis` (normalised) by run-time sizes (input 1).
absl::Status ConvertRunTimeSplit(OnnxContext& ctx, Output x, int64_t axis);
// Pad with run-time pads, or in edge / reflect mode.
absl::Status ConvertDynamicPad(OnnxContext& ctx, const std::string& mode);
absl::Status ConvertGatherNd(OnnxContext& ctx);
absl::Status ConvertScatterNd(OnnxContext& ctx);
absl::Status ConvertScatterElements(OnnxContext& ctx);
// Ops whose operands are always read when they run.
absl::Status ConvertCumSum(OnnxContext& ctx);
absl::Status ConvertTile(OnnxContext& ctx);
absl::Status ConvertTrilu(OnnxContext& ctx);
absl::Status ConvertGatherElements(OnnxContext& ctx);
absl::Status ConvertOneHot(OnnxContext& ctx);
absl::Status ConvertTopK(OnnxContext& ctx);

}  // namespace graphrt::onnx_import

#endif  // GRAPHRT_CORE_GRAPH_ONNX_ONNX_SHAPE_RUNTIME_CONVERTERS_H_
