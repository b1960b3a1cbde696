// The raw CUDA baseline of bench/gpu/gpu_bench.cc: what a hand-written
// program pays to launch a chain of tiny kernels, without graphrt.
#ifndef GRAPHRT_BENCH_GPU_RAW_KERNELS_H_
#define GRAPHRT_BENCH_GPU_RAW_KERNELS_H_

#include <cstdint>

#include <cuda_runtime_api.h>

namespace graphrt::bench {

// `launches` kernels on `stream`, each adding 1 to the `elements` floats at
// `data` in place (one block of up to 256 threads per 256 elements). Returns
// the first launch error.
cudaError_t LaunchAddOneChain(float* data, int64_t elements, int launches, cudaStream_t stream);

}  // namespace graphrt::bench

#endif  // GRAPHRT_BENCH_GPU_RAW_KERNELS_H_
