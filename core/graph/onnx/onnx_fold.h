// Internal to the ONNX importer (core/graph/onnx/): rewrites of the ONNX
// graph made before any node is converted. Today one: an inference
// BatchNormalization folded into the Conv, Gemm, or MatMul + Add before it.
//
// Called by onnx_import.cc when OnnxImportOptions::fold_batch_norm is set.
// Pure functions of their arguments; thread-compatible.
#ifndef GRAPHRT_CORE_GRAPH_ONNX_ONNX_FOLD_H_
#define GRAPHRT_CORE_GRAPH_ONNX_ONNX_FOLD_H_

#include <cstdint>
#include <optional>

#include "onnx/onnx_pb.h"

namespace graphrt::onnx_import {

// Note [Folding BatchNormalization at import]
// Rationale: at inference BatchNormalization is y = x * a + s per channel,
// a = scale / sqrt(var + epsilon), s = bias - mean * a. When x comes from a
// linear op whose weights are known, a and s go into those weights
// (W' = W * a per output channel, B' = B * a + s) and the BN costs nothing
// at run time: no pass over the activations (ONNX Runtime's ConvBNFusion).
// Approach: a BatchNormalization folds when (1) it is in inference mode
// (training_mode 0, one output, `spatial` 1 before opset 9); (2) its scale,
// bias, mean and var are float32 or float64 initializers of one dtype, rank
// 1, [C]; (3) its input is the only use of the output of
//   - a Conv whose W ([C, ...]) and optional B are initializers;
//   - a Gemm whose B is an initializer with C output columns and whose C
//     (optional) is an initializer of [C], [1, C] or one element;
//   - an Add of an initializer ([C], [1, C] or one element) to a MatMul
//     whose only use is that Add, whose right operand is a [K, C]
//     initializer and whose left operand is declared rank 2 (a graph input
//     or value_info: BN's channel axis 1 must be the product's columns);
// and that output is no graph output. The new weights are computed in
// double precision and stored in the initializers' dtype under new names
// (the originals may have other users); the producer takes the BN's output
// name and the BN node is removed.
// Limitations: weights from Constant nodes, and a BN behind a Relu or any
// other op, are not folded; the BN converter then emits x * a + s with a
// and s folded at import when its parameters are constant.

// The graph with every foldable BatchNormalization folded, or nullopt when
// none is (the caller then keeps its graph: no copy is made). `opset` is
// the model's default-domain opset. `folded` (optional) gets the count.
std::optional<onnx::GraphProto> FoldBatchNorms(const onnx::GraphProto& graph, int64_t opset,
                                               int* folded = nullptr);

}  // namespace graphrt::onnx_import

#endif  // GRAPHRT_CORE_GRAPH_ONNX_ONNX_FOLD_H_
