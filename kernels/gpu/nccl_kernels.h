// The CUDA kernel the NCCL collectives need beside NCCL: the integer mean's
// final division. NCCL's ncclAvg serves float32; for int32 and int64 the
// all-reduce sums and this divides with C++'s truncation toward zero, the
// CPU kernels' rule (docs/collectives.md: integer mean truncates, as TF's
// Div).
//
// Enqueued on `stream`; nothing is launched when n <= 0; the caller makes the
// device current and checks the launch. Includes no graphrt header.
#ifndef GRAPHRT_KERNELS_GPU_NCCL_KERNELS_H_
#define GRAPHRT_KERNELS_GPU_NCCL_KERNELS_H_

#include <cstdint>

#include <cuda_runtime_api.h>

namespace graphrt {

// data[i] /= divisor for i < n (divisor > 0).
void LaunchDivideInPlace(int32_t* data, int64_t n, int32_t divisor, cudaStream_t stream);
void LaunchDivideInPlace(int64_t* data, int64_t n, int64_t divisor, cudaStream_t stream);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_NCCL_KERNELS_H_
