// The reductions' shape rules and messages, shared by every device's
// reduction kernels (the CPU's in kernels/cpu/reduction_ops.cc, the GPU's in
// kernels/gpu/reduction_ops.cc), so that output shapes and axis errors agree:
//   Sum, Mean, Max   over attr axis (a list of ints, empty = every axis,
//                    negatives count from the end), attr keep_dims;
//   ReduceSumLike    x summed down to like's shape (like must broadcast to x's);
//   ArgMax           along one axis (attr axis), output_type int32 or int64.
// Errors: INVALID_ARGUMENT naming the axis and the shape when an axis is out
// of range, and naming both shapes when like does not broadcast to x.
// Thread-safety: pure functions; plans are plain values.
#ifndef GRAPHRT_KERNELS_COMMON_REDUCTION_SHAPE_H_
#define GRAPHRT_KERNELS_COMMON_REDUCTION_SHAPE_H_

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

#endif  // GRAPHRT_KERNELS_COMMON_REDUCTION_SHAPE_H_
