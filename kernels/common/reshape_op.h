// Reshape, for any device (kernels/common/register.h): the same elements
// under another shape (attr "shape", a list of dims of which at most one is
// -1, inferred from the element count). The output shares the input's
// buffer: no copy, no allocation, no device work. Its shape rules and
// messages, below, are every device's.
//
// Errors (INVALID_ARGUMENT, naming the input shape and the requested one):
// the element counts differ; the -1 cannot be inferred (the other dims do not
// divide the count, or multiply to 0); more than one -1 or another negative
// dim (reported when the session is created).
//
// Thread-safety: pure functions; the kernel keeps only its attr.
#ifndef GRAPHRT_KERNELS_COMMON_RESHAPE_OP_H_
#define GRAPHRT_KERNELS_COMMON_RESHAPE_OP_H_

#include <cstdint>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/graph/tensor_shape.h"

namespace graphrt {

// Checks a requested shape on its own: dims >= 0 except at most one -1.
absl::Status ValidateReshapeSpec(std::span<const int64_t> spec);

// The shape `spec` gives to a tensor of shape `in`, with its -1 (if any)
// filled in.
absl::StatusOr<TensorShape> ResolveReshape(const TensorShape& in,
                                           std::span<const int64_t> spec);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_RESHAPE_OP_H_
