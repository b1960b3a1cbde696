// Cast's type rules and messages, shared by every device's Cast
// (kernels/cpu/cast_op.h, whose header states the conversions;
// kernels/gpu/cast_ops.cc): the dtypes Cast converts between (every numeric
// type and bool, in both directions) and the check of its input.
// Thread-safety: pure functions.
#ifndef GRAPHRT_KERNELS_COMMON_CAST_TYPES_H_
#define GRAPHRT_KERNELS_COMMON_CAST_TYPES_H_

#include <vector>

#include "absl/status/status.h"
#include "core/graph/tensor.h"
#include "core/graph/types.h"

namespace graphrt {

// The dtypes Cast converts between, in both directions.
const std::vector<DataType>& CastTypes();

// OK when Cast converts `src` to `dst`; else INVALID_ARGUMENT naming both
// types and the supported ones.
absl::Status CheckCastTypes(DataType src, DataType dst);

// INVALID_ARGUMENT naming SrcT and x's dtype and shape unless x is of type `src`.
absl::Status CheckCastInput(const Tensor& x, DataType src);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_CAST_TYPES_H_
