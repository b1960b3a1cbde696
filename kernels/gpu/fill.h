// LaunchFill: writes `value` to n floats of device memory on `stream` (the
// reductions' empty results: 0 for Sum, NaN for Mean). Launches nothing when
// n <= 0; the caller checks the launch (CheckLaunch). Includes no graphrt
// header: nvcc compiles the .cu side as C++17.
#ifndef GRAPHRT_KERNELS_GPU_FILL_H_
#define GRAPHRT_KERNELS_GPU_FILL_H_

#include <cstdint>

#include <cuda_runtime_api.h>

namespace graphrt {

void LaunchFill(float* out, int64_t n, float value, cudaStream_t stream);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_FILL_H_
