// Elementwise ops added for imported models (ONNX, TF/Keras): math,
// comparison, logic, select and activations beyond math_ops.h / nn_ops.h.
// OpDefs live in elementwise_ops.cc (registered by RegisterStandardOps);
// gradients of LeakyRelu, Elu and Softplus in elementwise_grad.cc
// (RegisterElementwiseGradients, core/graph/gradients.h).
//
// Op names and attrs are TF's where TF has the op (Erfc, Minimum, FloorMod,
// SquaredDifference, LeakyRelu, SelectV2, LogicalAnd, IsNan, ...); the ONNX
// ones TF lacks get plain names (Celu, HardSigmoid, HardSwish,
// ThresholdedRelu, PRelu, LogicalXor) and attrs as ONNX spells them.
// Semantics (rounding, integer division, NaN) are stated in the CPU kernels'
// headers, kernels/cpu/elementwise_unary.h and elementwise_binary.h.
//
// Thread-safety: like GraphBuilder, one thread at a time per builder.
#ifndef GRAPHRT_CORE_GRAPH_OPS_ELEMENTWISE_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_ELEMENTWISE_OPS_H_

#include <initializer_list>

#include "core/graph/builder.h"

namespace graphrt::ops {

// Any elementwise op of this family by name: inputs as the op takes them,
// attrs as the op names them (Elementwise("LeakyRelu", {x}, {{"alpha", 0.1f}})).
// An invalid input gives an invalid Output.
Output Elementwise(absl::string_view op, std::initializer_list<Output> inputs,
                   AttrMap attrs = {}, absl::string_view name = {});

Output Minimum(Output x, Output y, absl::string_view name = {});
Output Pow(Output x, Output y, absl::string_view name = {});
// cond ? t : e, the three broadcast together (numpy / ONNX Where).
Output SelectV2(Output cond, Output t, Output e, absl::string_view name = {});
Output LeakyRelu(Output x, float alpha = 0.2f, absl::string_view name = {});
Output Elu(Output x, float alpha = 1.0f, absl::string_view name = {});
Output Softplus(Output x, absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterElementwiseOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_ELEMENTWISE_OPS_H_
