// CudaQueue: the CUDA implementation of GpuQueue for one logical GPU device:
// a compute stream, a host-to-device and a device-to-host copy stream, and a
// cuBLAS handle bound to the compute stream. GPU kernels (kernels/gpu) reach
// it through OpKernelContext::gpu() and launch on stream().
//
// Built only with CUDA (library graphrt::gpu_device). The Runtime makes one
// per logical GPU device; a device whose streams or handles cannot be made is
// left out of the device list with the reason logged (Create's status).
//
// Thread-safety: every method is thread-safe (CUDA streams and cuBLAS handles
// may be used from several host threads; the handle's stream never changes).
#ifndef GRAPHRT_CORE_EXECUTOR_CUDA_QUEUE_H_
#define GRAPHRT_CORE_EXECUTOR_CUDA_QUEUE_H_

#include <deque>
#include <memory>
#include <string>

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "core/executor/gpu_queue.h"
#include "core/base/sync.h"

namespace graphrt {

class CudaQueue final : public GpuQueue {
 public:
  // Streams and handles on CUDA device `physical_id`. `pinned` (may be null)
  // stages fetches.
  static absl::StatusOr<std::unique_ptr<CudaQueue>> Create(int physical_id, std::string name,
                                                           Allocator* pinned);
  ~CudaQueue() override;

  const std::string& name() const override { return name_; }
  int physical_id() const override { return physical_id_; }
  absl::Status CopyFromHost(const void* host_src, void* device_dst, size_t bytes) override;
  absl::Status CopyToHost(const void* device_src, void* host_dst, size_t bytes) override;
  absl::Status CopyToHostAsync(const void* device_src, void* host_dst, size_t bytes) override;
  absl::Status CopyFromDevice(GpuQueue& source, const void* source_ptr, void* device_dst,
                              size_t bytes) override;
  absl::Status Synchronize() override;
  Allocator* pinned_allocator() const override { return pinned_; }
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
  CudaQueue(int physical_id, std::string name, Allocator* pinned);
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
  const std::string name_;
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

#endif  // GRAPHRT_CORE_EXECUTOR_CUDA_QUEUE_H_
