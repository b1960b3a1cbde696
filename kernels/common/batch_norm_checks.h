// The checks and messages the CPU and GPU batch-norm kernels share
// (FusedBatchNormV3, FusedBatchNormGradV3: kernels/cpu/batch_norm_ops.cc,
// kernels/gpu/cudnn_batch_norm_ops.cc; op definitions in
// core/graph/ops/batch_norm_ops.h). Every error is INVALID_ARGUMENT naming
// the input and its shape; the executor prefixes the node's name and device.
// Thread-safety: pure functions.
#ifndef GRAPHRT_KERNELS_COMMON_BATCH_NORM_CHECKS_H_
#define GRAPHRT_KERNELS_COMMON_BATCH_NORM_CHECKS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "core/graph/tensor.h"

namespace graphrt {

// OK when `x` has rank 4 (NHWC); `what` names it in the error.
absl::Status CheckBatchNormX(const Tensor& x, const char* what);

// OK when `v` is a vector of `channels` elements, or of none when
// `may_be_empty` (training with exponential_avg_factor 1 may omit the running
// statistics); `what` names it in the error.
absl::Status CheckChannelVector(const Tensor& v, const char* what, int64_t channels,
                                bool may_be_empty = false);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_BATCH_NORM_CHECKS_H_
