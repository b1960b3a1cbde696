// LaunchFill: writes `value` to n floats of device memory on `stream`.
// Returns the cudaError_t of the launch (0 on success).
#ifndef GRAPHRT_KERNELS_GPU_FILL_H_
#define GRAPHRT_KERNELS_GPU_FILL_H_

namespace graphrt {

int LaunchFill(float* device_out, long long n, float value, void* stream);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_FILL_H_
