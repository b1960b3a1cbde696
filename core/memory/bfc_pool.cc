// BfcPool implementation: bins, best fit, split, coalesce. Not thread-safe.
#include "core/memory/bfc_pool.h"

#include <algorithm>
#include <bit>
#include <iterator>

namespace graphrt {

// Note [Why 256-byte rounding]
// Rationale: every request is rounded up to a multiple of 256 bytes and every
// chunk starts on a 256-byte boundary. 256 covers every alignment the runtime
// asks for (64 for AVX-512 tensors, 128/256 for CUDA vector loads and cuBLAS),
// so alignment costs nothing for them; it bounds the number of distinct chunk
// sizes, which keeps the bins short; and a free remainder is never smaller
// than 256 bytes, so splitting cannot leave useless slivers. The cost is at
// most 255 bytes of internal waste per allocation, which is noise next to
// tensors (TensorFlow's BFC and PyTorch's caching allocator (512) do the same).
// Larger alignments are served by over-searching: see Allocate.

// Note [BFC layout]
// Rationale: best fit with immediate coalescing (Doug Lea's allocator, TF's
// BFC) keeps fragmentation low for the tensor workloads we see: a few sizes,
// freed in roughly reverse order of allocation.
// Approach: a region is a list of chunks in address order (prev/next ids), so
// coalescing a freed chunk with its neighbours is O(1). Free chunks sit in bin
// floor(log2(size / 256)), each bin a set ordered by (size, address); the
// lowest non-empty bin that can hold a request is found from a 64-bit mask,
// and its lower_bound is the best fit (ties to the lowest address, which packs
// live data low). Live chunks are found from their address by a hash map.
// Each free chunk keeps the iterator of its bin entry, so removing it needs no
// search, and a split or merge re-files the existing tree node (in place when
// the ordering allows, else extract + insert): steady-state traffic never
// allocates.
// Limitations: a region is never merged with an adjacent one, even when the
// sub-allocator happens to place them contiguously (VMM); that is what lets
// Release return regions one at a time.

// Note [BFC chunk cache]
// Rationale: an alloc+free pair through the bins cost 78-122 ns (one thread,
// bench/memory/bfc_bench.cc), of which the lock was ~20 ns; perf put most of
// the rest in re-filing bin entries (MoveFree), the split/merge and the
// live-chunk hash map's insert and erase. Tensor workloads allocate the same
// few sizes over and over (every step of a training loop), so most of that
// work undoes itself: a free coalesces a chunk that the next alloc cuts off
// again.
// Approach: Free puts a chunk of up to kMaxCachedChunk bytes into a small
// per-size-class stack (kCacheDepth chunks; classes are exact 256-byte sizes
// up to 64 KiB, then four per doubling up to 1 MiB) instead of the bins, and
// AllocateCached serves a request from it when a chunk of *exactly* the
// rounded size is there, so bytes_in_use and the chunk sizes handed out are
// the same as without the cache. A cached chunk stays in_use as far as
// coalescing is concerned and stays in live_ (Free's one hash lookup finds
// it; a second free of it is ignored like any unknown pointer), so neither
// direction touches the bins, the tree nodes, the neighbours or the hash
// map's layout. The total is capped by the budget (BfcOptions
// chunk_cache_bytes). FlushCache returns everything to the bins with
// coalescing; BfcAllocator flushes before it grows, before it declares an
// OOM (so the cache can never cause one, nor add a region), in Release(),
// in GetStats() and OOM reports (so largest_free_block, fragmentation and
// verdicts are exact), and on the idle policy's clock (see
// Note [BFC growth and limits]).
// Limitations: while chunks sit in the cache they are not coalesced, so the
// bins see a more fragmented pool and new sizes are placed around the cached
// chunks (bounded by the budget; a flush undoes it). A size that misses the
// cache pays the full bin path plus a failed class probe (a few ns). Only
// exact sizes hit: a loop whose sizes drift by 256 bytes every step gains
// nothing. A caller that polls GetStats() after every allocation flushes the
// cache each time and gets the bin path's cost back, not worse; BytesInUse()
// does not flush (the executor's traced steps read it after each node).
// Packing under a
// preallocated limit is a little looser: the smallest limit that runs the
// MLP traces (BM_Bfc_Trace packing_ratio) went from 1.006 / 1.031 to
// 1.008 / 1.055 x peak live (1.006 / 1.041 when only chunks up to 64 KiB were
// cached); chunk_cache_bytes = 0 restores it.
// Result: a cached alloc+free pair costs 38-46 ns against 76-108 ns through
// the bins, the same sizes interleaved in one run (bench/RESULTS.md).

BfcPool::NodeCache::~NodeCache() {
  while (free_ != nullptr) {
    Node* n = free_;
    free_ = n->next;
    ::operator delete(n);
  }
}

void* BfcPool::NodeCache::do_allocate(size_t bytes, size_t alignment) {
  if (bytes == node_bytes_ && free_ != nullptr) {
    Node* n = free_;
    free_ = n->next;
    return n;
  }
  if (node_bytes_ == 0 && bytes >= sizeof(Node)) node_bytes_ = bytes;
  return ::operator new(bytes);  // tree nodes need no more than max_align_t
}

void BfcPool::NodeCache::do_deallocate(void* p, size_t bytes, size_t alignment) {
  if (bytes != node_bytes_) return ::operator delete(p);
  Node* n = static_cast<Node*>(p);
  n->next = free_;
  free_ = n;
}

BfcPool::BfcPool(size_t cache_bytes) : cache_budget_(cache_bytes) {
  bins_.reserve(kNumBins);
  for (int b = 0; b < kNumBins; ++b) bins_.emplace_back(&node_cache_);
}

int BfcPool::BinFor(size_t size) {
  const int b = 63 - std::countl_zero(static_cast<uint64_t>(size / kMinChunk) | 1);
  return std::min(b, kNumBins - 1);
}

int BfcPool::CacheClassFor(size_t size) {
  if (size <= (size_t{64} << 10)) return static_cast<int>(size / kMinChunk) - 1;
  const int b = 63 - std::countl_zero(static_cast<uint64_t>(size - 1));  // 16..19
  return 256 + (b - 16) * 4 + static_cast<int>(((size - 1) >> (b - 2)) & 3);
}

BfcPool::ChunkId BfcPool::NewChunk() {
  if (!spare_ids_.empty()) {
    const ChunkId id = spare_ids_.back();
    spare_ids_.pop_back();
    chunks_[id] = Chunk{};
    return id;
  }
  chunks_.emplace_back();
  return static_cast<ChunkId>(chunks_.size() - 1);
}

void BfcPool::InsertFree(ChunkId id) {
  Chunk& c = chunks_[id];
  const int b = BinFor(c.size);
  c.free_it = bins_[b].insert(FreeKey{c.size, c.ptr, id}).first;
  nonempty_bins_ |= uint64_t{1} << b;
}

void BfcPool::EraseFree(BinSet::iterator entry) {
  const int b = BinFor(entry->size);
  bins_[b].erase(entry);
  if (bins_[b].empty()) nonempty_bins_ &= ~(uint64_t{1} << b);
}

void BfcPool::MoveFree(BinSet::iterator entry, ChunkId id) {
  const int from = BinFor(entry->size);  // the size it was filed under
  Chunk& c = chunks_[id];
  const FreeKey key{c.size, c.ptr, id};
  if (BinFor(c.size) == from) {
    // Same bin and still between its neighbours: re-key in place (the
    // ordering is unchanged, so the set stays valid).
    BinSet& bin = bins_[from];
    if ((entry == bin.begin() || *std::prev(entry) < key) &&
        (std::next(entry) == bin.end() || key < *std::next(entry))) {
      entry->size = key.size;
      entry->ptr = key.ptr;
      entry->id = id;
      c.free_it = entry;
      return;
    }
  }
  auto node = bins_[from].extract(entry);
  if (bins_[from].empty()) nonempty_bins_ &= ~(uint64_t{1} << from);
  node.value() = key;
  const int to = BinFor(c.size);
  c.free_it = bins_[to].insert(std::move(node)).position;
  nonempty_bins_ |= uint64_t{1} << to;
}

BfcPool::ChunkId BfcPool::Split(ChunkId id, size_t size) {
  const ChunkId rest = NewChunk();  // may move chunks_: index, don't hold refs
  Chunk& c = chunks_[id];
  Chunk& r = chunks_[rest];
  r.ptr = c.ptr + size;
  r.size = c.size - size;
  r.region = c.region;
  r.prev = id;
  r.next = c.next;
  if (c.next != kNone) chunks_[c.next].prev = rest;
  c.next = rest;
  c.size = size;
  return rest;
}

void BfcPool::MergeWithNext(ChunkId id) {
  const ChunkId n = chunks_[id].next;
  Chunk& c = chunks_[id];
  c.size += chunks_[n].size;
  c.next = chunks_[n].next;
  if (c.next != kNone) chunks_[c.next].prev = id;
  spare_ids_.push_back(n);
}

BfcPool::ChunkId BfcPool::FindFree(size_t size) const {
  const int first = BinFor(size);
  uint64_t mask = nonempty_bins_ & (~uint64_t{0} << first);
  while (mask != 0) {
    const int b = std::countr_zero(mask);
    const auto& bin = bins_[b];
    // Every chunk in a higher bin is larger than `size`; only the first bin
    // needs a search.
    auto it = b == first ? bin.lower_bound(FreeKey{size, 0, kNone}) : bin.begin();
    if (it != bin.end()) return it->id;
    mask &= mask - 1;
  }
  return kNone;
}

void BfcPool::MarkBusy(Region* region) {
  if (region->idle_since < 0) return;
  region->idle_since = -1;
  --num_idle_regions_;
}

BfcPool::Served BfcPool::Allocate(size_t rounded, size_t alignment, size_t requested,
                                  AllocationOwnerId owner) {
  const size_t extra = alignment > kMinChunk ? alignment - kMinChunk : 0;
  ChunkId id = FindFree(rounded + extra);
  if (id == kNone) return {};
  MarkBusy(chunks_[id].region);
  const BinSet::iterator entry = chunks_[id].free_it;
  bool entry_in_bin = true;  // until it is re-filed or erased
  if (extra != 0) {
    // Over-searched by alignment - 256 bytes; cut the unaligned front off as a
    // free chunk. Its left neighbour is live (coalescing invariant), so it
    // needs no merge.
    const uintptr_t p = chunks_[id].ptr;
    const size_t gap = ((p + alignment - 1) & ~(alignment - 1)) - p;
    if (gap != 0) {
      const ChunkId aligned = Split(id, gap);
      MoveFree(entry, id);
      entry_in_bin = false;
      id = aligned;
    }
  }
  if (chunks_[id].size - rounded >= kMinChunk) {
    const ChunkId rest = Split(id, rounded);
    if (entry_in_bin) {
      MoveFree(entry, rest);
    } else {
      InsertFree(rest);
    }
    entry_in_bin = false;
  }
  if (entry_in_bin) EraseFree(entry);
  Chunk& c = chunks_[id];
  c.in_use = true;
  c.requested = requested;
  c.owner = owner;
  live_.emplace(c.ptr, id);
  return {reinterpret_cast<void*>(c.ptr), c.size};
}

BfcPool::Served BfcPool::AllocateCached(size_t rounded, size_t alignment, size_t requested,
                                        AllocationOwnerId owner) {
  if (num_cached_ == 0 || rounded > kMaxCachedChunk) return {};
  const int cls = CacheClassFor(rounded);
  CacheClass& cc = cache_[cls];
  for (int i = cc.n - 1; i >= 0; --i) {  // newest first: its memory is warm
    const ChunkId id = cc.ids[i];
    Chunk& c = chunks_[id];
    if (c.size != rounded || (c.ptr & (alignment - 1)) != 0) continue;
    for (int j = i + 1; j < cc.n; ++j) cc.ids[j - 1] = cc.ids[j];
    if (--cc.n == 0) cache_nonempty_[cls / 64] &= ~(uint64_t{1} << (cls % 64));
    --num_cached_;
    cached_bytes_ -= c.size;
    c.cached = false;
    c.requested = requested;
    c.owner = owner;
    return {reinterpret_cast<void*>(c.ptr), c.size};
  }
  return {};
}

BfcPool::Freed BfcPool::Free(void* ptr, int64_t op) {
  auto it = live_.find(reinterpret_cast<uintptr_t>(ptr));
  if (it == live_.end()) return {};
  const ChunkId id = it->second;
  Chunk& c = chunks_[id];
  if (c.cached) return {};  // freed twice: ignored, as an unknown pointer is
  if (c.size <= kMaxCachedChunk && cached_bytes_ + c.size <= cache_budget_) {
    const int cls = CacheClassFor(c.size);
    CacheClass& cc = cache_[cls];
    if (cc.n < kCacheDepth) {
      cc.ids[cc.n++] = id;
      cache_nonempty_[cls / 64] |= uint64_t{1} << (cls % 64);
      ++num_cached_;
      cached_bytes_ += c.size;
      c.cached = true;
      c.owner = 0;
      return {c.size};
    }
  }
  live_.erase(it);
  return {FreeChunk(id, op)};
}

size_t BfcPool::FlushCache(int64_t op) {
  const size_t flushed = num_cached_;
  for (size_t w = 0; w < cache_nonempty_.size(); ++w) {
    for (uint64_t bits = cache_nonempty_[w]; bits != 0; bits &= bits - 1) {
      CacheClass& cc = cache_[w * 64 + std::countr_zero(bits)];
      for (int i = 0; i < cc.n; ++i) {
        chunks_[cc.ids[i]].cached = false;
        live_.erase(chunks_[cc.ids[i]].ptr);
        FreeChunk(cc.ids[i], op);
      }
      cc.n = 0;
    }
    cache_nonempty_[w] = 0;
  }
  num_cached_ = 0;
  cached_bytes_ = 0;
  return flushed;
}

size_t BfcPool::FreeChunk(ChunkId id, int64_t op) {
  const size_t size = chunks_[id].size;
  chunks_[id].in_use = false;
  chunks_[id].owner = 0;
  const ChunkId next = chunks_[id].next;
  const ChunkId prev = chunks_[id].prev;
  const bool next_free = next != kNone && !chunks_[next].in_use;
  const bool prev_free = prev != kNone && !chunks_[prev].in_use;
  // Merge into whichever free neighbour's bin entry can be rekeyed in place.
  if (prev_free) {
    const BinSet::iterator prev_entry = chunks_[prev].free_it;
    if (next_free) {
      EraseFree(chunks_[next].free_it);
      MergeWithNext(id);
    }
    MergeWithNext(prev);
    id = prev;
    MoveFree(prev_entry, id);
  } else if (next_free) {
    const BinSet::iterator next_entry = chunks_[next].free_it;
    MergeWithNext(id);
    MoveFree(next_entry, id);
  } else {
    InsertFree(id);
  }
  const Chunk& c = chunks_[id];
  if (c.prev == kNone && c.next == kNone) {  // the whole region is free
    c.region->idle_since = op;
    ++num_idle_regions_;
  }
  return size;
}

void BfcPool::AddRegion(const SubAllocation& sub, int64_t op) {
  const uintptr_t base = reinterpret_cast<uintptr_t>(sub.ptr);
  Region& region = regions_[base];
  region.base = base;
  region.bytes = sub.bytes;
  region.idle_since = op;
  ++num_idle_regions_;
  const ChunkId id = NewChunk();
  region.first_chunk = id;
  chunks_[id].ptr = base;
  chunks_[id].size = sub.bytes;
  chunks_[id].region = &region;
  InsertFree(id);
}

std::vector<SubAllocation> BfcPool::TakeFreeRegions(
    absl::FunctionRef<bool(const Region&)> pred) {
  std::vector<SubAllocation> taken;
  for (auto it = regions_.begin(); it != regions_.end();) {
    const Region& region = it->second;
    if (region.idle_since < 0 || !pred(region)) {
      ++it;
      continue;
    }
    EraseFree(chunks_[region.first_chunk].free_it);
    spare_ids_.push_back(region.first_chunk);
    --num_idle_regions_;
    taken.push_back(SubAllocation{reinterpret_cast<void*>(region.base), region.bytes});
    it = regions_.erase(it);
  }
  return taken;
}

std::vector<SubAllocation> BfcPool::AllRegions() const {
  std::vector<SubAllocation> all;
  for (const auto& [base, region] : regions_) {
    all.push_back(SubAllocation{reinterpret_cast<void*>(base), region.bytes});
  }
  return all;
}

size_t BfcPool::IdleRegionBytes() const {
  size_t bytes = 0;
  for (const auto& [base, region] : regions_) {
    if (region.idle_since >= 0) bytes += region.bytes;
  }
  return bytes;
}

size_t BfcPool::LargestFreeBlock() const {
  if (nonempty_bins_ == 0) return 0;
  const int top = 63 - std::countl_zero(nonempty_bins_);
  return bins_[top].rbegin()->size;
}

std::vector<BfcPool::LiveChunk> BfcPool::LargestLive(size_t n) const {
  std::vector<LiveChunk> all;
  all.reserve(num_live());
  for (const auto& [ptr, id] : live_) {
    const Chunk& c = chunks_[id];
    if (c.cached) continue;
    all.push_back(LiveChunk{reinterpret_cast<void*>(c.ptr), c.size, c.requested, c.owner});
  }
  const auto larger = [](const LiveChunk& a, const LiveChunk& b) {
    return a.chunk_bytes != b.chunk_bytes ? a.chunk_bytes > b.chunk_bytes : a.ptr < b.ptr;
  };
  n = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + n, all.end(), larger);
  all.resize(n);
  return all;
}

}  // namespace graphrt
