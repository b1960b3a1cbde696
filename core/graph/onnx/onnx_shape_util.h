// Internal to the ONNX importer: operand helpers the shape-family
// converters share (onnx_shape_converters.cc, onnx_reduction_converters.cc):
// integers and values known at import time, axes from an attr or an input.
//
// Thread-safety: as any converter, used by the one thread importing a model.
#ifndef GRAPHRT_CORE_GRAPH_ONNX_ONNX_SHAPE_UTIL_H_
#define GRAPHRT_CORE_GRAPH_ONNX_ONNX_SHAPE_UTIL_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/onnx/onnx_converter.h"
#include "core/graph/tensor_shape.h"

namespace graphrt::onnx_import {

// Input i's integers (int32 or int64), known at import time.
absl::StatusOr<std::vector<int64_t>> ConstantInts(OnnxContext& ctx, int i);
// Input i's constant value, or nullopt when it is computed at run time.
std::optional<Tensor> MaybeConstant(OnnxContext& ctx, int i);
// Input i's shape, exact for a constant.
absl::StatusOr<PartialShape> ShapeOf(OnnxContext& ctx, int i);
// `axis` in [0, rank), or an error naming the node.
absl::StatusOr<int64_t> NormalizeAxis(OnnxContext& ctx, int64_t axis, int64_t rank);
// Whether input i (an input since `input_since`) is given and computed when
// the model runs.
bool RunTimeInput(OnnxContext& ctx, int i, int64_t input_since);
// Axes from the attr (opsets before `input_since`) or from optional input i.
absl::StatusOr<std::optional<std::vector<int64_t>>> Axes(OnnxContext& ctx, int i,
                                                         int64_t input_since);

}  // namespace graphrt::onnx_import

#endif  // GRAPHRT_CORE_GRAPH_ONNX_ONNX_SHAPE_UTIL_H_
