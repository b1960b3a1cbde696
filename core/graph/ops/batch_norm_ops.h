// Batch normalisation op functions (NHWC, TF's names, inputs and attrs):
// FusedBatchNormV3 and its gradient op FusedBatchNormGradV3. OpDefs and shape
// functions live in batch_norm_ops.cc, the gradient in batch_norm_grad.cc,
// CPU kernels in kernels/cpu/batch_norm_ops.h.
//
// FusedBatchNormV3(x [N, H, W, C], scale, offset, mean, variance [C]), as
// TF's CPU kernel:
//   is_training: y = (x - m) / sqrt(v + epsilon) * scale + offset with the
//     batch's mean m and biased variance v over N, H, W;
//     batch_mean = (1 - f) * mean + f * m, batch_variance = (1 - f) *
//     variance + f * v * n / (n - 1) (f = exponential_avg_factor; with f = 1
//     mean and variance may be empty [0]); reserve_space_1 = m,
//     reserve_space_2 = v.
//   inference: y uses mean and variance; batch_mean = mean, batch_variance =
//     variance, reserve_space_1/2 the same.
//   reserve_space_3 is a scalar 0 (TF's CPU placeholder).
// FusedBatchNormGradV3(y_backprop, x, scale, reserve_space_1/2/3) gives
// x_backprop, scale_backprop, offset_backprop and two empty [0] placeholders
// (reserve_space_4/5).
#ifndef GRAPHRT_CORE_GRAPH_OPS_BATCH_NORM_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_BATCH_NORM_OPS_H_

#include <string>

#include "core/graph/builder.h"

namespace graphrt::ops {

struct FusedBatchNormAttrs {
  float epsilon = 1e-4f;
  float exponential_avg_factor = 1.0f;
  bool is_training = true;
  std::string data_format = "NHWC";  // NHWC only
};

struct FusedBatchNormOutputs {
  Output y, batch_mean, batch_variance, reserve_space_1, reserve_space_2, reserve_space_3;
};
FusedBatchNormOutputs FusedBatchNormV3(Output x, Output scale, Output offset, Output mean,
                                       Output variance, const FusedBatchNormAttrs& attrs = {},
                                       absl::string_view name = {});

struct FusedBatchNormGradOutputs {
  Output x_backprop, scale_backprop, offset_backprop, reserve_space_4, reserve_space_5;
};
FusedBatchNormGradOutputs FusedBatchNormGradV3(Output y_backprop, Output x, Output scale,
                                               Output reserve_space_1, Output reserve_space_2,
                                               Output reserve_space_3,
                                               const FusedBatchNormAttrs& attrs = {},
                                               absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterBatchNormOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_BATCH_NORM_OPS_H_
