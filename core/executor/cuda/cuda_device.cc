// CudaDevice: streams, events, copies and the cuBLAS handle of one logical
// GPU device.
//
// Note [GPU stream order]
// Rationale: the executor must not wait on the host for each GPU op (the
// launch would then cost a round trip), yet a consumer must never read an
// unfinished producer, and a buffer handed back to the device's pool must not
// be overwritten while an earlier kernel still reads it.
// Approach: every kernel of a logical device runs on its single compute
// stream, launched by the host only after its inputs' kernels were launched:
// stream order is data order, and a pool buffer freed on the host can only be
// reused by work launched later on the same stream, hence ordered after every
// earlier reader (TF's GPU device relies on the same argument). Copies run on
// two copy streams (host-to-device, which also serves device-to-device, and
// device-to-host) so they can overlap compute; each copy is fenced with CUDA
// events on both sides: the copy stream first waits for the compute stream
// (the destination buffer may have just been freed by a pending kernel), and
// the compute stream(s) wait for the copy before any later kernel (the
// consumer, and any reuse of the source buffer on the source device).
// Host-to-device copies first copy the source into a buffer of the pinned
// pool (a host memcpy), so the caller may reuse the source at once and the
// DMA runs without a host wait; the staging buffer goes back to the pool
// once an event says the copy is done (checked at later copies and at the
// end of the step). Without pinned memory the copy waits on the host.
// Limitations: one compute stream per logical device serialises independent
// GPU ops of a step; split a GPU into logical devices for concurrency. An
// event is created per copy (a few microseconds); fine next to a transfer.
#include "core/executor/cuda/cuda_device.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/memory/bfc_allocator.h"
#include "core/memory/cuda_device_scope.h"

namespace graphrt {
namespace {

absl::Status SetDevice(int id) {
  int current = -1;
  if (cudaGetDevice(&current) == cudaSuccess && current == id) return absl::OkStatus();
  return CudaStatus(cudaSetDevice(id), "cudaSetDevice");
}

// Queue methods run on any thread (the Run caller's, CPU workers'), whose
// own CUDA device must not change under them: each enters a DeviceScope.
absl::Status Entered(const DeviceScope& scope) {
  return CudaStatus(scope.status(), "cudaSetDevice");
}

absl::Status RecordEvent(cudaStream_t stream, cudaEvent_t* event) {
  cudaError_t e = cudaEventCreateWithFlags(event, cudaEventDisableTiming);
  if (e != cudaSuccess) {
    *event = nullptr;
    return CudaStatus(e, "creating a CUDA event");
  }
  e = cudaEventRecord(*event, stream);
  if (e != cudaSuccess) {
    cudaEventDestroy(*event);
    *event = nullptr;
  }
  return CudaStatus(e, "recording a CUDA event");
}

absl::Status WaitAndDestroy(cudaStream_t stream, cudaEvent_t event) {
  cudaError_t e = cudaStreamWaitEvent(stream, event, 0);
  cudaError_t d = cudaEventDestroy(event);  // released once it completes
  return CudaStatus(e != cudaSuccess ? e : d, "waiting on a CUDA event");
}

}  // namespace

absl::Status CudaStatus(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return absl::OkStatus();
  (void)cudaGetLastError();  // clear a non-sticky error so the next call starts clean
  return absl::InternalError(absl::StrCat("CUDA error ", cudaGetErrorName(e), " (",
                                          cudaGetErrorString(e), ") in ", what));
}

absl::Status CheckLaunch(const char* kernel) {
  cudaError_t e = cudaGetLastError();
  if (e == cudaSuccess) return absl::OkStatus();
  // Launch errors belong to this kernel; any other error is a fault of an
  // earlier kernel on the device that this call happened to report.
  const bool launch_error = e == cudaErrorInvalidConfiguration || e == cudaErrorInvalidValue ||
                            e == cudaErrorLaunchOutOfResources ||
                            e == cudaErrorInvalidDeviceFunction || e == cudaErrorNoKernelImageForDevice;
  return absl::InternalError(absl::StrCat(
      "CUDA error ", cudaGetErrorName(e), " (", cudaGetErrorString(e), ") ",
      launch_error ? "launching " : "reported when launching ", kernel,
      launch_error ? "" : "; it may come from an earlier kernel on this device"));
}

CudaDevice::CudaDevice(DeviceAttributes attributes, int physical_id,
                       std::unique_ptr<Allocator> allocator, Allocator* pinned)
    : Device(std::move(attributes), /*allocator=*/nullptr, std::move(allocator),
             DeviceQueueOptions{/*inter_op_threads=*/1, /*intra_op_threads=*/0,
                                /*asynchronous=*/true}),
      physical_id_(physical_id),
      pinned_(pinned) {}

absl::StatusOr<std::unique_ptr<CudaDevice>> CudaDevice::Create(
    DeviceAttributes attributes, int physical_id, std::unique_ptr<Allocator> allocator,
    Allocator* pinned) {
  auto q = std::unique_ptr<CudaDevice>(
      new CudaDevice(std::move(attributes), physical_id, std::move(allocator), pinned));
  DeviceScope guard(physical_id);
  absl::Status s = Entered(guard);
  if (!s.ok()) return s;
  for (cudaStream_t* stream : {&q->compute_, &q->h2d_, &q->d2h_}) {
    s = CudaStatus(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "creating a stream");
    if (!s.ok()) return s;
  }
  cublasStatus_t b = cublasCreate(&q->cublas_);
  if (b == CUBLAS_STATUS_SUCCESS) b = cublasSetStream(q->cublas_, q->compute_);
  if (b != CUBLAS_STATUS_SUCCESS) {
    return absl::InternalError(absl::StrCat("cuBLAS error ", cublasGetStatusName(b),
                                            " creating the handle of ", q->name()));
  }
  return q;
}

absl::StatusOr<CudaDevice*> CudaDevice::Of(Device* device, const std::string& node) {
  auto* cuda = dynamic_cast<CudaDevice*>(device);
  if (cuda == nullptr) {
    return absl::InternalError(absl::StrCat(
        "GPU kernel of node '", node, "' runs on ",
        device == nullptr ? std::string("no device") : device->name(),
        ", which is not a CUDA device"));
  }
  return cuda;
}

CudaDevice::~CudaDevice() {
  DeviceScope guard(physical_id_);
  const bool entered = guard.status() == cudaSuccess;
  // Queued work may still use the services' handles and buffers (a cuDNN
  // workspace, a communicator): finish it before they go.
  if (entered) {
    for (cudaStream_t stream : {compute_, h2d_, d2h_}) {
      if (stream != nullptr) cudaStreamSynchronize(stream);
    }
  }
  DestroyServices();
  if (!entered) return;
  if (cublas_ != nullptr) cublasDestroy(cublas_);
  for (cudaStream_t stream : {compute_, h2d_, d2h_}) {
    if (stream != nullptr) cudaStreamDestroy(stream);
  }
  ReclaimStaging(/*wait=*/true);
}

absl::Status CudaDevice::Activate() const { return SetDevice(physical_id_); }

absl::Status CudaDevice::Fence(cudaStream_t signaller, cudaStream_t waiter) {
  cudaEvent_t event = nullptr;
  absl::Status s = RecordEvent(signaller, &event);
  if (!s.ok()) return s;
  return WaitAndDestroy(waiter, event);
}

absl::Status CudaDevice::CopyFromHost(const void* host_src, void* device_dst, size_t bytes) {
  if (bytes == 0) return absl::OkStatus();
  DeviceScope guard(physical_id_);
  absl::Status s = Entered(guard);
  if (s.ok()) s = Fence(compute_, h2d_);
  if (!s.ok()) return s;
  ReclaimStaging(/*wait=*/false);
  void* staging = pinned_ != nullptr ? pinned_->AllocateRaw(kTensorAlignment, bytes) : nullptr;
  if (staging == nullptr) {
    // No pinned memory: the driver stages pageable memory itself (waiting
    // for the copy stream first), or a pinned source is read after we return.
    s = CudaStatus(cudaMemcpyAsync(device_dst, host_src, bytes, cudaMemcpyHostToDevice, h2d_),
                   "a host-to-device copy");
    if (s.ok()) s = CudaStatus(cudaStreamSynchronize(h2d_), "a host-to-device copy");
    if (!s.ok()) return s;
    return Fence(h2d_, compute_);
  }
  // Note [GPU stream order]: the source is copied into pinned staging, so
  // the caller may reuse it at once and the DMA needs no host wait.
  std::memcpy(staging, host_src, bytes);
  s = CudaStatus(cudaMemcpyAsync(device_dst, staging, bytes, cudaMemcpyHostToDevice, h2d_),
                 "a host-to-device copy");
  cudaEvent_t done = nullptr;
  if (s.ok()) s = RecordEvent(h2d_, &done);
  if (!s.ok()) {
    // The copy may still be queued: wait before giving the staging back.
    cudaStreamSynchronize(h2d_);
    pinned_->DeallocateRaw(staging);
    return s;
  }
  {
    MutexLock lock(&staging_mu_);
    staging_.push_back({done, staging});
  }
  return Fence(h2d_, compute_);
}

void CudaDevice::ReclaimStaging(bool wait) {
  MutexLock lock(&staging_mu_);
  while (!staging_.empty()) {
    const Staging& front = staging_.front();
    // Copies on the one h2d stream finish in order: stop at the first pending.
    if (!wait && cudaEventQuery(front.done) == cudaErrorNotReady) break;
    if (wait) cudaEventSynchronize(front.done);
    cudaEventDestroy(front.done);
    pinned_->DeallocateRaw(front.buffer);
    staging_.pop_front();
  }
  (void)cudaGetLastError();  // cudaErrorNotReady is not an error
}

absl::Status CudaDevice::CopyToHostAsync(const void* device_src, void* host_dst, size_t bytes) {
  if (bytes == 0) return absl::OkStatus();
  DeviceScope guard(physical_id_);
  absl::Status s = Entered(guard);
  if (s.ok()) s = Fence(compute_, d2h_);
  if (!s.ok()) return s;
  return CudaStatus(cudaMemcpyAsync(host_dst, device_src, bytes, cudaMemcpyDeviceToHost, d2h_),
                    "a device-to-host copy");
}

absl::Status CudaDevice::CopyToHost(const void* device_src, void* host_dst, size_t bytes) {
  absl::Status s = CopyToHostAsync(device_src, host_dst, bytes);
  if (!s.ok() || bytes == 0) return s;
  DeviceScope guard(physical_id_);
  return CudaStatus(cudaStreamSynchronize(d2h_),
                    "a device-to-host copy (or an earlier kernel on the device)");
}

absl::Status CudaDevice::CopyFrom(Device& source, const void* src, void* dst, size_t bytes) {
  if (auto* peer = dynamic_cast<CudaDevice*>(&source); peer != nullptr && !source.host_memory()) {
    return CopyFromPeer(*peer, src, dst, bytes);
  }
  return Device::CopyFrom(source, src, dst, bytes);  // host memory, or staged through it
}

absl::Status CudaDevice::CopyFromPeer(CudaDevice& src, const void* source_ptr, void* device_dst,
                                      size_t bytes) {
  if (bytes == 0) return absl::OkStatus();
  DeviceScope guard(src.physical_id_);
  cudaEvent_t source_done = nullptr;
  absl::Status s = Entered(guard);
  if (s.ok()) s = RecordEvent(src.compute_, &source_done);
  if (!s.ok()) return s;
  s = SetDevice(physical_id_);
  if (!s.ok()) {
    cudaEventDestroy(source_done);
    return s;
  }
  s = WaitAndDestroy(h2d_, source_done);
  if (s.ok()) s = Fence(compute_, h2d_);
  if (s.ok()) {
    s = CudaStatus(cudaMemcpyPeerAsync(device_dst, physical_id_, source_ptr, src.physical_id_,
                                       bytes, h2d_),
                   "a device-to-device copy");
  }
  cudaEvent_t copied = nullptr;
  if (s.ok()) s = RecordEvent(h2d_, &copied);
  if (!s.ok()) return s;
  // Both compute streams wait: the consumer here, and any reuse of the
  // source buffer on the source device.
  s = CudaStatus(cudaStreamWaitEvent(compute_, copied, 0), "waiting on a copy");
  if (s.ok() && src.compute_ != compute_) {
    s = CudaStatus(cudaStreamWaitEvent(src.compute_, copied, 0), "waiting on a copy");
  }
  cudaEventDestroy(copied);
  return s;
}

absl::StatusOr<Tensor> CudaDevice::StageToHost(const Tensor& value) {
  // Note [Step end on asynchronous devices] (executor_step_end.cc): pinned
  // memory makes the copy a real DMA; ordinary host memory also works.
  absl::StatusOr<Tensor> copy = absl::ResourceExhaustedError("no pinned memory");
  if (pinned_ != nullptr) copy = Tensor::Allocate(pinned_, value.dtype(), value.shape());
  if (!copy.ok()) copy = Tensor::Allocate(HostPoolAllocator(), value.dtype(), value.shape());
  if (!copy.ok()) return copy.status();
  // The device buffer stays alive in the step's entries until Synchronize.
  absl::Status s = CopyToHostAsync(value.raw_data(), copy->raw_data(), value.TotalBytes());
  if (!s.ok()) return s;
  return copy;
}

absl::Status CudaDevice::Synchronize() {
  DeviceScope guard(physical_id_);
  absl::Status status = Entered(guard);
  if (!status.ok()) return status;
  // Every stream, even after an error: buffers are freed once this returns.
  for (cudaStream_t stream : {compute_, h2d_, d2h_}) {
    cudaError_t e = cudaStreamSynchronize(stream);
    if (e != cudaSuccess && status.ok()) {
      status = CudaStatus(e, absl::StrCat("a kernel or copy on ", name(),
                                          " (reported at the end of the step)")
                                 .c_str());
    }
  }
  ReclaimStaging(/*wait=*/false);
  return status;
}

void* CudaDevice::RecordTimingEvent() {
  DeviceScope guard(physical_id_);
  cudaEvent_t event = nullptr;
  if (guard.status() != cudaSuccess || cudaEventCreate(&event) != cudaSuccess) return nullptr;
  if (cudaEventRecord(event, compute_) != cudaSuccess) {
    cudaEventDestroy(event);
    return nullptr;
  }
  return event;
}

int64_t CudaDevice::ElapsedNs(void* from, void* to) {
  float ms = 0;
  if (from == nullptr || to == nullptr ||
      cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(from), static_cast<cudaEvent_t>(to)) !=
          cudaSuccess) {
    (void)cudaGetLastError();
    return -1;
  }
  return static_cast<int64_t>(static_cast<double>(ms) * 1e6);
}

void CudaDevice::ReleaseTimingEvent(void* event) {
  if (event == nullptr) return;
  DeviceScope guard(physical_id_);
  cudaEventDestroy(static_cast<cudaEvent_t>(event));
}

}  // namespace graphrt
