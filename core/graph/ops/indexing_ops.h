// Indexing op functions, with TensorFlow's names and attrs: GatherV2 and
// StridedSlice (TF takes the axis and the bounds as tensors; graphrt as
// attrs, known when the graph is built, as Reshape's shape). Also, with
// their operands read when they run: Tile and Cumsum (TF's), GatherElements
// and Trilu (ONNX's; graphrt has no TF equivalent). Only the ops the
// importers need have op functions; the others are built with
// GraphBuilder::Op. OpDefs live in indexing_ops.cc, CPU kernels in
// kernels/cpu/indexing_*.cc. Every dtype graphrt has; int32 or int64
// indices.
#ifndef GRAPHRT_CORE_GRAPH_OPS_INDEXING_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_INDEXING_OPS_H_

#include <cstdint>

#include "core/graph/attr_value.h"
#include "core/graph/builder.h"
#include "core/graph/ops/indexing_slice.h"

namespace graphrt {

class OpRegistry;
void RegisterIndexingOps(OpRegistry& r);
// A StridedSlice node's attrs (the kernels read them through this).
absl::StatusOr<StridedSliceAttrs> ReadStridedSliceAttrs(const AttrMap& attrs);

namespace ops {

// Slices of `params` along `axis` picked by `indices`: the output's shape is
// params[:axis] + indices[batch_dims:] + params[axis+1:]. The first
// batch_dims dims of params and indices are batch dims, walked together
// (batch_dims <= axis). Negative axis / batch_dims count from the end (of
// params / of indices). An index may be negative (counts from the end, as
// ONNX's Gather allows); outside [-n, n) is INVALID_ARGUMENT when it runs.
Output GatherV2(Output params, Output indices, int64_t axis, int64_t batch_dims = 0,
                absl::string_view name = {});
// x sliced as TF's StridedSlice (x[1:-1, ..., ::2]), the rules in
// indexing_slice.h; begin/end/strides fixed when the graph is built, the
// input's shape read when it runs (an unknown batch dim works).
Output StridedSlice(Output x, const StridedSliceAttrs& attrs, absl::string_view name = {});

}  // namespace ops
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_INDEXING_OPS_H_
