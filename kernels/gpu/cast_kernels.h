// Cast's CUDA kernel: converts n elements between float32, int32, int64,
// uint8 and bool with the CPU's rules (kernels/cpu/cast_op.h): float ->
// integer truncates, NaN gives 0 and out-of-range values saturate; integer
// -> narrower integer wraps; anything -> bool is x != 0; bool -> anything is
// 0 / 1; integer -> float rounds to nearest.
//
// Enqueued on `stream`; nothing is launched when n <= 0; the caller makes the
// device current and checks the launch. Includes no graphrt header.
#ifndef GRAPHRT_KERNELS_GPU_CAST_KERNELS_H_
#define GRAPHRT_KERNELS_GPU_CAST_KERNELS_H_

#include <cstdint>

#include <cuda_runtime_api.h>

namespace graphrt {

enum class GpuCastType { kFloat32, kInt32, kInt64, kUint8, kBool };

// out[i] = convert(in[i]), in of type `src`, out of type `dst`.
void LaunchCast(GpuCastType src, GpuCastType dst, const void* in, void* out, int64_t n,
                cudaStream_t stream);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_CAST_KERNELS_H_
