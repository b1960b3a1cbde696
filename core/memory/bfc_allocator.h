// BfcAllocator: best-fit-with-coalescing pool over a SubAllocator, with a hard
// memory limit, growth that also shrinks, and self-explaining OOM reports.
//
// Devices create one per memory space (CPU, each logical GPU); tensors allocate
// through the Allocator interface. Requests are rounded to 256 bytes and served
// from regions obtained from the SubAllocator: either the whole limit at once
// (allow_growth = false) or doubling regions on demand. Release() and the idle
// policy give wholly free regions back. Freed chunks up to 1 MiB are kept in
// a small per-size cache and reused for the same size without touching the
// bins (chunk_cache_bytes; flushed before growth, OOM, Release and stats). See
// Note [BFC growth and limits] in bfc_allocator.cc, Note [BFC layout] and
// Note [BFC chunk cache] in bfc_pool.cc.
//
// Thread-safety: every method is thread-safe (one Mutex per allocator; see
// Note [BFC lock] in bfc_allocator.cc).
// Ownership: owns its SubAllocator; must outlive every buffer it hands out. On
// destruction all regions go back to the SubAllocator, live or not.
#ifndef GRAPHRT_CORE_MEMORY_BFC_ALLOCATOR_H_
#define GRAPHRT_CORE_MEMORY_BFC_ALLOCATOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "core/memory/allocator.h"
#include "core/memory/oom_report.h"
#include "core/memory/sub_allocator.h"
#include "core/base/sync.h"

namespace graphrt {

class BfcPool;

struct BfcOptions {
  // Name() and the name in OOM reports ("gpu_bfc_0", "cpu_bfc").
  std::string name = "bfc";
  // Hard limit on bytes *reserved* from the sub-allocator (regions held, free
  // or not), not just bytes in use: the pool never holds more than this.
  // 0: no limit; the pool grows until the sub-allocator refuses.
  size_t memory_limit = 0;
  // true: reserve on demand, starting with initial_region_bytes and doubling
  // each new region, capped by what the limit leaves. false: the first
  // allocation reserves the whole limit as one region (needs a limit; without
  // one the pool grows as if this were true).
  bool allow_growth = true;
  // Size of the first region when growing, rounded up to the sub-allocator's
  // granularity. 2 MiB: one VMM granule / huge page, small enough for tests.
  size_t initial_region_bytes = size_t{2} << 20;
  // Idle policy: a region that stays wholly free for this many allocator calls
  // (AllocateRaw + DeallocateRaw, across all threads) is given back to the
  // sub-allocator. 0: never (only Release() gives regions back).
  // A region whose chunks sit in the chunk cache is not wholly free: with this
  // policy on, the cache is also flushed every release_after_idle_ops calls,
  // so such a region goes back within twice that many calls.
  int64_t release_after_idle_ops = 0;
  // Most bytes of freed chunks (each up to 1 MiB, 4 per size) kept in the
  // chunk cache for reuse at the same size. The cache never causes growth or
  // an OOM: it is flushed into the bins first. 16 MiB: every activation-sized
  // buffer of a small model; noise next to a GPU pool. 0: no cache (every free
  // coalesces at once, as before). See Note [BFC chunk cache].
  size_t chunk_cache_bytes = size_t{16} << 20;
};

class BfcAllocator final : public Allocator {
 public:
  BfcAllocator(std::unique_ptr<SubAllocator> sub_allocator, BfcOptions options);
  ~BfcAllocator() override;

  std::string Name() const override { return options_.name; }

  // Alignment: any power of two. Up to 256 it is free (every chunk is
  // 256-aligned); above, the search asks for alignment - 256 extra bytes and
  // the unaligned front stays free. A non-power-of-two alignment or a size
  // that overflows returns nullptr (with a report). nullptr otherwise means out
  // of memory; LastOomReport() says why.
  void* AllocateRaw(size_t alignment, size_t bytes) override;
  // Pointers not from this allocator are ignored.
  void DeallocateRaw(void* ptr) override;
  // Exact: flushes the chunk cache first (cheap when it is empty), so
  // largest_free_block and fragmentation() see the coalesced pool.
  AllocatorStats GetStats() const override;
  // Without GetStats()'s cache flush: bytes_in_use is exact either way.
  int64_t BytesInUse() const override;
  // The sub-allocator's space, read once at construction (no lock).
  MemorySpace memory_space() const override { return space_; }

  // Flushes the chunk cache, then gives every wholly free region back to the
  // sub-allocator; returns the bytes given back. Live allocations are untouched.
  size_t Release() override;

  // Deleted now when nothing is live, else by the DeallocateRaw that returns
  // the last live buffer (Note [Retired allocators], allocator.cc).
  void Retire() override;

  // The report captured at the most recent failed AllocateRaw (any thread);
  // its request_bytes says which request it was. nullopt: no failure yet.
  std::optional<OomReport> LastOomReport() const override;
  // A report on the current state for a request of `bytes` (verdict kNone
  // when it would fit now).
  OomReport BuildOomReport(size_t bytes, size_t alignment = kTensorAlignment) const;
  int64_t num_ooms() const;

 private:
  // Adds a region that can hold `need` bytes; false when the limit or the
  // sub-allocator forbids it (sets *system_refused for the latter).
  bool GrowLocked(size_t need, bool* system_refused) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // idle_ops == 0: flushes the chunk cache and releases every free region.
  size_t ReleaseLocked(int64_t idle_ops) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The idle policy, run after each call when release_after_idle_ops > 0.
  void IdlePolicyLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Returns cached chunks to the bins. Logically const: no observable result
  // depends on whether a chunk sits in the cache or in a bin, except speed.
  void FlushCacheLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  OomReport ReportLocked(size_t bytes, size_t alignment, size_t rounded,
                         bool system_refused) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const BfcOptions options_;
  const std::unique_ptr<SubAllocator> sub_;
  const size_t granularity_;
  const MemorySpace space_;  // sub_->memory_space()

  mutable Mutex mu_;
  std::unique_ptr<BfcPool> pool_ ABSL_GUARDED_BY(mu_);
  int64_t ops_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_cache_flush_ ABSL_GUARDED_BY(mu_) = 0;  // ops_ at the idle policy's last flush
  size_t next_region_bytes_ ABSL_GUARDED_BY(mu_);
  AllocatorStats stats_ ABSL_GUARDED_BY(mu_);
  int64_t num_ooms_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_system_error_ ABSL_GUARDED_BY(mu_);
  std::optional<OomReport> last_oom_ ABSL_GUARDED_BY(mu_);
  bool retired_ ABSL_GUARDED_BY(mu_) = false;
};

std::unique_ptr<BfcAllocator> CreateBfcAllocator(std::unique_ptr<SubAllocator> sub_allocator,
                                                 BfcOptions options = {});

// The process-wide pool CPU devices allocate tensors from by default: a
// growing BFC over host memory with no limit, never destroyed (tensors may
// outlive every runtime), that gives a region back to the system once it
// has stayed wholly free for kHostPoolIdleOps allocator calls. See Note
// [Host tensor pool] in bfc_allocator.cc. Under AddressSanitizer it is
// HostAllocator() instead, so that use-after-free of a tensor is caught.
// Either way its memory_space() is MemorySpace::Host().
inline constexpr int64_t kHostPoolIdleOps = int64_t{1} << 16;
Allocator* HostPoolAllocator();

}  // namespace graphrt

#endif  // GRAPHRT_CORE_MEMORY_BFC_ALLOCATOR_H_
