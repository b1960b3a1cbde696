// Layout op functions: ops that move elements without computing on them,
// with TensorFlow's names and attrs. Pad, PadV2, ConcatV2, Transpose and
// Squeeze are TF's ops (TF passes paddings, axis and perm as tensors;
// graphrt takes them as attrs, known when the graph is built, as Reshape's
// shape); SliceLike and SplitLike are graphrt's, the gradients of Pad and
// ConcatV2 (their sizes come from `like` tensors at run time, so unknown
// batch sizes work). OpDefs live in layout_ops.cc, gradients in
// layout_grad.cc, kernels in kernels/{cpu,gpu}/ (shape rules shared in
// kernels/common/layout_shape.h). Every dtype graphrt has.
#ifndef GRAPHRT_CORE_GRAPH_OPS_LAYOUT_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_LAYOUT_OPS_H_

#include <span>
#include <vector>

#include "core/graph/builder.h"

namespace graphrt::ops {

// x with paddings[2*d] values before and paddings[2*d + 1] after it along
// dim d (TF's [rank, 2] paddings, flattened); each >= 0. Pad fills with 0
// (false), PadV2 with the scalar `constant_values` (of x's dtype).
Output Pad(Output x, std::vector<int64_t> paddings, absl::string_view name = {});
Output PadV2(Output x, std::vector<int64_t> paddings, Output constant_values,
             absl::string_view name = {});
// The box of x starting at `begin` with like's shape (only like's shape is
// read): Pad's gradient.
Output SliceLike(Output x, Output like, std::vector<int64_t> begin, absl::string_view name = {});
// `values` joined along `axis` (negative counts from the end); they must
// agree on every other dim. At least one value.
Output ConcatV2(std::span<const Output> values, int64_t axis, absl::string_view name = {});
// x cut along `axis` into pieces with the dims of each of `likes` there
// (only their shapes are read): ConcatV2's gradient. One output per like.
std::vector<Output> SplitLike(Output x, std::span<const Output> likes, int64_t axis,
                              absl::string_view name = {});
// Output dim i is x's dim perm[i]; perm is a permutation of [0, rank).
Output Transpose(Output x, std::vector<int64_t> perm, absl::string_view name = {});
// x without the size-1 dims listed in squeeze_dims (negative counts from
// the end), or without every size-1 dim when the list is empty.
Output Squeeze(Output x, std::vector<int64_t> squeeze_dims = {}, absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterLayoutOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_LAYOUT_OPS_H_
