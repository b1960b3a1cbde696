// CudaQueue: streams, events and the cuBLAS handle of one logical GPU device.
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
// Host-to-device copies from pageable memory return once the source is
// staged; from pinned memory they are truly asynchronous, so the copy stream
// is synchronised before returning (the caller may free the source).
// Limitations: one compute stream per logical device serialises independent
// GPU ops of a step; split a GPU into logical devices for concurrency. An
// event is created per copy (a few microseconds); fine next to a transfer.
#include "core/executor/cuda_queue.h"

#include "absl/strings/str_cat.h"

namespace graphrt {
namespace {

// The device this thread last made current through SetDevice; -1: unknown.
thread_local int current_device = -1;

absl::Status SetDevice(int id) {
  if (current_device == id) return absl::OkStatus();
  cudaError_t e = cudaSetDevice(id);
  if (e != cudaSuccess) {
    current_device = -1;
    return CudaStatus(e, "cudaSetDevice");
  }
  current_device = id;
  return absl::OkStatus();
}

// Some other code (allocators) sets the device and restores it; that restores
// what this cache says, so the cache stays true.
absl::Status RecordEvent(cudaStream_t stream, cudaEvent_t* event) {
  cudaError_t e = cudaEventCreateWithFlags(event, cudaEventDisableTiming);
  if (e == cudaSuccess) e = cudaEventRecord(*event, stream);
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
  return absl::InternalError(absl::StrCat("CUDA error ", cudaGetErrorName(e), " (",
                                          cudaGetErrorString(e), ") launching ", kernel));
}

CudaQueue::CudaQueue(int physical_id, std::string name, Allocator* pinned)
    : physical_id_(physical_id), name_(std::move(name)), pinned_(pinned) {}

absl::StatusOr<std::unique_ptr<CudaQueue>> CudaQueue::Create(int physical_id, std::string name,
                                                             Allocator* pinned) {
  auto q = std::unique_ptr<CudaQueue>(new CudaQueue(physical_id, std::move(name), pinned));
  absl::Status s = SetDevice(physical_id);
  if (!s.ok()) return s;
  for (cudaStream_t* stream : {&q->compute_, &q->h2d_, &q->d2h_}) {
    s = CudaStatus(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "creating a stream");
    if (!s.ok()) return s;
  }
  cublasStatus_t b = cublasCreate(&q->cublas_);
  if (b == CUBLAS_STATUS_SUCCESS) b = cublasSetStream(q->cublas_, q->compute_);
  if (b != CUBLAS_STATUS_SUCCESS) {
    return absl::InternalError(absl::StrCat("cuBLAS error ", cublasGetStatusName(b),
                                            " creating the handle of ", q->name_));
  }
  return q;
}

CudaQueue::~CudaQueue() {
  if (!SetDevice(physical_id_).ok()) return;
  if (cublas_ != nullptr) cublasDestroy(cublas_);
  for (cudaStream_t stream : {compute_, h2d_, d2h_}) {
    if (stream != nullptr) {
      cudaStreamSynchronize(stream);
      cudaStreamDestroy(stream);
    }
  }
}

absl::Status CudaQueue::Activate() const { return SetDevice(physical_id_); }

absl::Status CudaQueue::Fence(cudaStream_t signaller, cudaStream_t waiter) {
  cudaEvent_t event = nullptr;
  absl::Status s = RecordEvent(signaller, &event);
  if (!s.ok()) return s;
  return WaitAndDestroy(waiter, event);
}

absl::Status CudaQueue::CopyFromHost(const void* host_src, void* device_dst, size_t bytes) {
  if (bytes == 0) return absl::OkStatus();
  absl::Status s = Activate();
  if (s.ok()) s = Fence(compute_, h2d_);
  if (s.ok()) {
    s = CudaStatus(cudaMemcpyAsync(device_dst, host_src, bytes, cudaMemcpyHostToDevice, h2d_),
                   "a host-to-device copy");
  }
  if (!s.ok()) return s;
  cudaPointerAttributes attrs{};
  if (cudaPointerGetAttributes(&attrs, host_src) == cudaSuccess &&
      attrs.type == cudaMemoryTypeHost) {
    // Pinned source: the DMA reads it after we return (Note [GPU stream order]).
    s = CudaStatus(cudaStreamSynchronize(h2d_), "a host-to-device copy from pinned memory");
    if (!s.ok()) return s;
  }
  (void)cudaGetLastError();  // pageable pointers report cudaErrorInvalidValue on old drivers
  return Fence(h2d_, compute_);
}

absl::Status CudaQueue::CopyToHostAsync(const void* device_src, void* host_dst, size_t bytes) {
  if (bytes == 0) return absl::OkStatus();
  absl::Status s = Activate();
  if (s.ok()) s = Fence(compute_, d2h_);
  if (!s.ok()) return s;
  return CudaStatus(cudaMemcpyAsync(host_dst, device_src, bytes, cudaMemcpyDeviceToHost, d2h_),
                    "a device-to-host copy");
}

absl::Status CudaQueue::CopyToHost(const void* device_src, void* host_dst, size_t bytes) {
  absl::Status s = CopyToHostAsync(device_src, host_dst, bytes);
  if (!s.ok() || bytes == 0) return s;
  return CudaStatus(cudaStreamSynchronize(d2h_),
                    "a device-to-host copy (or an earlier kernel on the device)");
}

absl::Status CudaQueue::CopyFromDevice(GpuQueue& source, const void* source_ptr,
                                       void* device_dst, size_t bytes) {
  if (bytes == 0) return absl::OkStatus();
  auto& src = static_cast<CudaQueue&>(source);  // every GPU device of a CUDA build is one
  cudaEvent_t source_done = nullptr;
  absl::Status s = SetDevice(src.physical_id_);
  if (s.ok()) s = RecordEvent(src.compute_, &source_done);
  if (s.ok()) s = Activate();
  if (s.ok()) s = WaitAndDestroy(h2d_, source_done);
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

absl::Status CudaQueue::Synchronize() {
  absl::Status s = Activate();
  if (!s.ok()) return s;
  for (cudaStream_t stream : {compute_, h2d_, d2h_}) {
    cudaError_t e = cudaStreamSynchronize(stream);
    if (e != cudaSuccess) {
      return CudaStatus(e, absl::StrCat("a kernel or copy on ", name_,
                                        " (reported at the end of the step)")
                               .c_str());
    }
  }
  return absl::OkStatus();
}

void* CudaQueue::RecordTimingEvent() {
  cudaEvent_t event = nullptr;
  if (!Activate().ok() || cudaEventCreate(&event) != cudaSuccess) return nullptr;
  if (cudaEventRecord(event, compute_) != cudaSuccess) {
    cudaEventDestroy(event);
    return nullptr;
  }
  return event;
}

int64_t CudaQueue::ElapsedNs(void* from, void* to) {
  float ms = 0;
  if (from == nullptr || to == nullptr ||
      cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(from), static_cast<cudaEvent_t>(to)) !=
          cudaSuccess) {
    (void)cudaGetLastError();
    return -1;
  }
  return static_cast<int64_t>(static_cast<double>(ms) * 1e6);
}

void CudaQueue::ReleaseTimingEvent(void* event) {
  if (event != nullptr) cudaEventDestroy(static_cast<cudaEvent_t>(event));
}

}  // namespace graphrt
