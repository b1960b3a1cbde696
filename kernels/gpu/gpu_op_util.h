// Host-side helpers for the GPU op kernels (the *_ops.cc files of
// kernels/gpu): the node's CudaDevice made current on the calling thread,
// stream-ordered device copies, output forwarding, and the translation of the
// shared broadcast plans (kernels/common/cwise_shape.h) into the GPU kernels'
// BroadcastIndex.
//
// GPU kernels launch on CudaDevice::stream() only and never wait on the host
// (Note [GPU stream order] in core/executor/cuda/cuda_device.cc); every launch is
// followed by CheckLaunch.
//
// Thread-safety: every function is thread-safe.
#ifndef GRAPHRT_KERNELS_GPU_GPU_OP_UTIL_H_
#define GRAPHRT_KERNELS_GPU_GPU_OP_UTIL_H_

#include <cstddef>
#include <initializer_list>
#include <vector>

#include "absl/status/statusor.h"
#include "core/executor/cuda/cuda_device.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/cwise_shape.h"
#include "kernels/gpu/cwise_kernels.h"

namespace graphrt {

// The element dtypes GPU kernels that only move or alias data accept
// (Identity, Reshape, ...): float32, int32, int64, uint8, bool.
inline std::vector<DataType> GpuDataTypes() {
  return {DataType::kFloat32, DataType::kInt32, DataType::kInt64, DataType::kUint8,
          DataType::kBool};
}

// The node's GPU device as a CudaDevice, made current on this thread.
// INTERNAL when the kernel runs on a node without a GPU device.
absl::StatusOr<CudaDevice*> ActiveDevice(const OpKernelContext& ctx);

// Enqueues a copy of `bytes` from device memory `src` to `dst` (same device)
// on the compute stream; nothing for 0 bytes. `what` names it in errors.
absl::Status CopyOnStream(const CudaDevice& device, void* dst, const void* src, size_t bytes,
                          const char* what);

// Output 0 on the buffer of one of `candidates` (input indices) that has the
// output's element count and dtype, preferring one nobody else holds (the
// executor decides in the end); else a fresh allocation. Elementwise kernels
// may write in place: each element is read and written by one thread.
absl::StatusOr<Tensor*> ForwardInputOrAllocate(OpKernelContext& ctx,
                                               std::initializer_list<int> candidates,
                                               const TensorShape& shape);

// The GPU form of a broadcast plan (kernels/common/cwise_shape.h). A plan of
// kind kEmpty gives rank 0. UNIMPLEMENTED when the plan has more than
// kMaxBroadcastRank collapsed dims.
absl::StatusOr<BroadcastIndex> ToBroadcastIndex(const BroadcastPlan& plan);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_GPU_OP_UTIL_H_
