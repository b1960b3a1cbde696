// What the cuDNN kernels (cudnn_conv_ops.cc, cudnn_pool_ops.cc,
// cudnn_batch_norm_ops.cc) share: the per-device cuDNN handle (CudnnService),
// status translation naming the node, owning wrappers of cuDNN descriptors,
// NHWC tensor descriptors, and scratch memory from the device's allocator.
//
// Note [cuDNN handle per device]
// Rationale: a cuDNN handle holds per-context state and is bound to one
// stream; kernels of a device must run on its compute stream
// (Note [GPU stream order] in core/executor/cuda/cuda_device.cc), and cuDNN
// forbids using one handle from two threads at the same time.
// Approach: the handle is a DeviceService of the CudaDevice (the layering
// keeps cuDNN out of core/executor/cuda: only kernels/gpu links it), made on
// the first cuDNN kernel of the device (cudnnCreate needs the device current:
// the kernel has called ActiveDevice), bound once to the compute stream. A
// kernel takes it with CudnnService::Lock for the span of its cuDNN calls;
// the device runs its kernels on one thread, so the lock is uncontended
// unless a Run caller's thread also launches. The algorithm cache of the
// convolutions (cudnn_conv_algo.h) lives in the same service: algorithms
// depend on the card.
// Limitations: one handle per logical device; two logical devices on one
// card each make their own.
//
// Every cuDNN call's status is checked with CudnnStatus, whose message names
// the call and the node. Float32 only, NHWC only, TF32 off (CUDNN_FMA_MATH:
// results match the CPU's float32 within the conformance tolerances).
//
// Thread-safety: CudnnService::Lock serialises users of the handle; the
// other functions are thread-safe.
#ifndef GRAPHRT_KERNELS_GPU_CUDNN_UTIL_H_
#define GRAPHRT_KERNELS_GPU_CUDNN_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>

#include <cudnn.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/base/sync.h"
#include "core/executor/cuda/cuda_device.h"
#include "core/executor/op_kernel.h"
#include "kernels/gpu/cudnn_conv_algo.h"

namespace graphrt {

// OK, or INTERNAL "cuDNN error CUDNN_STATUS_X in <call> for node '<node>'
// (<detail>)".
absl::Status CudnnStatus(cudnnStatus_t s, const char* call, absl::string_view node,
                         absl::string_view detail = {});

// The cuDNN handle of one device, locked for one kernel's calls (a scoped
// lock: the mutex is held from construction to destruction).
class ABSL_SCOPED_LOCKABLE CudnnHandle {
 public:
  CudnnHandle(Mutex* mu, cudnnHandle_t handle) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu)
      : lock_(mu), handle_(handle) {}
  ~CudnnHandle() ABSL_UNLOCK_FUNCTION() = default;
  cudnnHandle_t get() const { return handle_; }

 private:
  MutexLock lock_;
  cudnnHandle_t handle_;
};

// Note [cuDNN handle per device].
class CudnnService final : public DeviceService {
 public:
  // The service of `device` (made current by the caller), created on first
  // use; an error names `node` and the device.
  static absl::StatusOr<CudnnService*> Of(CudaDevice& device, const std::string& node);
  ~CudnnService() override;

  // The handle, bound to the device's compute stream, held until the result
  // is destroyed. Thread-safe.
  std::unique_ptr<CudnnHandle> Lock() { return std::make_unique<CudnnHandle>(&mu_, handle_); }
  ConvAlgoCache& algorithms() { return algorithms_; }

 private:
  explicit CudnnService(cudnnHandle_t handle) : handle_(handle) {}
  Mutex mu_;
  cudnnHandle_t const handle_;  // used under mu_ (through CudnnHandle)
  ConvAlgoCache algorithms_;
};

// Owns one cuDNN descriptor; Create() makes it (an error names the node).
template <typename T, cudnnStatus_t (*CreateFn)(T*), cudnnStatus_t (*DestroyFn)(T)>
class CudnnDescriptor {
 public:
  CudnnDescriptor() = default;
  CudnnDescriptor(const CudnnDescriptor&) = delete;
  CudnnDescriptor& operator=(const CudnnDescriptor&) = delete;
  ~CudnnDescriptor() {
    if (d_ != nullptr) DestroyFn(d_);
  }
  absl::Status Create(const char* what, absl::string_view node) {
    return CudnnStatus(CreateFn(&d_), what, node);
  }
  T get() const { return d_; }

 private:
  T d_ = nullptr;
};
using TensorDescriptor = CudnnDescriptor<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor,
                                         cudnnDestroyTensorDescriptor>;
using FilterDescriptor = CudnnDescriptor<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor,
                                         cudnnDestroyFilterDescriptor>;
using ConvDescriptor = CudnnDescriptor<cudnnConvolutionDescriptor_t,
                                       cudnnCreateConvolutionDescriptor,
                                       cudnnDestroyConvolutionDescriptor>;
using PoolDescriptor = CudnnDescriptor<cudnnPoolingDescriptor_t, cudnnCreatePoolingDescriptor,
                                       cudnnDestroyPoolingDescriptor>;

// `d` created and set to a float32 NHWC tensor [n, h, w, c] (packed).
// UNIMPLEMENTED when a dim or the element count is 2^31 or more (cuDNN's
// legacy API takes int).
absl::Status SetNhwc(TensorDescriptor& d, int64_t n, int64_t h, int64_t w, int64_t c,
                     absl::string_view node);

// A float32 scratch tensor of `shape` from the node's device allocator; it
// goes back to the pool when the kernel returns, which stream order makes
// safe (Note [GPU stream order]).
absl::StatusOr<Tensor> Scratch(OpKernelContext& ctx, const TensorShape& shape);

// Copies NHWC `in` [n, in_h, in_w, c] into `out` [n, out_h, out_w, c] on
// the stream: out(h, w) = in(h - top, w - left) where inside, else *fill (a
// device float; null: 0). Pads with top/left >= 0, crops with < 0.
absl::Status CopyNhwcBox(const CudaDevice& device, const float* in, const TensorShape& in_shape,
                         float* out, const TensorShape& out_shape, int64_t top, int64_t left,
                         const float* fill, absl::string_view node);

// Zeroes `t` on the device's stream.
absl::Status ZeroOnStream(const CudaDevice& device, Tensor& t, const char* what);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_CUDNN_UTIL_H_
