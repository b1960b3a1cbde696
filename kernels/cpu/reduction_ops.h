// Reductions on the CPU: Sum, Mean and Max over a set of axes (attr axis, a
// list of ints, empty = every axis, negatives count from the end; attr
// keep_dims), and ArgMax along one axis (attr axis; attr output_type int32 or
// int64; ties go to the first index, a NaN counts as the maximum). All for
// float32, int32 and int64. ReduceSumLike(x, like) sums x down to like's
// shape (like must broadcast to x's shape): the gradient of a broadcast.
//
// Numerics: float sums accumulate in double (1e6 values of 0.1 sum to within
// 1e-7 relative); integer sums wrap like the element type. Mean of ints
// divides with truncation. Max propagates NaN. Results do not depend on the
// number of intra-op threads: work is cut into fixed pieces, combined in order.
// Empty reductions: Sum gives 0, float Mean NaN (as numpy); Max, int Mean and
// ArgMax along an empty axis give INVALID_ARGUMENT.
//
// Paths (see PlanReduction): reducing trailing dims (rows), leading or
// middle dims (column accumulators), and for anything else a walk over the
// input in memory order into per-output accumulators. Work is split over the
// intra-op pool.
// Thread-safety: Compute is thread-safe (kernels keep only their attrs).
#ifndef GRAPHRT_KERNELS_CPU_REDUCTION_OPS_H_
#define GRAPHRT_KERNELS_CPU_REDUCTION_OPS_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/graph/tensor.h"
#include "core/graph/tensor_shape.h"

namespace graphrt {

// The input of a reduction viewed as alternating runs of kept and reduced
// dims: dims of size 1 are dropped and neighbours of the same kind merged, so
// [B, 1, H, W] reduced over {2, 3} becomes {B kept, H*W reduced}.
struct ReductionPlan {
  struct Group {
    int64_t size;
    bool reduced;
  };
  TensorShape output;          // reduced dims dropped, or kept as 1 with keep_dims
  std::vector<Group> groups;   // outermost first; empty when every dim is 1
  int64_t reduced_count = 1;   // input elements folded into each output element
};

// INVALID_ARGUMENT naming the axis and the shape when an axis is out of range.
absl::StatusOr<ReductionPlan> PlanReduction(const TensorShape& input,
                                            std::span<const int64_t> axes, bool keep_dims);

// The message for `op` (Max, int Mean) reducing `input` over `axes` to an empty set.
std::string EmptyReductionMessage(absl::string_view op, const Tensor& input,
                                  std::span<const int64_t> axes);

// The axes along which `input` is summed to reach `like` (which must
// broadcast to it): input's extra leading axes, and those where like has 1.
absl::StatusOr<std::vector<int64_t>> AxesToShape(const TensorShape& input,
                                                 const TensorShape& like);

// ArgMax of a tensor along one axis: the output shape (that axis dropped) and
// the input viewed as [outer, n, inner] with n the axis's length.
struct ArgMaxPlan {
  TensorShape output;
  int64_t outer = 1;
  int64_t n = 0;
  int64_t inner = 1;
};

// INVALID_ARGUMENT when `axis` is out of range or n exceeds `max_n` (output_type's largest).
absl::StatusOr<ArgMaxPlan> PlanArgMax(const Tensor& input, int64_t axis, int64_t max_n,
                                      DataType output_type);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_REDUCTION_OPS_H_
