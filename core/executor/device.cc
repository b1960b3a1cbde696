// Device: the queue, the host implementations of copies and step end, and
// per-device services.
//
// Note [Device queues]
// Rationale: the executor must hand a ready node to the device it is placed
// on without knowing what kind of device that is, and a step's caller must
// take part in running it (no hand-off to a pool thread for the first node).
// Approach: every device has a oneTBB arena. A CPU device's arena has
// inter_op_threads slots and no slot reserved for external threads: tasks
// handed over from another device's queue need worker slots even in a
// 1-thread arena, and a Run caller entering the arena takes a free slot like
// a worker would, so at most inter_op_threads threads run nodes there. A
// CUDA device's arena has one slot: its one thread launches the device's
// kernels in order on its compute stream, never waiting for them. A device
// with one thread runs every node inline (the executor asks
// inter_op_threads()); steps are joined through the step's task_group
// whatever arena their tasks run in.
// Limitations: the arena is a oneTBB type, so this header is internal to the
// executor (public headers never include it).
//
// Note [Copies between devices]
// Rationale: the partitioner puts one `_Copy` on each edge between devices;
// the copy must work for every pair of device types without the copy kernel
// knowing any of them.
// Approach: the destination device copies (CopyFrom). Host memory on both
// sides is a memcpy; device memory on one side is that device's
// CopyToHost/CopyFromHost; two devices whose implementations know each other
// (two CUDA devices) override CopyFrom with a direct copy; any other pair is
// staged through a host buffer. Ordering is each implementation's contract
// (Note [GPU stream order] for CUDA).
#include "core/executor/device.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/memory/bfc_allocator.h"

namespace graphrt {

Device::Device(DeviceAttributes attributes, Allocator* allocator,
               std::unique_ptr<Allocator> owned, const DeviceQueueOptions& queue)
    : attributes_(std::move(attributes)),
      allocator_(allocator != nullptr ? allocator : owned.get()),
      owned_allocator_(owned.release()),
      memory_space_(allocator_->memory_space()),
      inter_op_threads_(queue.inter_op_threads),
      asynchronous_(queue.asynchronous),
      arena_(std::make_unique<tbb::task_arena>(queue.inter_op_threads, 0)) {
  if (queue.intra_op_threads > 0) intra_op_ = CreateIntraOpPool(queue.intra_op_threads);
  EnsureTbbParallelism(queue.inter_op_threads + queue.intra_op_threads);
}

Device::~Device() { DestroyServices(); }

void Device::DestroyServices() {
  MutexLock lock(&services_mu_);
  services_.clear();
}

absl::Status Device::CopyFromHost(const void* host_src, void* dst, size_t bytes) {
  if (bytes > 0) std::memcpy(dst, host_src, bytes);
  return absl::OkStatus();
}

absl::Status Device::CopyToHost(const void* src, void* host_dst, size_t bytes) {
  if (bytes > 0) std::memcpy(host_dst, src, bytes);
  return absl::OkStatus();
}

absl::Status Device::CopyFrom(Device& source, const void* src, void* dst, size_t bytes) {
  if (bytes == 0) return absl::OkStatus();
  if (source.host_memory()) return CopyFromHost(src, dst, bytes);
  if (host_memory()) return source.CopyToHost(src, dst, bytes);
  // Two devices that do not know each other: through a host buffer.
  void* staging = HostPoolAllocator()->AllocateRaw(kTensorAlignment, bytes);
  if (staging == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "no host memory to stage a copy of ", bytes, " bytes from ", source.name(), " to ",
        name()));
  }
  absl::Status s = source.CopyToHost(src, staging, bytes);
  if (s.ok()) s = CopyFromHost(staging, dst, bytes);  // returns once `staging` may be reused
  HostPoolAllocator()->DeallocateRaw(staging);
  return s;
}

absl::StatusOr<Tensor> Device::StageToHost(const Tensor& value) { return value; }

absl::Status Device::Synchronize() { return absl::OkStatus(); }

absl::StatusOr<DeviceService*> Device::FindOrMakeService(
    const void* key, absl::FunctionRef<absl::StatusOr<std::unique_ptr<DeviceService>>()> make) {
  MutexLock lock(&services_mu_);
  auto it = services_.find(key);
  if (it != services_.end()) return it->second.get();
  absl::StatusOr<std::unique_ptr<DeviceService>> made = make();
  if (!made.ok()) {
    return absl::Status(made.status().code(),
                        absl::StrCat(name(), ": ", made.status().message()));
  }
  return services_.emplace(key, *std::move(made)).first->second.get();
}

}  // namespace graphrt
