// The CUDA kernel of the GPU variable updates (variable_ops.cc):
//   out[i] = value[i] + scale * delta[i],  scale = -*alpha, or 1 when alpha
// is null. `alpha` is a device pointer (ApplyGradientDescent's learning rate
// is a tensor in device memory), read on the device. `out` may not overlap
// `value` or `delta` unless equal to one of them. Enqueued on `stream`;
// nothing is launched when n <= 0; the caller makes the device current and
// checks the launch. Includes no graphrt header.
#ifndef GRAPHRT_KERNELS_GPU_VARIABLE_KERNELS_H_
#define GRAPHRT_KERNELS_GPU_VARIABLE_KERNELS_H_

#include <cstdint>

#include <cuda_runtime_api.h>

namespace graphrt {

void LaunchVariableUpdate(const float* value, const float* delta, const float* alpha, float* out,
                          int64_t n, cudaStream_t stream);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_VARIABLE_KERNELS_H_
