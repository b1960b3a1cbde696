// The plan of a StridedSlice (TF's semantics, begin/end/strides as attrs),
// shared by its shape function and its kernels: which input elements each
// input dim keeps and the output's shape.
//
// TF's rules, applied per entry i of begin/end/strides ("the sparse spec"):
// bit i of ellipsis_mask stands for as many full dims as the other entries
// leave (at most one ellipsis; none means one at the end); bit i of
// new_axis_mask inserts a dim of 1 in the output and reads no input dim;
// bit i of shrink_axis_mask takes the one element at begin[i] and drops the
// dim; bits of begin_mask / end_mask ignore begin[i] / end[i] (the whole
// extent in the stride's direction). Otherwise negative begin and end count
// from the end, then clamp to [0, dim] (stride > 0) or [-1, dim - 1]
// (stride < 0), as Python slicing does; ONNX's Slice clamps the same way.
//
// Thread-safety: pure functions.
#ifndef GRAPHRT_CORE_GRAPH_OPS_INDEXING_SLICE_H_
#define GRAPHRT_CORE_GRAPH_OPS_INDEXING_SLICE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"

namespace graphrt {

struct StridedSliceAttrs {
  std::vector<int64_t> begin, end, strides;
  int64_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0,
          shrink_axis_mask = 0;
};

struct StridedSlicePlan {
  // Per input dim: the first index read, the step, how many are read
  // (-1 when the input dim is unknown).
  std::vector<int64_t> begin, stride, size;
  // The output's dims (-1 unknown), new axes in, shrunk dims out.
  std::vector<int64_t> output;
};

// `dims` are the input's dims, -1 where unknown (shape inference). Errors
// (INVALID_ARGUMENT text, without the node): lists of different lengths, a
// zero stride, two ellipses, more entries than dims, a shrunk index out of
// range.
absl::StatusOr<StridedSlicePlan> PlanStridedSlice(std::span<const int64_t> dims,
                                                  const StridedSliceAttrs& attrs);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_INDEXING_SLICE_H_
