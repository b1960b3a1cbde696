// Device: one logical device, with everything that differs between device
// types behind one interface. The executor, the `_Copy` kernel and the trace
// code speak only to it; kernels reach it through their context.
//
// A device owns:
// - its attributes (full name, type, ids, memory limit) and its allocator,
//   whose memory_space() says whether the host can touch its tensors;
// - its queue: a oneTBB arena where its ready nodes run (Note [Device
//   queues] in device.cc). A CPU device has inter_op_threads() threads there
//   and an intra-op pool its kernels split work over; a CUDA device has one
//   thread that launches kernels, in order, on its compute stream;
// - copies into its memory from the host and from other devices, and out of
//   it to the host;
// - what "the step is done here" means: an asynchronous device (its kernels
//   return before their work has run) brings fetched tensors to the host and
//   is synchronised once per step (Note [Step end on asynchronous devices]
//   in executor_step_end.cc);
// - device-side timing of traced nodes (asynchronous devices only);
// - per-device services made on first use (library handles, collective
//   communicators): GetOrCreateService.
// The CPU implementation is this class as it is (cpu_device.h); the CUDA one
// is CudaDevice (core/executor/cuda/). Devices are made by their type's
// DeviceFactory (device_factory.h) and owned by a Runtime.
//
// Thread-safety: every method is thread-safe. A device outlives the
// sessions using it; fetched tensors may outlive it (see allocator()).
#ifndef GRAPHRT_CORE_EXECUTOR_DEVICE_H_
#define GRAPHRT_CORE_EXECUTOR_DEVICE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "core/base/sync.h"
#include "core/executor/thread_pool.h"
#include "core/graph/tensor.h"
#include "core/memory/allocator.h"
#include "core/memory/memory_space.h"
#include "core/placer/device_attributes.h"

namespace graphrt {

// A per-device service (see Device::GetOrCreateService).
class DeviceService {
 public:
  virtual ~DeviceService() = default;
};

struct DeviceQueueOptions {
  // Threads running this device's ready nodes (>= 1). One thread runs them
  // one at a time, in the order they became ready: the executor then runs
  // every node inline and needs no atomics within a one-device step.
  int inter_op_threads = 1;
  // Threads a kernel may split its work over (ParallelFor); 0: no pool, a
  // kernel's ParallelFor runs on the calling thread.
  int intra_op_threads = 0;
  // True when kernels return before their work has run (it is queued on the
  // device): such devices stage fetches and synchronise at each step's end.
  bool asynchronous = false;
};

class Device {
 public:
  // `allocator` hands out the device's memory and outlives the device; or,
  // when it is null, `owned` does and is retired with the device, after the
  // derived class has drained its work (deleted when its last buffer is
  // returned: results may outlive the runtime). (One of the two, never both from one
  // unique_ptr in one call: argument order is unspecified, and GCC moves the
  // unique_ptr before it reads .get().)
  Device(DeviceAttributes attributes, Allocator* allocator, std::unique_ptr<Allocator> owned,
         const DeviceQueueOptions& queue);
  virtual ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  const DeviceAttributes& attributes() const { return attributes_; }
  const std::string& name() const { return attributes_.name; }
  const std::string& type() const { return attributes_.type; }

  // Memory: tensors of nodes placed here. Shared allocators (the host pool)
  // outlive the device; owned ones live until the device and every buffer
  // they handed out are gone.
  Allocator* allocator() const { return allocator_; }
  const MemorySpace& memory_space() const { return memory_space_; }
  // Gives wholly free regions of an allocator the device owns back to the
  // system (Allocator::Release); returns the bytes given back.
  size_t ReleaseOwnedMemory() { return owned_allocator_ ? owned_allocator_->Release() : 0; }
  // True when the host may read and write this device's tensors.
  bool host_memory() const { return memory_space_.host_accessible(); }

  // The queue (Note [Device queues]). Execute runs `fn` on the calling
  // thread inside the device's arena (taking one of its slots) and returns
  // when it returns; Enqueue hands a task to the arena's threads.
  int inter_op_threads() const { return inter_op_threads_; }
  IntraOpPool* intra_op() const { return intra_op_.get(); }
  bool asynchronous() const { return asynchronous_; }
  void Execute(absl::FunctionRef<void()> fn) const {
    // The arena may run the closure on another of its threads when no slot
    // is free: state that hand-off to TSan (sync.h) after the closure is built.
    static const char handoff = 0;
    auto run = [fn] {
      TsanAcquire(&handoff);
      fn();
    };
    TsanRelease(&handoff);
    arena_->execute(run);
  }
  void Enqueue(tbb::task_handle&& task) const { arena_->enqueue(std::move(task)); }

  // Copies (Note [Copies between devices] in device.cc). Each is ordered
  // after the work already queued that produced its source and before work
  // queued later on this device that reads its destination. The host
  // implementations are memcpy.
  // host -> this device's memory; `host_src` may be reused when it returns.
  virtual absl::Status CopyFromHost(const void* host_src, void* dst, size_t bytes);
  // this device's memory -> host; the bytes are there when it returns.
  virtual absl::Status CopyToHost(const void* src, void* host_dst, size_t bytes);
  // `source`'s memory (any device, this one included) -> this device's
  // memory. The default handles host memory on either side, and stages
  // through the host between two devices that know nothing of each other.
  virtual absl::Status CopyFrom(Device& source, const void* src, void* dst, size_t bytes);

  // End of a step that ran nodes here (asynchronous devices only).
  // StageToHost: `value` (in this device's memory) as a host tensor whose
  // bytes are valid once Synchronize() returns OK; host devices return
  // `value` itself. Synchronize: waits for all work queued so far; faults of
  // kernels that already returned surface here, naming the device.
  virtual absl::StatusOr<Tensor> StageToHost(const Tensor& value);
  virtual absl::Status Synchronize();

  // Device-side timing of traced nodes (Note [Device op timing] in
  // executor.cc): an event recorded in the device's queue now, or null where
  // the device keeps no timeline of its own. Once Synchronize() has
  // returned, ElapsedNs(from, to) is the device time between two events (-1
  // when unknown). Every event goes back through ReleaseTimingEvent.
  virtual void* RecordTimingEvent() { return nullptr; }
  virtual int64_t ElapsedNs(void* from, void* to) { return -1; }
  virtual void ReleaseTimingEvent(void* event) {}

  // The device's service of type T (derived from DeviceService), made by
  // `make` on first use and owned by the device until it is destroyed.
  // Thread-safe: concurrent first uses make it once (`make` runs under the
  // device's service lock, so it must not ask this device for a service). An
  // error from `make` is returned and nothing is kept: a later call retries.
  template <typename T>
  absl::StatusOr<T*> GetOrCreateService(
      absl::FunctionRef<absl::StatusOr<std::unique_ptr<T>>()> make) {
    absl::StatusOr<DeviceService*> s =
        FindOrMakeService(ServiceKey<T>(), [&]() -> absl::StatusOr<std::unique_ptr<DeviceService>> {
          absl::StatusOr<std::unique_ptr<T>> made = make();
          if (!made.ok()) return made.status();
          return std::unique_ptr<DeviceService>(std::move(*made));
        });
    if (!s.ok()) return s.status();
    return static_cast<T*>(*s);
  }

 protected:
  // Destroys the services. Derived destructors call it themselves, after
  // their queued work is done and before the parts the services use
  // (streams, handles) go; ~Device calls it again (then a no-op).
  void DestroyServices();

 private:
  // One address per service type: the key of its entry.
  template <typename T>
  static const void* ServiceKey() {
    static const char key = 0;
    return &key;
  }
  absl::StatusOr<DeviceService*> FindOrMakeService(
      const void* key,
      absl::FunctionRef<absl::StatusOr<std::unique_ptr<DeviceService>>()> make);

  const DeviceAttributes attributes_;
  Allocator* const allocator_;
  // Outlives the queue and services below; retired, not deleted, with the
  // device: tensors from it may outlive the runtime (Note [Retired
  // allocators] in core/memory/allocator.cc).
  OwnedAllocator owned_allocator_;
  const MemorySpace memory_space_;
  const int inter_op_threads_;
  const bool asynchronous_;
  std::unique_ptr<tbb::task_arena> arena_;
  std::unique_ptr<IntraOpPool> intra_op_;
  Mutex services_mu_;
  absl::flat_hash_map<const void*, std::unique_ptr<DeviceService>> services_
      ABSL_GUARDED_BY(services_mu_);
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_DEVICE_H_
