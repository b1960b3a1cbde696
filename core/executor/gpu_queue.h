// GpuQueue: what the executor and the kernels see of one logical GPU device:
// its copies and the end-of-step synchronisation. No CUDA type appears here,
// so the executor builds and runs without CUDA; the CUDA implementation is
// CudaQueue (core/executor/cuda_queue.h), which GPU kernels cast to for the
// compute stream and the cuBLAS handle.
//
// Ordering contract (Note [GPU stream order] in cuda_queue.cc): every kernel
// of the device runs on its one compute stream in the order the host launched
// it, so a node whose inputs were launched before it reads finished data
// without any host wait. Copies run on separate copy streams and are fenced
// with CUDA events against the compute stream on both sides, so a buffer
// returned to the device's pool on the host is never reused by later work
// while an earlier kernel or copy still touches it.
//
// Thread-safety: every method is thread-safe. Ownership: the Runtime owns the
// queue (through its Device); it outlives every session using it.
#ifndef GRAPHRT_CORE_EXECUTOR_GPU_QUEUE_H_
#define GRAPHRT_CORE_EXECUTOR_GPU_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "core/memory/allocator.h"

namespace graphrt {

class GpuQueue {
 public:
  virtual ~GpuQueue() = default;

  // The logical device's full name, for messages.
  virtual const std::string& name() const = 0;
  // The CUDA device ordinal (as the CUDA runtime numbers visible devices).
  virtual int physical_id() const = 0;

  // host -> this device. Ordered before everything launched on the compute
  // stream after it returns; `host_src` may be reused as soon as it returns.
  virtual absl::Status CopyFromHost(const void* host_src, void* device_dst, size_t bytes) = 0;
  // this device -> host, after all work launched so far; `host_dst` holds the
  // bytes when it returns (one host wait).
  virtual absl::Status CopyToHost(const void* device_src, void* host_dst, size_t bytes) = 0;
  // The same as CopyToHost without the wait: the bytes are in `host_dst`
  // once Synchronize() returns OK. For a step's fetches.
  virtual absl::Status CopyToHostAsync(const void* device_src, void* host_dst, size_t bytes) = 0;
  // `source`'s memory (another logical device, on this or another physical
  // GPU) -> this device: after all work launched on `source` so far, and
  // before later work on either device's compute stream.
  virtual absl::Status CopyFromDevice(GpuQueue& source, const void* source_ptr,
                                      void* device_dst, size_t bytes) = 0;

  // Waits until everything launched on the device so far has finished.
  // Errors raised by kernels while they ran (an illegal address, a fault)
  // surface here, naming the device.
  virtual absl::Status Synchronize() = 0;

  // Page-locked host memory for staging fetched tensors; null when the
  // system gave none (fetches then land in ordinary host memory).
  virtual Allocator* pinned_allocator() const = 0;

  // Device-side timing for traced steps: an event recorded on the compute
  // stream now (after everything launched so far), or null when timing is
  // unavailable. Once Synchronize() has returned, ElapsedNs(from, to) is the
  // device time between two such events (-1 when unknown). Every event must
  // be given back with ReleaseTimingEvent.
  virtual void* RecordTimingEvent() { return nullptr; }
  virtual int64_t ElapsedNs(void* from, void* to) { return -1; }
  virtual void ReleaseTimingEvent(void* event) {}
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_GPU_QUEUE_H_
