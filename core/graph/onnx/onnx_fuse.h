// Internal to the ONNX importer (core/graph/onnx/): the rewrite of the ONNX
// graph that prepares Gemm fusion (Note [Gemm fusion at import]): MatMul +
// Add of a bias initializer becomes a Gemm, a Relu that is the only use of
// a Gemm's output is absorbed into it, and every Gemm is marked for the
// Gemm converter (onnx_nn_converters.cc) to emit graphrt's FusedMatMul.
//
// Called by onnx_import.cc when OnnxImportOptions::fuse_gemm is set, after
// the checker and the BatchNormalization fold (onnx_fold.h). Pure functions
// of their arguments; thread-compatible.
#ifndef GRAPHRT_CORE_GRAPH_ONNX_ONNX_FUSE_H_
#define GRAPHRT_CORE_GRAPH_ONNX_ONNX_FUSE_H_

#include <cstdint>
#include <optional>

#include "onnx/onnx_pb.h"

namespace graphrt::onnx_import {

// Note [Gemm fusion at import]
// Rationale: an MLP layer exported to ONNX is Gemm(x, W, b) then Relu
// (PyTorch's Linear + ReLU), or MatMul, Add of a bias and Relu (TF's
// converters). Op by op that is MatMul, a broadcast Add and Relu: the Add
// and the Relu each pass over the product again and cost a dispatch each
// (the MLP at batch 64 ran 1.08-1.15x ONNX Runtime's time, which fuses them
// into its GEMM). graphrt's FusedMatMul (core/graph/ops/math_ops.h) adds
// the bias and applies Relu to each block of the product as its GEMM call
// ends (Note [GEMM epilogue], kernels/cpu/gemm.cc).
// Approach: the Gemm converter emits FusedMatMul for a Gemm marked by this
// rewrite when the Gemm is float32, alpha is 1 and C is a [N] or [1, N] or
// one-element initializer (beta folded in at import) or a run-time [N] with
// beta 1 (no C: a zero bias, only when a Relu is fused); any other marked
// Gemm is converted as before, followed by its absorbed Relu as an op of
// its own, so the result never depends on whether the fusion took.
// The Relu is absorbed here, on the ONNX graph, and not by a converter: a
// converter sees one node, but absorbing a Relu needs the whole graph (the
// Gemm's output must have no other use and be no graph output), and by the
// time the Relu's converter ran the Gemm's output would already be bound
// and possibly read. So, like the BN fold, a rewrite with the graph's use
// counts (OnnxGraphIndex) decides, and hands its decision to the converter
// in an attribute only it sets (kFusedActivationAttr: the ONNX checker has
// already run and never sees it); the Relu's output name becomes the
// Gemm's, so fetch names are unchanged. MatMul + Add is made a Gemm under
// the BN fold's conditions (the MatMul's output used only by the Add, its
// left operand declared rank 2, its right a [K, N] float32 initializer, the
// Add's other operand a float32 [N] or [1, N] initializer; opset >= 7).
// OnnxImportOptions::fuse_gemm off skips the rewrite: no Gemm is marked and
// every op converts on its own (a reference, and bench/compare's baseline).
// Limitations: Relu only (ONNX Runtime's FusedGemm also takes LeakyRelu,
// Sigmoid, Tanh, ...); a Gemm whose output has another user keeps MatMul +
// Add + Relu; MatMul operands of other ranks (BatchMatMulV2) are not fused.

// The attribute the rewrite sets on each Gemm: "None", or "Relu" when a Relu
// was absorbed (the converter applies it, fused or not).
inline constexpr char kFusedActivationAttr[] = "_graphrt_fused_activation";

// The graph's nodes after the rewrite, or nullopt when the graph has no
// Gemm (and no MatMul + Add to make one): the caller then keeps its nodes.
// `opset` is the model's default-domain opset; `relus` (optional) gets the
// number of Relus absorbed.
std::optional<google::protobuf::RepeatedPtrField<onnx::NodeProto>> FuseGemms(
    const onnx::GraphProto& graph, int64_t opset, int* relus = nullptr);

}  // namespace graphrt::onnx_import

#endif  // GRAPHRT_CORE_GRAPH_ONNX_ONNX_FUSE_H_
