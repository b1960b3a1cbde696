// Device: one logical device the executor dispatches to, with its queue.
//
// A CPU device's queue is its own inter-op oneTBB arena (independent ops of
// a step run there) and its own intra-op pool (kernels split work there), so
// several logical CPU devices behave like separate machines sharing memory:
// multi-device graphs run and are tested without a GPU. Tensor memory comes
// from the device's allocator.
//
// A GPU device (one per logical GPU) has a 1-thread queue whose thread
// launches the device's kernels in order on its GpuQueue's compute stream
// (core/executor/gpu_queue.h); its allocator hands out device memory.
//
// Thread-safety: all methods are thread-safe; a Device outlives the sessions
// that use it (the Runtime owns it).
#ifndef GRAPHRT_CORE_EXECUTOR_DEVICE_H_
#define GRAPHRT_CORE_EXECUTOR_DEVICE_H_

#include <memory>

#include <tbb/task_arena.h>

#include "core/executor/gpu_queue.h"
#include "core/executor/thread_pool.h"
#include "core/memory/allocator.h"
#include "core/placer/device_attributes.h"

namespace graphrt {

class Device {
 public:
  // inter_op_threads / intra_op_threads: resolved counts (>= 1).
  // `gpu`: the streams of a GPU device; null for CPU devices.
  Device(DeviceAttributes attributes, int inter_op_threads, int intra_op_threads,
         Allocator* allocator, std::unique_ptr<GpuQueue> gpu = nullptr);

  const DeviceAttributes& attributes() const { return attributes_; }
  const std::string& name() const { return attributes_.name; }
  const std::string& type() const { return attributes_.type; }
  int inter_op_threads() const { return inter_op_threads_; }
  tbb::task_arena* arena() const { return arena_.get(); }
  IntraOpPool* intra_op() const { return intra_op_.get(); }
  Allocator* allocator() const { return allocator_; }
  GpuQueue* gpu() const { return gpu_.get(); }

 private:
  DeviceAttributes attributes_;
  int inter_op_threads_;
  std::unique_ptr<tbb::task_arena> arena_;
  std::unique_ptr<IntraOpPool> intra_op_;
  Allocator* allocator_;
  std::unique_ptr<GpuQueue> gpu_;
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_DEVICE_H_
