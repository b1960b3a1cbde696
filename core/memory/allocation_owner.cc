// Thread-local allocation owner and the process-wide owner-name interner.
// Thread-safe: the interner takes a mutex; the current owner is thread_local.
#include "core/memory/allocation_owner.h"

#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "core/base/sync.h"

namespace graphrt {

// Note [Interned owner names]
// Rationale: a live chunk must name its owner long after the node's kernel has
// returned (an output tensor outlives Compute), possibly after the graph is
// gone. Copying a std::string into every chunk costs a heap allocation per
// request for names longer than the small-string buffer (most node names), on
// the allocator's hot path and under its lock. Interning every name forever
// (as graphrt first did) grows without bound in a process that keeps making
// sessions with new node names.
// Approach: names live in slots of one table; an id is (slot << 32 |
// generation). AllocationOwner references count per slot; execution plans
// hold one per node, so the names of every live plan stay. A slot whose count
// reaches zero is retired: appended to a list of at most kRetainedOwnerNames
// retired slots (linked through the slots, so reviving one unlinks it in
// O(1)); only when the list overflows is its oldest slot freed, its
// generation bumped and its name dropped. Re-interning a retired name revives
// its slot (same id).
// The allocator stores the 8-byte id read from a thread_local, as it stored a
// pointer before: the hot path is unchanged (BM_Bfc_AllocFreeOwner). Reports
// resolve ids under the interner's lock; a stale generation reads as
// "(released owner)", so a reused slot never lends its new name to an old
// chunk.
// Limitations: the table holds the referenced names plus 4,096 released ones
// (tens of bytes each); an allocation that outlives its owner's plan by more
// than 4,096 other released names is reported without its name.

namespace {

constexpr int64_t kNone = -1;

struct Slot {
  std::string name;
  uint32_t generation = 1;
  int64_t refs = 0;
  bool retired = false;
  int64_t prev = kNone, next = kNone;  // the retired list, while retired
};

struct Interner {
  Mutex mu;
  std::vector<Slot> slots ABSL_GUARDED_BY(mu);
  std::vector<uint32_t> free_slots ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<std::string, uint32_t> by_name ABSL_GUARDED_BY(mu);
  // Retired slots, oldest first.
  int64_t oldest ABSL_GUARDED_BY(mu) = kNone;
  int64_t newest ABSL_GUARDED_BY(mu) = kNone;
  size_t num_retired ABSL_GUARDED_BY(mu) = 0;
};

void Unlink(Interner& in, uint32_t index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(in.mu) {
  Slot& s = in.slots[index];
  (s.prev == kNone ? in.oldest : in.slots[s.prev].next) = s.next;
  (s.next == kNone ? in.newest : in.slots[s.next].prev) = s.prev;
  s.prev = s.next = kNone;
  s.retired = false;
  --in.num_retired;
}

void Append(Interner& in, uint32_t index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(in.mu) {
  Slot& s = in.slots[index];
  s.prev = in.newest;
  s.next = kNone;
  (in.newest == kNone ? in.oldest : in.slots[in.newest].next) = index;
  in.newest = index;
  s.retired = true;
  ++in.num_retired;
}

Interner& GlobalInterner() {
  static auto* interner = new Interner();  // never destroyed: chunks outlive statics
  return *interner;
}

uint32_t SlotOf(AllocationOwnerId id) { return static_cast<uint32_t>(id >> 32) - 1; }
uint32_t GenerationOf(AllocationOwnerId id) { return static_cast<uint32_t>(id); }
AllocationOwnerId MakeId(uint32_t slot, uint32_t generation) {
  return (static_cast<uint64_t>(slot) + 1) << 32 | generation;
}

// The live slot of `id`, or null when its name was dropped.
Slot* Find(Interner& in, AllocationOwnerId id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(in.mu) {
  if (id == 0 || SlotOf(id) >= in.slots.size()) return nullptr;
  Slot& s = in.slots[SlotOf(id)];
  return s.generation == GenerationOf(id) ? &s : nullptr;
}

AllocationOwnerId Intern(absl::string_view name) {
  Interner& in = GlobalInterner();
  MutexLock lock(&in.mu);
  auto it = in.by_name.find(name);
  if (it != in.by_name.end()) {
    if (in.slots[it->second].retired) Unlink(in, it->second);  // revived
    Slot& s = in.slots[it->second];
    ++s.refs;
    return MakeId(it->second, s.generation);
  }
  uint32_t index;
  if (!in.free_slots.empty()) {
    index = in.free_slots.back();
    in.free_slots.pop_back();
  } else {
    index = static_cast<uint32_t>(in.slots.size());
    in.slots.emplace_back();
  }
  Slot& s = in.slots[index];
  s.name = std::string(name);
  s.refs = 1;
  s.retired = false;
  in.by_name.emplace(s.name, index);
  return MakeId(index, s.generation);
}

void AddRef(AllocationOwnerId id) {
  if (id == 0) return;
  Interner& in = GlobalInterner();
  MutexLock lock(&in.mu);
  if (Slot* s = Find(in, id)) ++s->refs;
}

void DropRef(AllocationOwnerId id) {
  if (id == 0) return;
  Interner& in = GlobalInterner();
  MutexLock lock(&in.mu);
  Slot* s = Find(in, id);
  if (s == nullptr || --s->refs > 0) return;
  Append(in, SlotOf(id));
  // Drop the oldest retired names beyond the bound.
  while (in.num_retired > kRetainedOwnerNames) {
    const auto index = static_cast<uint32_t>(in.oldest);
    Unlink(in, index);
    Slot& o = in.slots[index];
    in.by_name.erase(o.name);
    o.name = std::string();
    ++o.generation;
    in.free_slots.push_back(index);
  }
}

}  // namespace

namespace allocation_owner_internal {
constinit __attribute__((tls_model("initial-exec"))) thread_local AllocationOwnerId current = 0;
}  // namespace allocation_owner_internal

AllocationOwner::AllocationOwner(absl::string_view name) : id_(Intern(name)) {}
AllocationOwner::AllocationOwner(const AllocationOwner& other) : id_(other.id_) { AddRef(id_); }
void AllocationOwner::Unref() { DropRef(id_); }

std::string AllocationOwnerName(AllocationOwnerId id) {
  if (id == 0) return "";
  Interner& in = GlobalInterner();
  MutexLock lock(&in.mu);
  const Slot* s = Find(in, id);
  return s != nullptr ? s->name : "(released owner)";
}

size_t NumInternedAllocationOwners() {
  Interner& in = GlobalInterner();
  MutexLock lock(&in.mu);
  return in.by_name.size();
}

ScopedAllocationOwner::ScopedAllocationOwner(absl::string_view name)
    : held_(name), previous_(allocation_owner_internal::current) {
  allocation_owner_internal::current = held_.id();
}

}  // namespace graphrt
