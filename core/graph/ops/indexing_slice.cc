// PlanStridedSlice (indexing_slice.h).
#include "core/graph/ops/indexing_slice.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace graphrt {

absl::StatusOr<StridedSlicePlan> PlanStridedSlice(std::span<const int64_t> dims,
                                                  const StridedSliceAttrs& a) {
  const int n = static_cast<int>(a.begin.size());
  if (a.end.size() != a.begin.size() || a.strides.size() != a.begin.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "begin, end and strides must have one length (", a.begin.size(), ", ", a.end.size(),
        ", ", a.strides.size(), ")"));
  }
  if (n > 62) return absl::InvalidArgumentError("more than 62 slice entries");
  const int rank = static_cast<int>(dims.size());
  int ellipses = 0, consuming = 0;
  for (int i = 0; i < n; ++i) {
    if (a.ellipsis_mask >> i & 1) {
      ++ellipses;
    } else if (!(a.new_axis_mask >> i & 1)) {
      ++consuming;
    }
  }
  if (ellipses > 1) return absl::InvalidArgumentError("at most one ellipsis is allowed");
  if (consuming > rank) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the slice indexes ", consuming, " dims of an input of rank ", rank));
  }
  StridedSlicePlan p;
  p.begin.assign(rank, 0);
  p.stride.assign(rank, 1);
  p.size.assign(dims.begin(), dims.end());
  int d = 0;  // the next input dim
  auto full = [&](int count) {
    for (int k = 0; k < count; ++k, ++d) p.output.push_back(dims[d]);
  };
  for (int i = 0; i < n; ++i) {
    if (a.ellipsis_mask >> i & 1) {
      full(rank - consuming);
      continue;
    }
    if (a.new_axis_mask >> i & 1) {
      p.output.push_back(1);
      continue;
    }
    const int64_t s = a.strides[i];
    if (s == 0) return absl::InvalidArgumentError(absl::StrCat("stride ", i, " is 0"));
    const int64_t dim = dims[d];
    p.stride[d] = s;
    if (a.shrink_axis_mask >> i & 1) {
      int64_t b = a.begin[i];
      if (dim >= 0) {
        if (b < 0) b += dim;
        if (b < 0 || b >= dim) {
          return absl::InvalidArgumentError(absl::StrCat(
              "index ", a.begin[i], " of dim ", d, " is out of range for size ", dim));
        }
      }
      p.begin[d] = b;
      p.size[d] = 1;
      ++d;
      continue;
    }
    if (dim < 0) {  // unknown until it runs
      p.output.push_back(-1);
      ++d;
      continue;
    }
    auto resolve = [&](int64_t x, bool masked, bool is_begin) {
      if (masked && is_begin) return s > 0 ? int64_t{0} : dim - 1;
      if (masked) return s > 0 ? dim : int64_t{-1};
      if (x < 0) x += dim;
      return s > 0 ? std::clamp<int64_t>(x, 0, dim) : std::clamp<int64_t>(x, -1, dim - 1);
    };
    const int64_t b = resolve(a.begin[i], a.begin_mask >> i & 1, true);
    const int64_t e = resolve(a.end[i], a.end_mask >> i & 1, false);
    const int64_t span = s > 0 ? e - b : b - e;
    const int64_t step = s > 0 ? s : -s;
    p.begin[d] = b;
    p.size[d] = span <= 0 ? 0 : (span + step - 1) / step;
    p.output.push_back(p.size[d]);
    ++d;
  }
  if (ellipses == 0) full(rank - d);
  return p;
}

}  // namespace graphrt
