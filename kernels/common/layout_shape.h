// The layout kernels' family (Pad, PadV2, SliceLike, ConcatV2, SplitLike,
// Transpose, Squeeze; core/graph/ops/layout_ops.h), shared by every device:
// the Squeeze kernel itself (it shares the input's buffer under the new
// shape, so any device runs it; registered through RegisterNeutralKernels),
// and the plans, shape rules and messages of the others, whose kernels are
// per device (kernels/cpu/pad_concat_ops.cc, kernels/cpu/transpose_op.cc,
// kernels/gpu/layout_ops.cc).
//
// Plans collapse what the data movement does not need, so that kernels walk
// few dims: a Pad of NHWC images over H and W moves [N, H, W*C] rows; a
// Transpose of [B, H, W, C] by [0, 3, 1, 2] moves [B, H*W, C] -> [B, C, H*W].
//
// Errors (INVALID_ARGUMENT, naming the shapes and the attr; the executor adds
// the node): a paddings/begin/perm list of the wrong length or with a bad
// value, a box that does not fit, inputs that disagree off the axis, an axis
// out of range, a squeezed dim that is not 1.
// Thread-safety: pure functions; plans are plain values.
#ifndef GRAPHRT_KERNELS_COMMON_LAYOUT_SHAPE_H_
#define GRAPHRT_KERNELS_COMMON_LAYOUT_SHAPE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/tensor_shape.h"

namespace graphrt {

// Pad and SliceLike as one box copy: output element at coordinates o reads
// input element o - offset where that lies inside the input, else the fill
// value. dims are collapsed (rank >= 1); in_dims, out_dims and offset have
// the same length.
struct BoxPlan {
  TensorShape output;
  std::vector<int64_t> in_dims;
  std::vector<int64_t> out_dims;
  std::vector<int64_t> offset;  // Pad: the before pads; SliceLike: -begin
};

// paddings: 2 * rank values >= 0 (before, after per dim).
absl::StatusOr<BoxPlan> PlanPad(const TensorShape& input, std::span<const int64_t> paddings);
// The box of `input` at `begin` with like's shape, which must fit.
absl::StatusOr<BoxPlan> PlanSliceLike(const TensorShape& input, const TensorShape& like,
                                      std::span<const int64_t> begin);

// ConcatV2 and SplitLike: the joined tensor viewed as [outer, total_width]
// rows, piece k owning columns [starts[k], starts[k] + widths[k]) of each
// row (its axis dim times the dims after the axis).
struct ConcatPlan {
  TensorShape joined;                 // ConcatV2's output, SplitLike's input
  std::vector<TensorShape> pieces;    // ConcatV2's inputs, SplitLike's outputs
  int64_t outer = 1;
  int64_t total_width = 0;
  std::vector<int64_t> widths;
  std::vector<int64_t> starts;
};

// `shapes` joined along `axis` (negative counts from the end): at least one,
// all of one rank >= 1, equal off the axis.
absl::StatusOr<ConcatPlan> PlanConcat(std::span<const TensorShape> shapes, int64_t axis);
// `input` cut along `axis` into pieces with the likes' dims on the axis; the
// likes must match input off the axis and their axis dims sum to input's.
absl::StatusOr<ConcatPlan> PlanSplitLike(const TensorShape& input,
                                         std::span<const TensorShape> likes, int64_t axis);

// Transpose: output dim i is input dim perm[i]. in_dims / perm are the
// collapsed problem (size-1 dims dropped, dims that stay neighbours merged):
// output element order is in_dims permuted. Rank 0 or 1 after collapsing
// means a plain copy.
struct TransposePlan {
  TensorShape output;
  std::vector<int64_t> in_dims;
  std::vector<int> perm;
};
absl::StatusOr<TransposePlan> PlanTranspose(const TensorShape& input,
                                            std::span<const int64_t> perm);

// Squeeze: `input` without the listed dims (which must be 1; negative count
// from the end), or without every size-1 dim when the list is empty.
absl::StatusOr<TensorShape> SqueezedShape(const TensorShape& input,
                                          std::span<const int64_t> squeeze_dims);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_LAYOUT_SHAPE_H_
