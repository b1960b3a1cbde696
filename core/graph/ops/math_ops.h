// Math op functions: elementwise binary ops with numpy broadcasting, unary
// ops (Neg Exp Log Sigmoid Tanh Sqrt Rsqrt Square), MatMul and FusedMatMul,
// reductions (and ReduceSumLike), ArgMax, AddN. OpDefs live in math_ops.cc,
// gradients in math_grad.cc.
#ifndef GRAPHRT_CORE_GRAPH_OPS_MATH_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_MATH_OPS_H_

#include <span>
#include <vector>

#include "core/graph/builder.h"

namespace graphrt::ops {

Output Add(Output x, Output y, absl::string_view name = {});
Output Sub(Output x, Output y, absl::string_view name = {});
Output Mul(Output x, Output y, absl::string_view name = {});
Output Div(Output x, Output y, absl::string_view name = {});
Output Maximum(Output x, Output y, absl::string_view name = {});
Output Equal(Output x, Output y, absl::string_view name = {});  // bool result
Output AddN(std::span<const Output> inputs, absl::string_view name = {});

Output Neg(Output x, absl::string_view name = {});
Output Exp(Output x, absl::string_view name = {});
Output Log(Output x, absl::string_view name = {});
Output Sigmoid(Output x, absl::string_view name = {});
Output Tanh(Output x, absl::string_view name = {});
// x^(1/2), x^(-1/2) (float32: IEEE at 0 and below) and x * x (float32, int32, int64).
Output Sqrt(Output x, absl::string_view name = {});
Output Rsqrt(Output x, absl::string_view name = {});
Output Square(Output x, absl::string_view name = {});

struct MatMulAttrs {
  bool transpose_a = false;
  bool transpose_b = false;
};
Output MatMul(Output a, Output b, MatMulAttrs attrs = {}, absl::string_view name = {});
// Activation(MatMul(a, b) + bias) as one node, activation "None" or "Relu"
// (others are refused naming the node); bias: float32 [N], N the product's
// columns. Its CPU kernel adds the bias and applies the activation to each
// block of the product right after that block's GEMM, while it is in cache
// (Note [GEMM epilogue], kernels/cpu/gemm.cc); the GPU's runs cuBLAS,
// then the bias and activation in place. graphrt's own op (TF's grappler
// makes _FusedMatMul with fused_ops [BiasAdd(, Relu)]); the ONNX importer
// emits it for Gemm (+ Relu). Its gradient is ReluGrad, then BiasAddGrad and
// MatMul's two products.
Output FusedMatMul(Output a, Output b, Output bias, absl::string_view activation,
                   MatMulAttrs attrs = {}, absl::string_view name = {});

struct ReduceAttrs {
  std::vector<int64_t> axis;  // empty: every axis; negative counts from the end
  bool keep_dims = false;
};
Output Sum(Output x, ReduceAttrs attrs = {}, absl::string_view name = {});
Output Mean(Output x, ReduceAttrs attrs = {}, absl::string_view name = {});
Output Max(Output x, ReduceAttrs attrs = {}, absl::string_view name = {});
// x summed down to the shape of `like`, which must broadcast to x's shape:
// the gradient of broadcasting a `like`-shaped value (torch's sum_to_size).
Output ReduceSumLike(Output x, Output like, absl::string_view name = {});
// Index of the largest value along `axis` (ties: the first), as `output_type`.
Output ArgMax(Output x, int64_t axis, DataType output_type = DataType::kInt64,
              absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterMathOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_MATH_OPS_H_
