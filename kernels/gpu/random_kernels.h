// The CUDA kernel of StatelessRandomUniformLike: out[i] = uniform element i
// of the Philox 4x32-10 stream of seed (kernels/common/philox.h, the code
// the CPU kernel runs, so both devices give the same bits). `seed` is a
// device pointer to two int32 or int64 values, read by the kernel (nothing
// waits on the host). Enqueued on `stream`; nothing launched when n <= 0;
// the caller makes the device current and checks the launch. Includes no
// graphrt header beyond philox.h (C++17).
#ifndef GRAPHRT_KERNELS_GPU_RANDOM_KERNELS_H_
#define GRAPHRT_KERNELS_GPU_RANDOM_KERNELS_H_

#include <cstdint>

#include <cuda_runtime_api.h>

namespace graphrt {

void LaunchUniform(const void* seed, bool seed_is_int64, float* out, int64_t n,
                   cudaStream_t stream);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_RANDOM_KERNELS_H_
