// BiasAdd's CUDA kernel: out[r, c] = in[r, c] + bias[c] over a [rows,
// channels] view (the last dim is the channel dim, as on the CPU). `out` may
// equal `in`. Enqueued on `stream`; nothing is launched when n <= 0; the
// caller makes the device current and checks the launch. BiasAddGrad is a
// column sum (reduction_kernels.h). Includes no graphrt header.
#ifndef GRAPHRT_KERNELS_GPU_BIAS_KERNELS_H_
#define GRAPHRT_KERNELS_GPU_BIAS_KERNELS_H_

#include <cstdint>

#include <cuda_runtime_api.h>

namespace graphrt {

// n: the element count of in / out, a multiple of channels > 0.
void LaunchBiasAdd(const float* in, const float* bias, float* out, int64_t n, int64_t channels,
                   cudaStream_t stream);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_BIAS_KERNELS_H_
