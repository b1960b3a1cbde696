// The training kernels (see training_kernels.h): grid-stride loops.
#include "kernels/gpu/launch_util.cuh"
#include "kernels/gpu/training_kernels.h"

namespace graphrt {
namespace {

__global__ void ApplyMomentumKernel(MomentumArgs a, int64_t n) {
  const float lr = *a.lr;
  const float momentum = *a.momentum;
  for (int64_t i = gpu::GlobalThread(); i < n; i += gpu::GridThreads()) {
    const float g = a.grad[i];
    const float accum = a.accum[i] * momentum + g;
    a.accum_out[i] = accum;
    a.var_out[i] = a.var[i] - (a.use_nesterov ? g * lr + accum * momentum * lr : accum * lr);
  }
}

__global__ void ApplyAdamKernel(AdamArgs a, int64_t n) {
  const float beta1 = *a.beta1;
  const float beta2 = *a.beta2;
  const float epsilon = *a.epsilon;
  const float lr_t = *a.lr * sqrtf(1 - *a.beta2_power) / (1 - *a.beta1_power);
  for (int64_t i = gpu::GlobalThread(); i < n; i += gpu::GridThreads()) {
    const float g = a.grad[i];
    const float m = a.m[i] + (g - a.m[i]) * (1 - beta1);
    const float v = a.v[i] + (g * g - a.v[i]) * (1 - beta2);
    a.m_out[i] = m;
    a.v_out[i] = v;
    a.var_out[i] = a.var[i] - (m * lr_t) / (sqrtf(v) + epsilon);
  }
}

}  // namespace

void LaunchApplyMomentum(const MomentumArgs& args, int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  ApplyMomentumKernel<<<gpu::BlocksFor(n), gpu::kThreads, 0, stream>>>(args, n);
}

void LaunchApplyAdam(const AdamArgs& args, int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  ApplyAdamKernel<<<gpu::BlocksFor(n), gpu::kThreads, 0, stream>>>(args, n);
}

}  // namespace graphrt
