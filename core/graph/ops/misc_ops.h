// Small ONNX ops no other family covers, each a graphrt op of its own:
//   Shrink (attrs bias, lambd): x < -lambd ? x + bias : x > lambd ? x - bias : 0.
//   MeanVarianceNormalization (attr axes): (x - E[x]) / sqrt(E[x^2] - E[x]^2 + 1e-9),
//     moments over `axes` (ONNX's default [0, 2, 3]), as ONNX's function body.
//   MatrixDeterminant (TF's name): [..., M, M] -> [...].
// These three for float32 and float64. Any dtype:
//   ReverseSequence (TF's name and attrs seq_dim, batch_dim): reverses the
//     first seq_lengths[b] elements along seq_dim of each batch b.
//   Compress (ONNX's): the slices along `axis` whose bool condition is true
//     (condition may be shorter than the dim: the rest are dropped); with
//     flatten, the elements of x flattened.
//   MaxUnpool (ONNX's, float32): x [N, C, spatial...] scattered into zeros at
//     `indices` (flat positions in the whole output, as MaxPool's argmax
//     gives them); the output shape is output_shape when non-empty, else
//     (in - 1) * stride - pad_begin - pad_end + kernel per spatial dim.
//   NonZero (ONNX's): int64 [rank, n], the coordinates of the n non-zero
//     elements in row-major order (TF's Where gives the transpose). OpDefs in misc_ops.cc, CPU kernels in
// kernels/cpu/misc_ops.cc; no gradients.
#ifndef GRAPHRT_CORE_GRAPH_OPS_MISC_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_MISC_OPS_H_

#include <cstdint>
#include <vector>

#include "core/graph/builder.h"

namespace graphrt::ops {

Output Shrink(Output x, float bias, float lambd, absl::string_view name = {});
Output MeanVarianceNormalization(Output x, std::vector<int64_t> axes,
                                 absl::string_view name = {});
Output MatrixDeterminant(Output x, absl::string_view name = {});
Output ReverseSequence(Output x, Output seq_lengths, int64_t seq_dim, int64_t batch_dim,
                       absl::string_view name = {});
Output NonZero(Output x, absl::string_view name = {});
// output_shape: int64 [rank], or empty for the shape from the window attrs.
Output MaxUnpool(Output x, Output indices, Output output_shape, std::vector<int64_t> kernel_shape,
                 std::vector<int64_t> strides, std::vector<int64_t> pads,
                 absl::string_view name = {});
// flatten: ignore axis, select from x flattened.
Output Compress(Output x, Output condition, int64_t axis, bool flatten,
                absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterMiscOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_MISC_OPS_H_
