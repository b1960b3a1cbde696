// Allocation owners: who asked for the memory, for out-of-memory reports.
//
// The executor opens a `ScopedAllocationOwner owner(node.name());` around each
// kernel's Compute; every allocation the BfcAllocator serves on that thread
// meanwhile is tagged with the node's name, and an OOM report lists the largest
// live allocations with their owners.
//
// Thread-safety: the current owner is per thread (thread_local). Interning is
// thread-safe. Scopes nest; each restores the previous owner on destruction.
// Ownership: interned names live until the process ends; see Note [Interned
// owner names] in allocation_owner.cc for why and what it costs.
#ifndef GRAPHRT_CORE_MEMORY_ALLOCATION_OWNER_H_
#define GRAPHRT_CORE_MEMORY_ALLOCATION_OWNER_H_

#include <string>

#include "absl/strings/string_view.h"

namespace graphrt {

// A stable pointer for `name`: equal names give the same pointer. Takes a lock
// and a hash lookup; callers that run the same node many times may intern once
// (e.g. when building the execution plan) and pass the pointer to the scope.
const std::string* InternAllocationOwner(absl::string_view name);

// The owner set on this thread, or nullptr when no scope is open.
const std::string* CurrentAllocationOwner();

class ScopedAllocationOwner {
 public:
  explicit ScopedAllocationOwner(absl::string_view name)
      : ScopedAllocationOwner(InternAllocationOwner(name)) {}
  // `interned` comes from InternAllocationOwner (or is nullptr: no owner).
  explicit ScopedAllocationOwner(const std::string* interned);
  ~ScopedAllocationOwner();

  ScopedAllocationOwner(const ScopedAllocationOwner&) = delete;
  ScopedAllocationOwner& operator=(const ScopedAllocationOwner&) = delete;

 private:
  const std::string* previous_;
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_MEMORY_ALLOCATION_OWNER_H_
