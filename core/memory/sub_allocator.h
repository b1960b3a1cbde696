// SubAllocator: the source of the large regions a pooling allocator carves up.
//
// Declares the `SubAllocator` interface (hand out a region of at least N bytes,
// take it back) and the host implementation. BfcAllocator is the only caller in
// the runtime; CUDA implementations live in cuda_sub_allocators.h.
//
// Thread-safety: implementations are thread-safe unless they say otherwise
// (BfcAllocator calls them under its own lock anyway).
// Ownership: every region returned by Alloc must be given back with Free, with
// the pointer and byte count Alloc reported, before the SubAllocator dies.
#ifndef GRAPHRT_CORE_MEMORY_SUB_ALLOCATOR_H_
#define GRAPHRT_CORE_MEMORY_SUB_ALLOCATOR_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/memory/memory_space.h"

namespace graphrt {

// A region handed out by a SubAllocator. `bytes` is what was actually given:
// the request rounded up to the granularity (never less than asked).
struct SubAllocation {
  void* ptr = nullptr;
  size_t bytes = 0;
};

class SubAllocator {
 public:
  virtual ~SubAllocator() = default;

  // A region of at least `bytes` bytes, aligned to at least 256 bytes.
  // RESOURCE_EXHAUSTED (with the system's or driver's reason) when the memory
  // is not there; never throws or aborts.
  virtual absl::StatusOr<SubAllocation> Alloc(size_t bytes) = 0;

  // Gives back a region from Alloc; `bytes` is SubAllocation::bytes.
  virtual absl::Status Free(void* ptr, size_t bytes) = 0;

  // For messages: "host", "cuda_malloc:0", "cuda_vmm:0", "cuda_host".
  virtual std::string Name() const = 0;

  // Region sizes are multiples of this (a power of two, >= 256).
  virtual size_t Granularity() const = 0;

  // Where the regions live. Pure virtual on purpose: a device sub-allocator
  // that forgot to say so would otherwise claim host memory, and the host
  // would dereference device pointers. Constant for the object's lifetime.
  virtual MemorySpace memory_space() const = 0;
};

// Host memory from aligned operator new; regions are `alignment`-aligned and
// sized in multiples of it. glibc serves large blocks with mmap, so Free really
// returns them to the OS. `alignment` must be a power of two >= 256.
// memory_space(): MemorySpace::Host().
std::unique_ptr<SubAllocator> CreateHostSubAllocator(size_t alignment = 4096);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_MEMORY_SUB_ALLOCATOR_H_
