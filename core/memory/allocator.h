// Allocator: the interface every byte of tensor memory comes through.
//
// Declares `Allocator` (raw aligned allocation plus statistics, the memory
// space its buffers live in, the last OOM report, giving free memory back) and
// the plain host allocator. The pooling allocator is BfcAllocator
// (bfc_allocator.h). Tensors hold the allocator that made their buffer and
// return the buffer to it; callers (the executor, Runtime::ReleaseUnusedMemory)
// use only this interface, never a cast to a concrete allocator.
//
// Thread-safety: every method of every Allocator is thread-safe.
// Ownership: an Allocator outlives every buffer it hands out. An owner whose
// allocator's buffers may outlive it (a device's own pool: tensors returned
// to users outlive their runtime) retires it (Retire, OwnedAllocator)
// instead of deleting it, and the last buffer returned deletes it.
#ifndef GRAPHRT_CORE_MEMORY_ALLOCATOR_H_
#define GRAPHRT_CORE_MEMORY_ALLOCATOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/memory/memory_space.h"
#include "core/memory/oom_report.h"

namespace graphrt {

// Alignment of every tensor buffer: one AVX-512 vector (and a cache line).
inline constexpr size_t kTensorAlignment = 64;

struct AllocatorStats {
  int64_t num_allocs = 0;          // allocations made since creation
  int64_t bytes_in_use = 0;        // bytes handed out and not yet returned
  int64_t peak_bytes_in_use = 0;   // high-water mark of bytes_in_use
  int64_t largest_alloc_size = 0;  // largest single request served
  int64_t bytes_limit = 0;         // 0: no limit
  int64_t bytes_reserved = 0;      // bytes taken from the system
  int64_t peak_bytes_reserved = 0; // high-water mark of bytes_reserved
  int64_t largest_free_block = 0;  // largest free block in reserved memory
  int64_t num_live_allocs = 0;     // allocations not yet returned
  int64_t num_regions = 0;         // regions held from the sub-allocator

  // 1 - largest_free_block / (bytes_reserved - bytes_in_use): 0 when the free
  // reserved bytes form one block (or nothing is free), near 1 when they are
  // scattered in many small blocks. Internal rounding counts as in use.
  double fragmentation() const;

  std::string DebugString() const;
};

class Allocator {
 public:
  virtual ~Allocator() = default;

  // A short name for messages ("cpu", "gpu_bfc_0").
  virtual std::string Name() const = 0;

  // Returns `bytes` of memory aligned to `alignment` (a power of two), or
  // nullptr when the request cannot be served. Zero bytes gives a valid,
  // unique pointer that must still be deallocated. Thread-safe.
  virtual void* AllocateRaw(size_t alignment, size_t bytes) = 0;

  // Returns memory obtained from AllocateRaw on this allocator. Thread-safe.
  virtual void DeallocateRaw(void* ptr) = 0;

  // A snapshot of the counters. Thread-safe.
  virtual AllocatorStats GetStats() const = 0;

  // GetStats().bytes_in_use, for callers that poll it often (traced steps read
  // it after every node): allocators whose full stats cost more override it.
  // Thread-safe.
  virtual int64_t BytesInUse() const { return GetStats().bytes_in_use; }

  // Where the buffers from AllocateRaw live: whether the host may dereference
  // them. Default: host memory. Allocators of device or pinned memory must
  // override it (BfcAllocator reports its sub-allocator's space). Thread-safe.
  virtual MemorySpace memory_space() const { return MemorySpace::Host(); }

  // The report of the most recent AllocateRaw that returned nullptr, for
  // allocators that keep one (BfcAllocator does). Default: nullopt, meaning
  // "no report kept" (not "never failed"). Thread-safe.
  virtual std::optional<OomReport> LastOomReport() const { return std::nullopt; }

  // Gives memory held but not in use (wholly free regions, caches) back to the
  // system; returns the bytes given back. Live allocations are untouched.
  // Default: 0, for allocators that hold nothing beyond what is in use.
  // Thread-safe.
  virtual size_t Release() { return 0; }

  // Ends its owner's hold on this allocator, in place of `delete`: deleted
  // now when no buffer is live, else by the DeallocateRaw that returns the
  // last live buffer (BfcAllocator; Note [Retired allocators] in
  // allocator.cc). Nothing but DeallocateRaw may be called after Retire.
  // Default: deleted now when GetStats() shows nothing live, else left alive
  // (its live buffers stay valid; its memory is not reclaimed) with a line on
  // stderr. Thread-safe against DeallocateRaw.
  virtual void Retire();
};

// A unique_ptr that retires its allocator instead of deleting it.
struct AllocatorRetirer {
  void operator()(Allocator* allocator) const {
    if (allocator != nullptr) allocator->Retire();
  }
};
using OwnedAllocator = std::unique_ptr<Allocator, AllocatorRetirer>;

// The process-wide host allocator: aligned operator new with atomic counters.
// Never fails for want of a limit; returns nullptr only when the system does.
// Host memory space; keeps no OOM report; Release() gives back nothing (every
// byte it holds is in use).
Allocator* HostAllocator();

}  // namespace graphrt

#endif  // GRAPHRT_CORE_MEMORY_ALLOCATOR_H_
