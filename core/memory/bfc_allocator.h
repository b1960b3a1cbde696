// BfcAllocator: best-fit-with-coalescing pool over a SubAllocator, with a hard
// memory limit, growth that also shrinks, and self-explaining OOM reports.
//
// Devices create one per memory space (CPU, each logical GPU); tensors allocate
// through the Allocator interface. Requests are rounded to 256 bytes and served
// from regions obtained from the SubAllocator: either the whole limit at once
// (allow_growth = false) or doubling regions on demand. Release() and the idle
// policy give wholly free regions back. See Note [BFC growth and limits] in
// bfc_allocator.cc and Note [BFC layout] in bfc_pool.cc.
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
#include "core/memory/sync.h"

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
  int64_t release_after_idle_ops = 0;
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
  AllocatorStats GetStats() const override;

  // Gives every wholly free region back to the sub-allocator; returns the
  // bytes given back. Live allocations are untouched.
  size_t Release();

  // The report captured at the most recent failed AllocateRaw (any thread);
  // its request_bytes says which request it was. nullopt: no failure yet.
  std::optional<OomReport> LastOomReport() const;
  // A report on the current state for a request of `bytes` (verdict kNone
  // when it would fit now).
  OomReport BuildOomReport(size_t bytes, size_t alignment = kTensorAlignment) const;
  int64_t num_ooms() const;

 private:
  // Adds a region that can hold `need` bytes; false when the limit or the
  // sub-allocator forbids it (sets *system_refused for the latter).
  bool GrowLocked(size_t need, bool* system_refused) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  size_t ReleaseLocked(int64_t idle_ops) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  OomReport ReportLocked(size_t bytes, size_t alignment, size_t rounded,
                         bool system_refused) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const BfcOptions options_;
  const std::unique_ptr<SubAllocator> sub_;
  const size_t granularity_;

  mutable Mutex mu_;
  std::unique_ptr<BfcPool> pool_ ABSL_GUARDED_BY(mu_);
  int64_t ops_ ABSL_GUARDED_BY(mu_) = 0;
  size_t next_region_bytes_ ABSL_GUARDED_BY(mu_);
  AllocatorStats stats_ ABSL_GUARDED_BY(mu_);
  int64_t num_ooms_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_system_error_ ABSL_GUARDED_BY(mu_);
  std::optional<OomReport> last_oom_ ABSL_GUARDED_BY(mu_);
};

std::unique_ptr<BfcAllocator> CreateBfcAllocator(std::unique_ptr<SubAllocator> sub_allocator,
                                                 BfcOptions options = {});

}  // namespace graphrt

#endif  // GRAPHRT_CORE_MEMORY_BFC_ALLOCATOR_H_
