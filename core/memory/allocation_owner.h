// Allocation owners: who asked for the memory, for out-of-memory reports.
//
// The executor opens a ScopedAllocationOwner around each kernel's Compute;
// every allocation a BfcAllocator serves on that thread meanwhile is tagged
// with the node's owner id, and an OOM report lists the largest live
// allocations with their owners' names.
//
// Names are interned (Note [Interned owner names] in allocation_owner.cc):
// an AllocationOwner is a counted reference to one; a chunk stores only the
// 8-byte id. The table holds the names referenced now plus the
// kRetainedOwnerNames most recently released ones, so it stays bounded
// however many sessions a process creates with new names; an id whose name
// has since been dropped reads as "(released owner)", never as another name.
//
// Thread-safety: the current owner is per thread (thread_local); interning,
// references and lookups are thread-safe. Scopes nest; each restores the
// previous owner on destruction.
#ifndef GRAPHRT_CORE_MEMORY_ALLOCATION_OWNER_H_
#define GRAPHRT_CORE_MEMORY_ALLOCATION_OWNER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace graphrt {

// 0: no owner. Otherwise an interned name's slot and generation.
using AllocationOwnerId = uint64_t;

// Names with no reference left are kept this long (most recent first) before
// their slot is reused, so owners of long-lived buffers (a session's
// constants, made under a scope that has ended) keep their names in reports.
inline constexpr size_t kRetainedOwnerNames = 4096;

// A counted reference to an interned owner name. Copyable; the default is
// "no owner".
class AllocationOwner {
 public:
  AllocationOwner() = default;
  // Interns `name` (equal names share one id while referenced or retained).
  explicit AllocationOwner(absl::string_view name);
  AllocationOwner(const AllocationOwner& other);
  AllocationOwner(AllocationOwner&& other) noexcept : id_(other.id_) { other.id_ = 0; }
  AllocationOwner& operator=(AllocationOwner other) noexcept {
    std::swap(id_, other.id_);
    return *this;
  }
  // Inline: the executor's per-node scopes hold no name, and must not pay a
  // call to drop one.
  ~AllocationOwner() {
    if (id_ != 0) Unref();
  }

  AllocationOwnerId id() const { return id_; }
  friend bool operator==(const AllocationOwner& a, const AllocationOwner& b) {
    return a.id_ == b.id_;
  }

 private:
  void Unref();
  AllocationOwnerId id_ = 0;
};

namespace allocation_owner_internal {
// The owner set on this thread. initial-exec: a plain %fs-relative access,
// no __tls_get_addr call (the libraries are static and linked into
// executables); constinit: no TLS wrapper call either. The executor sets it
// around every kernel and the BFC allocator reads it at every allocation.
// Limitation: a shared library built from these static libraries and loaded
// with dlopen takes this variable from glibc's small static-TLS reserve (8
// bytes; it fits unless that reserve is already used up).
extern constinit __attribute__((tls_model("initial-exec"))) thread_local AllocationOwnerId
    current;
}  // namespace allocation_owner_internal

// The owner set on this thread, or 0 when no scope is open.
inline AllocationOwnerId CurrentAllocationOwner() { return allocation_owner_internal::current; }

// The name of `id`: "" for 0, "(released owner)" when its name was dropped.
std::string AllocationOwnerName(AllocationOwnerId id);

// Names in the table now (referenced or retained). For tests and stats.
size_t NumInternedAllocationOwners();

class ScopedAllocationOwner {
 public:
  // Interns `name` and holds it for the scope.
  explicit ScopedAllocationOwner(absl::string_view name);
  // `owner` must stay referenced while the scope is open (an
  // AllocationOwner the caller keeps, e.g. in an execution plan).
  explicit ScopedAllocationOwner(const AllocationOwner& owner)
      : ScopedAllocationOwner(owner.id()) {}
  // The same by id, for hot paths that keep the AllocationOwner elsewhere.
  explicit ScopedAllocationOwner(AllocationOwnerId id)
      : previous_(allocation_owner_internal::current) {
    allocation_owner_internal::current = id;
  }
  ~ScopedAllocationOwner() { allocation_owner_internal::current = previous_; }

  ScopedAllocationOwner(const ScopedAllocationOwner&) = delete;
  ScopedAllocationOwner& operator=(const ScopedAllocationOwner&) = delete;

 private:
  AllocationOwner held_;  // the by-name form's reference
  AllocationOwnerId previous_;
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_MEMORY_ALLOCATION_OWNER_H_
