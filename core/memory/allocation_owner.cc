// Thread-local allocation owner and the process-wide owner-name interner.
// Thread-safe: the interner takes a mutex; the current owner is thread_local.
#include "core/memory/allocation_owner.h"

#include "absl/base/thread_annotations.h"
#include "absl/container/node_hash_set.h"
#include "core/base/sync.h"

namespace graphrt {

// Note [Interned owner names]
// Rationale: a live chunk must name its owner long after the node's kernel has
// returned (an output tensor outlives Compute), possibly after the graph is
// gone. Copying a std::string into every chunk costs a heap allocation per
// request for names longer than the small-string buffer (most node names), on
// the allocator's hot path and under its lock.
// Approach: names are interned once into a node_hash_set (stable addresses);
// the allocator stores one pointer per chunk, read from a thread_local. The
// allocation path pays a thread_local load and an 8-byte store
// (BM_Bfc_AllocFree/owner in bench/memory/bfc_bench.cc measures it).
// Limitations: interned names are never freed. Memory grows with the number of
// distinct node names the process ever runs (tens of bytes each), which is
// bounded by the graphs it builds; a process that invents unbounded names
// should not set owners.

namespace {

struct Interner {
  Mutex mu;
  absl::node_hash_set<std::string> names ABSL_GUARDED_BY(mu);
};

Interner& GlobalInterner() {
  static auto* interner = new Interner();  // leaked on purpose: see the Note
  return *interner;
}

// initial-exec: a plain %fs-relative load instead of a __tls_get_addr call
// per access (the libraries are static and linked into executables; the
// executor sets the owner around every kernel).
__attribute__((tls_model("initial-exec"))) thread_local const std::string* current_owner =
    nullptr;

}  // namespace

const std::string* InternAllocationOwner(absl::string_view name) {
  Interner& interner = GlobalInterner();
  MutexLock lock(&interner.mu);
  auto it = interner.names.find(name);  // heterogeneous: no copy on a hit
  if (it == interner.names.end()) it = interner.names.emplace(name).first;
  return &*it;
}

const std::string* CurrentAllocationOwner() { return current_owner; }

ScopedAllocationOwner::ScopedAllocationOwner(const std::string* interned)
    : previous_(current_owner) {
  current_owner = interned;
}

ScopedAllocationOwner::~ScopedAllocationOwner() { current_owner = previous_; }

}  // namespace graphrt
