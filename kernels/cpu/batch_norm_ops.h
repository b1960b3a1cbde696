// FusedBatchNormV3 and FusedBatchNormGradV3 on the CPU (float32, NHWC;
// semantics in core/graph/ops/batch_norm_ops.h, as TF's CPU kernels).
//
// x is viewed as [rows = N*H*W, C]. Per-channel sums run over a number of
// row chunks fixed by the shapes (not by the thread count), each summed in
// double, and the chunks are added in order: results do not depend on the
// thread count. The elementwise passes split rows over the intra-op pool.
//
// Errors: INVALID_ARGUMENT naming the shapes when x is not rank 4, a
// per-channel input is not a vector of x's channels (mean and variance may
// be empty [0] in training with exponential_avg_factor 1), or y_backprop's
// shape differs from x's; the executor adds the node's name.
// Thread-safety: Compute is thread-safe (the kernels keep only their attrs).
#ifndef GRAPHRT_KERNELS_CPU_BATCH_NORM_OPS_H_
#define GRAPHRT_KERNELS_CPU_BATCH_NORM_OPS_H_

#include "core/executor/op_kernel.h"

namespace graphrt {

class FusedBatchNormOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c);
  absl::Status Compute(OpKernelContext& ctx) override;

 private:
  float epsilon_ = 1e-4f;
  float factor_ = 1.0f;
  bool training_ = true;
};

class FusedBatchNormGradOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c);
  absl::Status Compute(OpKernelContext& ctx) override;

 private:
  float epsilon_ = 1e-4f;
  bool training_ = true;
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_BATCH_NORM_OPS_H_
