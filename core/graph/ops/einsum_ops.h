// Einsum (TF's name and attr): Einstein summation over N operands of one
// dtype (float32, float64), as numpy and ONNX define it; the equation rules
// are in einsum_equation.h. OpDef in einsum_ops.cc, CPU kernel in
// kernels/cpu/einsum_op.cc; no gradient.
#ifndef GRAPHRT_CORE_GRAPH_OPS_EINSUM_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_EINSUM_OPS_H_

#include <span>
#include <string>

#include "core/graph/builder.h"

namespace graphrt::ops {

Output Einsum(std::span<const Output> inputs, const std::string& equation,
              absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterEinsumOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_EINSUM_OPS_H_
