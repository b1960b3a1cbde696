// The CUDA kernels of the GPU training ops (training_ops.cc), out of place
// (Note [GPU variable updates] in variable_ops.cc): they read the current
// values and write fresh buffers, element by element in TF's operation order
// (the formulas are in core/graph/ops/training_ops.h).
//   Momentum: accum_out = accum * momentum + grad;
//             var_out = var - (nesterov ? grad * lr + accum_out * momentum * lr
//                                        : accum_out * lr)
//   Adam:     lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power);
//             m_out = m + (grad - m) * (1 - beta1);
//             v_out = v + (grad^2 - v) * (1 - beta2);
//             var_out = var - m_out * lr_t / (sqrt(v_out) + epsilon)
// The hyperparameters are device pointers to float32 scalars (the op's
// inputs live in device memory), read on the device. Outputs must not
// overlap inputs. Enqueued on `stream`; nothing is launched when n <= 0; the
// caller makes the device current and checks the launch. Includes no
// graphrt header.
#ifndef GRAPHRT_KERNELS_GPU_TRAINING_KERNELS_H_
#define GRAPHRT_KERNELS_GPU_TRAINING_KERNELS_H_

#include <cstdint>

#include <cuda_runtime_api.h>

namespace graphrt {

struct MomentumArgs {
  const float* var;
  const float* accum;
  const float* grad;
  const float* lr;        // device scalar
  const float* momentum;  // device scalar
  bool use_nesterov;
  float* var_out;
  float* accum_out;
};
void LaunchApplyMomentum(const MomentumArgs& args, int64_t n, cudaStream_t stream);

struct AdamArgs {
  const float* var;
  const float* m;
  const float* v;
  const float* grad;
  // Device scalars.
  const float* beta1_power;
  const float* beta2_power;
  const float* lr;
  const float* beta1;
  const float* beta2;
  const float* epsilon;
  float* var_out;
  float* m_out;
  float* v_out;
};
void LaunchApplyAdam(const AdamArgs& args, int64_t n, cudaStream_t stream);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_TRAINING_KERNELS_H_
