// BfcAllocator: limit, growth, release and OOM policy over a BfcPool.
// Thread-safe: one Mutex guards the pool and the counters.
#include "core/memory/bfc_allocator.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/memory/allocation_owner.h"
#include "core/memory/bfc_pool.h"

namespace graphrt {

// Note [BFC growth and limits]
// Rationale: users want both a hard ceiling (share a GPU between processes)
// and a pool that only takes what it needs and gives back what it no longer
// uses (TF never shrinks; tensorflow issues 17048, 15880, 36465).
// Approach: memory_limit caps bytes *reserved*, so the allocator can never
// hold more than the limit, whatever is in use. A request that no free chunk
// fits first flushes the chunk cache into the bins and tries again (Note [BFC
// chunk cache]), so cached chunks never cause growth or an OOM. With growth,
// a request that still does not fit adds a region of max(next, request)
// bytes, where next starts at initial_region_bytes and doubles with each
// region; the region is cut to
// what the limit leaves (rounded down to the granularity). When that is still
// too small, wholly free regions are given back first and a larger region is
// tried again, so a pool fragmented across many small regions can re-form one
// large one. A sub-allocator refusal is retried with exactly the request
// (after giving back free regions) before failing. Without growth the first
// request reserves the whole limit as one region; after Release() the next
// request reserves it again. The idle policy also flushes the chunk cache
// every release_after_idle_ops calls, since a cached chunk keeps its region
// busy: a region whose last chunk went into the cache is returned within
// twice that many calls. Release() and the idle policy only ever return
// regions with nothing live in them, so they never move or break live data.
// Limitations: the sub-allocator is called under the lock, so a slow
// cudaMalloc stalls other threads of the same allocator; growth and release
// are rare next to chunk traffic.

// Note [BFC lock]
// Rationale: one lock around the pool is the simplest thing that is correct;
// per-thread caches or lock-free bins are only worth their complexity if the
// lock dominates. BM_Mutex_LockUnlock and BM_Bfc_AllocFree measure it.
// Approach: graphrt::Mutex (core/base/sync.h, a std::mutex) rather than
// absl::Mutex: Debian's Abseil is built without NDEBUG and without TSan, so
// its Mutex runs deadlock detection (a GraphCycles lookup) inside every Lock()
// and is invisible to ThreadSanitizer. The thread-safety annotations are the
// same (ABSL_GUARDED_BY works on graphrt::Mutex).
// Limitations: AllocateRaw and DeallocateRaw each take the lock once; two
// threads hammering one allocator serialise on it. With the chunk cache the
// lock is over a third of a cached alloc+free pair (two lock round trips,
// ~16 of ~39 ns on the 2-vCPU bench machine).

namespace {

constexpr size_t kMinChunk = BfcPool::kMinChunk;
constexpr size_t kMaxRequest = std::numeric_limits<size_t>::max() / 4;

size_t RoundUp(size_t n, size_t m) { return (n + m - 1) / m * m; }
size_t RoundDown(size_t n, size_t m) { return n / m * m; }

}  // namespace

BfcAllocator::BfcAllocator(std::unique_ptr<SubAllocator> sub_allocator, BfcOptions options)
    : options_(std::move(options)),
      sub_(std::move(sub_allocator)),
      granularity_(std::max(sub_->Granularity(), kMinChunk)),
      space_(sub_->memory_space()),
      pool_(std::make_unique<BfcPool>(options_.chunk_cache_bytes)) {
  next_region_bytes_ = RoundUp(std::max(options_.initial_region_bytes, granularity_),
                               granularity_);
  stats_.bytes_limit = static_cast<int64_t>(options_.memory_limit);
}

BfcAllocator::~BfcAllocator() {
  MutexLock lock(&mu_);
  for (const SubAllocation& region : pool_->AllRegions()) {
    sub_->Free(region.ptr, region.bytes).IgnoreError();
  }
}

void* BfcAllocator::AllocateRaw(size_t alignment, size_t bytes) {
  if (alignment == 0) alignment = 1;
  const bool valid = (alignment & (alignment - 1)) == 0 && bytes <= kMaxRequest &&
                     alignment <= kMaxRequest;
  const size_t align = std::max(alignment, kMinChunk);
  const size_t rounded = valid ? RoundUp(std::max<size_t>(bytes, 1), kMinChunk) : 0;
  const AllocationOwnerId owner = CurrentAllocationOwner();

  MutexLock lock(&mu_);
  ++ops_;
  BfcPool::Served served;
  bool system_refused = false;
  if (valid) {
    served = pool_->AllocateCached(rounded, align, bytes, owner);
    if (served.ptr == nullptr) served = pool_->Allocate(rounded, align, bytes, owner);
    if (served.ptr == nullptr && pool_->FlushCache(ops_) > 0) {
      // Coalescing the cached chunks may make a block that fits: before
      // growing or failing (Note [BFC chunk cache]).
      served = pool_->Allocate(rounded, align, bytes, owner);
    }
    if (served.ptr == nullptr && GrowLocked(rounded + (align - kMinChunk), &system_refused)) {
      served = pool_->Allocate(rounded, align, bytes, owner);
    }
  }
  if (served.ptr == nullptr) {
    ++num_ooms_;
    last_oom_ = ReportLocked(bytes, alignment, rounded, system_refused);
    if (!valid) {
      last_oom_->verdict = OomVerdict::kCapacity;
      last_oom_->system_error = absl::StrCat("invalid request: alignment ", alignment,
                                             " (must be a power of two), ", bytes, " bytes");
    }
    return nullptr;
  }
  ++stats_.num_allocs;
  stats_.bytes_in_use += static_cast<int64_t>(served.chunk_bytes);
  stats_.peak_bytes_in_use = std::max(stats_.peak_bytes_in_use, stats_.bytes_in_use);
  stats_.largest_alloc_size = std::max(stats_.largest_alloc_size, static_cast<int64_t>(bytes));
  if (options_.release_after_idle_ops > 0) IdlePolicyLocked();
  return served.ptr;
}

void BfcAllocator::DeallocateRaw(void* ptr) {
  if (ptr == nullptr) return;
  bool last_of_retired = false;
  {
    MutexLock lock(&mu_);
    ++ops_;
    const BfcPool::Freed freed = pool_->Free(ptr, ops_);
    stats_.bytes_in_use -= static_cast<int64_t>(freed.chunk_bytes);
    if (options_.release_after_idle_ops > 0) IdlePolicyLocked();
    last_of_retired = retired_ && stats_.bytes_in_use == 0;
  }
  // Note [Retired allocators] (allocator.cc): the owner is gone and this was
  // the last live buffer, so no other thread can reach this allocator now.
  if (last_of_retired) delete this;
}

void BfcAllocator::Retire() {
  {
    MutexLock lock(&mu_);
    if (stats_.bytes_in_use > 0) {
      retired_ = true;
      return;
    }
  }
  delete this;
}

void BfcAllocator::IdlePolicyLocked() {
  // Chunks in the cache keep their region busy; flushing on the policy's
  // clock bounds how long they can (Note [BFC chunk cache]).
  if (ops_ - last_cache_flush_ >= options_.release_after_idle_ops) {
    last_cache_flush_ = ops_;
    pool_->FlushCache(ops_);
  }
  if (pool_->num_idle_regions() > 0) ReleaseLocked(options_.release_after_idle_ops);
}

void BfcAllocator::FlushCacheLocked() const {
  if (pool_->num_cached() > 0) pool_->FlushCache(ops_);
}

bool BfcAllocator::GrowLocked(size_t need, bool* system_refused) {
  const size_t need_r = RoundUp(need, granularity_);
  const size_t limit = options_.memory_limit;
  const bool growth = options_.allow_growth || limit == 0;
  const auto headroom = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (limit == 0) return std::numeric_limits<size_t>::max();
    const size_t reserved = static_cast<size_t>(stats_.bytes_reserved);
    return reserved >= limit ? 0 : RoundDown(limit - reserved, granularity_);
  };
  size_t want = growth ? std::max(next_region_bytes_, need_r) : headroom();
  if (std::min(want, headroom()) < need_r) {
    // The limit forbids a region this large: give back wholly free regions
    // so their bytes can be reserved again as one block.
    if (pool_->num_idle_regions() == 0) return false;
    ReleaseLocked(0);
    if (headroom() < need_r) return false;
    if (!growth) want = headroom();
  }
  const size_t size = std::min(want, headroom());
  absl::StatusOr<SubAllocation> got = sub_->Alloc(size);
  if (!got.ok() && size > need_r) got = sub_->Alloc(need_r);
  if (!got.ok() && pool_->num_idle_regions() > 0) {
    ReleaseLocked(0);
    got = sub_->Alloc(need_r);
  }
  if (!got.ok()) {
    *system_refused = true;
    last_system_error_ = got.status().ToString();
    return false;
  }
  if (got->bytes < need_r || got->bytes > headroom()) {
    // A sub-allocator that ignores its own granularity must not break the limit.
    sub_->Free(got->ptr, got->bytes).IgnoreError();
    *system_refused = true;
    last_system_error_ = absl::StrCat(sub_->Name(), " returned ", got->bytes,
                                      " bytes for a request of ", size);
    return false;
  }
  pool_->AddRegion(*got, ops_);
  stats_.bytes_reserved += static_cast<int64_t>(got->bytes);
  stats_.peak_bytes_reserved = std::max(stats_.peak_bytes_reserved, stats_.bytes_reserved);
  if (growth) next_region_bytes_ = std::max(next_region_bytes_, 2 * got->bytes);
  return true;
}

size_t BfcAllocator::ReleaseLocked(int64_t idle_ops) {
  if (idle_ops == 0) FlushCacheLocked();
  const int64_t cutoff = ops_ - idle_ops;
  const std::vector<SubAllocation> regions = pool_->TakeFreeRegions(
      [&](const BfcPool::Region& r) { return idle_ops == 0 || r.idle_since <= cutoff; });
  size_t bytes = 0;
  for (const SubAllocation& region : regions) {
    const absl::Status status = sub_->Free(region.ptr, region.bytes);
    if (!status.ok()) last_system_error_ = status.ToString();
    bytes += region.bytes;
  }
  stats_.bytes_reserved -= static_cast<int64_t>(bytes);
  return bytes;
}

size_t BfcAllocator::Release() {
  MutexLock lock(&mu_);
  return ReleaseLocked(0);
}

int64_t BfcAllocator::BytesInUse() const {
  MutexLock lock(&mu_);
  return stats_.bytes_in_use;
}

AllocatorStats BfcAllocator::GetStats() const {
  MutexLock lock(&mu_);
  FlushCacheLocked();
  AllocatorStats s = stats_;
  s.largest_free_block = static_cast<int64_t>(pool_->LargestFreeBlock());
  s.num_live_allocs = static_cast<int64_t>(pool_->num_live());
  s.num_regions = static_cast<int64_t>(pool_->num_regions());
  return s;
}

OomReport BfcAllocator::ReportLocked(size_t bytes, size_t alignment, size_t rounded,
                                     bool system_refused) const {
  FlushCacheLocked();
  OomReport r;
  r.allocator = options_.name;
  r.sub_allocator = sub_->Name();
  r.request_bytes = static_cast<int64_t>(bytes);
  r.alignment = static_cast<int64_t>(alignment);
  r.rounded_bytes = static_cast<int64_t>(rounded);
  r.limit_bytes = static_cast<int64_t>(options_.memory_limit);
  r.in_use_bytes = stats_.bytes_in_use;
  r.reserved_bytes = stats_.bytes_reserved;
  r.largest_free_block = static_cast<int64_t>(pool_->LargestFreeBlock());
  r.num_regions = static_cast<int64_t>(pool_->num_regions());
  r.num_live_allocs = static_cast<int64_t>(pool_->num_live());
  r.allow_growth = options_.allow_growth;
  if (system_refused) r.system_error = last_system_error_;
  for (const BfcPool::LiveChunk& c : pool_->LargestLive(10)) {
    r.largest_live.push_back(OomLiveAllocation{static_cast<int64_t>(c.chunk_bytes),
                                               static_cast<int64_t>(c.requested_bytes),
                                               AllocationOwnerName(c.owner)});
  }
  r.verdict = ClassifyOom(r.rounded_bytes, r.limit_bytes, r.in_use_bytes,
                          /*fits_now=*/false, system_refused);
  return r;
}

OomReport BfcAllocator::BuildOomReport(size_t bytes, size_t alignment) const {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) alignment = kMinChunk;
  const size_t rounded = RoundUp(std::max<size_t>(std::min(bytes, kMaxRequest), 1), kMinChunk);
  const size_t need = rounded + std::max(alignment, kMinChunk) - kMinChunk;
  MutexLock lock(&mu_);
  OomReport r = ReportLocked(bytes, alignment, rounded, /*system_refused=*/false);
  const size_t limit = options_.memory_limit;
  const size_t room = limit == 0 ? std::numeric_limits<size_t>::max()
                                 : limit - static_cast<size_t>(stats_.bytes_reserved) +
                                       pool_->IdleRegionBytes();
  const bool fits = pool_->LargestFreeBlock() >= need ||
                    RoundDown(room, granularity_) >= RoundUp(need, granularity_);
  r.verdict = ClassifyOom(r.rounded_bytes, r.limit_bytes, r.in_use_bytes, fits, false);
  return r;
}

std::optional<OomReport> BfcAllocator::LastOomReport() const {
  MutexLock lock(&mu_);
  return last_oom_;
}

int64_t BfcAllocator::num_ooms() const {
  MutexLock lock(&mu_);
  return num_ooms_;
}

std::unique_ptr<BfcAllocator> CreateBfcAllocator(std::unique_ptr<SubAllocator> sub_allocator,
                                                 BfcOptions options) {
  return std::make_unique<BfcAllocator>(std::move(sub_allocator), std::move(options));
}

// Note [Host tensor pool]
// Rationale: with plain malloc, a step whose outputs are freed together (64
// MatMul products of 64 KiB joined by one AddN) leaves megabytes free at the
// top of glibc's heap, which glibc trims back to the kernel; the next step
// page-faults all of it in again. On the 2-core VM that cost 2.19 against
// 1.71 ms per step of bench/compare's MatMul workload (bench/RESULTS.md).
// Approach: CPU tensors come from one process-wide BFC pool (the allocator
// GPU devices already use), which keeps its regions: a step's buffers are
// reused by the next one, and small sizes hit the chunk cache. Regions that
// stay wholly free for kHostPoolIdleOps calls go back to the system, and
// Runtime::ReleaseUnusedMemory does not touch it (it is not a runtime's).
// Limitations: growth doubles regions, so reserved memory can reach twice
// the peak in use until the idle policy gives the excess back.
Allocator* HostPoolAllocator() {
#if defined(__SANITIZE_ADDRESS__)
  return HostAllocator();
#else
  static BfcAllocator* const pool = [] {
    BfcOptions options;
    options.name = "cpu_pool";
    options.allow_growth = true;
    options.release_after_idle_ops = kHostPoolIdleOps;
    return CreateBfcAllocator(CreateHostSubAllocator(), options).release();
  }();
  return pool;
#endif
}

}  // namespace graphrt
