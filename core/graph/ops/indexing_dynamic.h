// Shape and indexing ops whose shape or bounds are tensors read when they
// run (ONNX's Reshape, Slice, Squeeze and Unsqueeze where the shape /
// starts / axes are computed by the model): DynamicReshape, DynamicSlice,
// DynamicSqueeze, DynamicUnsqueeze, DynamicExpand, DynamicPad (also ONNX's
// edge and reflect modes), Range (TF's name, ONNX's
// count of elements; built with GraphBuilder::Op); and the reductions DynamicSum, DynamicMean,
// DynamicMax, DynamicMin, DynamicProd (ONNX's ReduceX with an axes input;
// CPU kernels in kernels/cpu/reduction_ops.cc; built with GraphBuilder::Op). Graph-built Reshape and
// StridedSlice keep their attrs (faster: checked once, output shape known);
// the ONNX importer uses these only where the operand is not an import-time
// constant. Output dims are then unknown until the node runs (the rank is
// known where the operand's length is). OpDefs in indexing_dynamic.cc, CPU
// kernels in kernels/cpu/indexing_dynamic.cc. Every dtype; int32 or int64
// operands.
//
// Thread-safety: registration runs once, under the registry's own rules.
#ifndef GRAPHRT_CORE_GRAPH_OPS_INDEXING_DYNAMIC_H_
#define GRAPHRT_CORE_GRAPH_OPS_INDEXING_DYNAMIC_H_

#include "core/graph/builder.h"

namespace graphrt {

class OpRegistry;
// Called from RegisterIndexingOps.
void RegisterDynamicIndexingOps(OpRegistry& r);

namespace ops {

// tensor relabelled to the dims in `shape` (rank 1, int32/int64): at most one
// -1 (inferred from the element count); 0 copies the input's dim at that
// position unless allowzero (then 0 is a zero-sized dim), as ONNX's Reshape.
Output DynamicReshape(Output tensor, Output shape, bool allowzero = false,
                      absl::string_view name = {});
// ONNX's Slice with run-time operands: for each k, axis axes[k] keeps
// starts[k], starts[k] + steps[k], ... up to ends[k] (exclusive), negative
// values counting from the end and clamped as Python slicing does. An empty
// `axes` means 0, 1, ...; an empty `steps` means all 1. Dims not named are
// kept whole.
Output DynamicSlice(Output data, Output starts, Output ends, Output axes, Output steps,
                    absl::string_view name = {});
// ONNX's Unsqueeze / Squeeze with `axes` (rank 1) read when they run:
// Unsqueeze inserts a dim of 1 at each axis of the output; Squeeze drops the
// named dims (each must be 1), or every dim of 1 when axes is empty.
Output DynamicUnsqueeze(Output input, Output axes, absl::string_view name = {});
Output DynamicSqueeze(Output input, Output axes, absl::string_view name = {});
// ONNX's Expand with `shape` (rank 1) read when it runs: input broadcast
// both ways with shape (numpy rules); ConstantOfShape is a scalar expanded.
Output DynamicExpand(Output input, Output shape, absl::string_view name = {});

}  // namespace ops
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_INDEXING_DYNAMIC_H_
