// BfcPool: the chunk and bin bookkeeping behind BfcAllocator (internal).
//
// Holds regions (large blocks from a SubAllocator), each cut into chunks kept
// as a doubly linked list in address order; free chunks sit in power-of-two
// size bins ordered by (size, address). Allocation is best fit with splitting;
// freeing coalesces with free neighbours at once, so a region with nothing live
// is exactly one free chunk. See Note [BFC layout] in bfc_pool.cc.
// In front of the bins sits a small cache of freed chunks by exact size
// (Note [BFC chunk cache]): a cached chunk still counts as in use for
// coalescing until FlushCache() returns it to the bins.
//
// Thread-safety: none; BfcAllocator calls every method under its mutex.
// Ownership: the pool records regions but never obtains or returns memory; the
// caller hands regions in (AddRegion) and gets them back (TakeFreeRegions).
#ifndef GRAPHRT_CORE_MEMORY_BFC_POOL_H_
#define GRAPHRT_CORE_MEMORY_BFC_POOL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory_resource>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "core/memory/allocation_owner.h"
#include "core/memory/sub_allocator.h"

namespace graphrt {

class BfcPool {
 public:
  // Chunk sizes and addresses (relative to the region base) are multiples of
  // this. See Note [Why 256-byte rounding].
  static constexpr size_t kMinChunk = 256;

  struct Served {
    void* ptr = nullptr;
    size_t chunk_bytes = 0;  // the chunk's size (>= the rounded request)
  };
  struct Freed {
    size_t chunk_bytes = 0;  // 0: the pointer is not a live chunk of this pool
  };
  struct Region {
    uintptr_t base = 0;
    size_t bytes = 0;
    int64_t idle_since = -1;  // op count when it became wholly free; -1: busy
    int32_t first_chunk = -1;  // the chunk at `base`; keeps its id for life
  };
  struct LiveChunk {
    void* ptr;
    size_t chunk_bytes;
    size_t requested_bytes;
    AllocationOwnerId owner;  // 0 when none was set (allocation_owner.h)
  };

  // `cache_bytes`: most bytes of freed chunks the chunk cache may hold; 0
  // turns the cache off (every Free coalesces at once).
  explicit BfcPool(size_t cache_bytes = 0);
  BfcPool(const BfcPool&) = delete;
  BfcPool& operator=(const BfcPool&) = delete;

  // Serves `rounded` bytes (a multiple of kMinChunk) aligned to `alignment`
  // (a power of two) from the best-fitting free chunk; {nullptr, 0} when no
  // free chunk is large enough. `requested` and `owner` are kept for reports.
  Served Allocate(size_t rounded, size_t alignment, size_t requested,
                  AllocationOwnerId owner);

  // Serves `rounded` bytes from the chunk cache: a cached chunk of exactly
  // that size whose address meets `alignment`; {nullptr, 0} on a miss.
  Served AllocateCached(size_t rounded, size_t alignment, size_t requested,
                        AllocationOwnerId owner);

  // Frees a live chunk: into the chunk cache when its size class has room,
  // else back to the bins, coalesced; `op` stamps regions left idle.
  // A pointer that is not live (or already cached) returns {0}.
  Freed Free(void* ptr, int64_t op);

  // Returns every cached chunk to the bins, coalescing each; `op` stamps
  // regions left idle. Returns the number of chunks flushed.
  size_t FlushCache(int64_t op);

  // Adds a region as one free chunk (idle since `op`).
  void AddRegion(const SubAllocation& region, int64_t op);

  // Removes every wholly free region for which `pred` is true and returns them.
  std::vector<SubAllocation> TakeFreeRegions(
      absl::FunctionRef<bool(const Region&)> pred);

  // Every region, live or not (for the owner's destructor).
  std::vector<SubAllocation> AllRegions() const;
  // Bytes in wholly free regions (what TakeFreeRegions would give back).
  size_t IdleRegionBytes() const;
  size_t LargestFreeBlock() const;
  // The `n` largest live chunks, largest first (address breaks ties).
  std::vector<LiveChunk> LargestLive(size_t n) const;
  size_t num_regions() const { return regions_.size(); }
  size_t num_idle_regions() const { return num_idle_regions_; }
  // Live chunks, not counting cached ones.
  size_t num_live() const { return live_.size() - num_cached_; }
  size_t num_cached() const { return num_cached_; }
  size_t cached_bytes() const { return cached_bytes_; }

  // Chunks up to this size are cached (Note [BFC chunk cache]).
  static constexpr size_t kMaxCachedChunk = size_t{1} << 20;
  // Chunks kept per size class.
  static constexpr int kCacheDepth = 4;

 private:
  static constexpr int kNumBins = 48;  // bin b: [256 << b, 256 << (b + 1))
  using ChunkId = int32_t;
  static constexpr ChunkId kNone = -1;

  // Fields are mutable so MoveFree can re-key an entry in place when its
  // position in the ordering does not change (see MoveFree).
  struct FreeKey {
    mutable size_t size;
    mutable uintptr_t ptr;
    mutable ChunkId id;
    bool operator<(const FreeKey& o) const {
      return size != o.size ? size < o.size : ptr < o.ptr;
    }
  };
  using BinSet = std::pmr::set<FreeKey>;

  struct Chunk {
    uintptr_t ptr = 0;
    size_t size = 0;
    size_t requested = 0;
    ChunkId prev = kNone;  // neighbours in address order within the region
    ChunkId next = kNone;
    bool in_use = false;  // live or cached: not a coalescing candidate
    bool cached = false;  // in the chunk cache (and in_use)
    AllocationOwnerId owner = 0;
    Region* region = nullptr;  // std::map nodes are stable
    BinSet::iterator free_it;  // its bin entry while free (set iterators are stable)
  };

  // Recycles the bins' tree nodes (all one size), so steady-state bin traffic
  // never reaches malloc. Frees them at destruction.
  class NodeCache final : public std::pmr::memory_resource {
   public:
    NodeCache() = default;
    NodeCache(const NodeCache&) = delete;
    NodeCache& operator=(const NodeCache&) = delete;
    ~NodeCache() override;

   private:
    struct Node {
      Node* next;
    };
    void* do_allocate(size_t bytes, size_t alignment) override;
    void do_deallocate(void* p, size_t bytes, size_t alignment) override;
    bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override {
      return this == &o;
    }
    Node* free_ = nullptr;
    size_t node_bytes_ = 0;
  };

  // 256 exact classes (256 B .. 64 KiB), then 4 per doubling up to 1 MiB.
  static constexpr int kNumCacheClasses = 256 + 16;
  struct CacheClass {
    int32_t n = 0;
    std::array<ChunkId, kCacheDepth> ids;  // [0, n); the newest last
  };

  static int BinFor(size_t size);
  static int CacheClassFor(size_t size);
  // Puts a live chunk into the bins, coalescing it; returns its size.
  size_t FreeChunk(ChunkId id, int64_t op);
  ChunkId NewChunk();
  void InsertFree(ChunkId id);
  // Erases a bin entry (found from the chunk's stored iterator: no search).
  void EraseFree(BinSet::iterator entry);
  // Re-files the bin entry `entry` under chunk `id`'s current key, moving the
  // tree node itself: split and merge never allocate.
  void MoveFree(BinSet::iterator entry, ChunkId id);
  // Cuts `id` at `size`: `id` keeps the front, the returned chunk the rest.
  ChunkId Split(ChunkId id, size_t size);
  // Absorbs `id`'s next neighbour (free) into `id`; the caller re-files or
  // erases the neighbour's bin entry.
  void MergeWithNext(ChunkId id);
  ChunkId FindFree(size_t size) const;
  void MarkBusy(Region* region);

  std::vector<Chunk> chunks_;
  std::vector<ChunkId> spare_ids_;
  NodeCache node_cache_;  // before bins_: outlives them
  std::vector<BinSet> bins_;
  uint64_t nonempty_bins_ = 0;  // bit b set: bins_[b] has a chunk
  absl::flat_hash_map<uintptr_t, ChunkId> live_;  // address of live chunk -> id
  std::map<uintptr_t, Region> regions_;           // region base -> region
  size_t num_idle_regions_ = 0;
  // The chunk cache. Cached chunks stay in live_ (Free finds them with the
  // same lookup) and are counted out by num_cached_.
  const size_t cache_budget_;
  size_t cached_bytes_ = 0;
  size_t num_cached_ = 0;
  std::array<CacheClass, kNumCacheClasses> cache_;
  std::array<uint64_t, (kNumCacheClasses + 63) / 64> cache_nonempty_{};  // bit per class
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_MEMORY_BFC_POOL_H_
