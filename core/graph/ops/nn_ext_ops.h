// Neural-network ops the model importers need beyond nn_ops.h (ONNX's MatMul,
// Softmax with an axis, LayerNormalization, NegativeLogLikelihoodLoss; TF's
// BatchMatMulV2). OpDefs live in nn_ext_ops.cc.
//
//   BatchMatMulV2(x [..., M, K], y [..., K, N]) -> [..., M, N]: TF's op; the
//     batch dims broadcast (numpy rules); adj_x / adj_y transpose the last two
//     axes of x / y. float32, float64.
//   SoftmaxNd(x) -> y: softmax, log-softmax or hardmax (attr mode: "softmax",
//     "log_softmax", "hardmax") over attr axis (negative counts from the end);
//     with coerce_2d, over all axes from `axis` on (ONNX before opset 13).
//     Hardmax marks the first maximum with 1. float32, float64.
//   Standardize(x) -> y, mean, inv_std: y = (x - mean) * inv_std over the
//     axes from attr axis on, inv_std = 1 / sqrt(var + epsilon) (population
//     variance); mean and inv_std are [d0, ..., d(axis-1), 1, ..., 1]. The
//     core of LayerNormalization and InstanceNormalization. float32.
//   LRNChannelsFirst(x [N, C, D...]) -> y: ONNX's LRN, y = x / (bias +
//     alpha / size * sum of x^2 over channels [c - floor((size-1)/2),
//     c + ceil((size-1)/2)])^beta. float32. (TF's LRN is NHWC, with alpha
//     not divided by the window.)
//   NegativeLogLikelihoodLoss(input [N, C, d...], target [N, d...], weight [C]
//     or [0] for none) -> loss: ONNX's op; attrs reduction ("none", "sum",
//     "mean"), ignore_index with has_ignore_index. float32 input, int32/int64
//     target.
#ifndef GRAPHRT_CORE_GRAPH_OPS_NN_EXT_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_NN_EXT_OPS_H_

#include "core/graph/op_def.h"

namespace graphrt {
void RegisterNnExtOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_NN_EXT_OPS_H_
