// CudaDevice: the CUDA implementation of Device (core/executor/device.h) for
// one logical GPU device: a BFC pool over the card's memory, a one-thread
// launch queue, a compute stream, a host-to-device and a device-to-host copy
// stream, and a cuBLAS handle bound to the compute stream. GPU kernels
// (kernels/gpu) get it with CudaDevice::Of(ctx.device()) and launch on
// stream(); per-device library handles beyond cuBLAS (cuDNN, NCCL) belong in
// Device::GetOrCreateService.
//
// Ordering contract (Note [GPU stream order] in cuda_device.cc): every kernel
// of the device runs on its one compute stream in the order the host launched
// it, so a node whose inputs were launched before it reads finished data
// without any host wait. Copies run on separate copy streams and are fenced
// with CUDA events against the compute stream on both sides, so a buffer
// returned to the device's pool on the host is never reused by later work
// while an earlier kernel or copy still touches it.
//
// Built only with CUDA (library graphrt::cuda_device, which registers the
// GPU DeviceFactory: cuda_device_factory.cc). Thread-safety: every method is
// thread-safe (CUDA streams and cuBLAS handles may be used from several host
// threads; the handle's stream never changes).
#ifndef GRAPHRT_CORE_EXECUTOR_CUDA_CUDA_DEVICE_H_
#define GRAPHRT_CORE_EXECUTOR_CUDA_CUDA_DEVICE_H_

#include <deque>
#include <memory>
#include <string>

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "core/base/sync.h"
#include "core/executor/device.h"

namespace graphrt {

class CudaDevice final : public Device {
 public:
  // The logical device `attributes` on CUDA device `physical_id`, with its
  // memory pool `allocator`. `pinned` (may be null) stages host-to-device
  // copies and fetched tensors. An error (streams or handles that cannot be
  // made) names the device.
  static absl::StatusOr<std::unique_ptr<CudaDevice>> Create(DeviceAttributes attributes,
                                                            int physical_id,
                                                            std::unique_ptr<Allocator> allocator,
                                                            Allocator* pinned);
  ~CudaDevice() override;

  // `device` as a CudaDevice; INTERNAL naming `node` when it is null or of
  // another implementation (a GPU kernel run on a device that is not CUDA).
  static absl::StatusOr<CudaDevice*> Of(Device* device, const std::string& node);

  // The CUDA device ordinal (as the CUDA runtime numbers visible devices).
  int physical_id() const { return physical_id_; }

  absl::Status CopyFromHost(const void* host_src, void* dst, size_t bytes) override;
  absl::Status CopyToHost(const void* src, void* host_dst, size_t bytes) override;
  absl::Status CopyFrom(Device& source, const void* src, void* dst, size_t bytes) override;
  absl::StatusOr<Tensor> StageToHost(const Tensor& value) override;
  absl::Status Synchronize() override;
  void* RecordTimingEvent() override;
  int64_t ElapsedNs(void* from, void* to) override;
  void ReleaseTimingEvent(void* event) override;

  // Makes this device current on the calling thread (cudaSetDevice only when
  // it is not), without restoring: kernels call it before launching. The
  // device's own thread runs them, and so may a Run caller whose step starts
  // on the GPU: Session::Run can leave that thread on the GPU's device.
  absl::Status Activate() const;
  cudaStream_t stream() const { return compute_; }
  cublasHandle_t cublas() const { return cublas_; }

 private:
  CudaDevice(DeviceAttributes attributes, int physical_id, std::unique_ptr<Allocator> allocator,
             Allocator* pinned);
  // The same as CopyToHost without the wait: the bytes are in `host_dst`
  // once Synchronize() returns OK.
  absl::Status CopyToHostAsync(const void* src, void* host_dst, size_t bytes);
  // `source`'s memory -> this device, after all work launched on `source`
  // so far and before later work on either device's compute stream.
  absl::Status CopyFromPeer(CudaDevice& source, const void* src, void* dst, size_t bytes);
  // `waiter` waits for everything enqueued on `signaller` so far.
  absl::Status Fence(cudaStream_t signaller, cudaStream_t waiter);
  // Gives back staging buffers of finished host-to-device copies (all of
  // them, waiting, when `wait`).
  void ReclaimStaging(bool wait);

  struct Staging {
    cudaEvent_t done;  // recorded after the copy, on h2d_
    void* buffer;      // from pinned_
  };

  const int physical_id_;
  Allocator* const pinned_;
  cudaStream_t compute_ = nullptr;
  cudaStream_t h2d_ = nullptr;
  cudaStream_t d2h_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  Mutex staging_mu_;
  std::deque<Staging> staging_ ABSL_GUARDED_BY(staging_mu_);  // in copy order
};

// "CUDA error cudaErrorX (what it means) in `what`" when `e` is an error.
absl::Status CudaStatus(cudaError_t e, const char* what);
// The launch status of the last kernel this thread launched (cudaGetLastError).
absl::Status CheckLaunch(const char* kernel);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_CUDA_CUDA_DEVICE_H_
