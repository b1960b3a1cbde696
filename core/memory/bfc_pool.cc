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

BfcPool::BfcPool() {
  bins_.reserve(kNumBins);
  for (int b = 0; b < kNumBins; ++b) bins_.emplace_back(&node_cache_);
}

int BfcPool::BinFor(size_t size) {
  const int b = 63 - std::countl_zero(static_cast<uint64_t>(size / kMinChunk) | 1);
  return std::min(b, kNumBins - 1);
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
                                  const std::string* owner) {
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

BfcPool::Freed BfcPool::Free(void* ptr, int64_t op) {
  auto it = live_.find(reinterpret_cast<uintptr_t>(ptr));
  if (it == live_.end()) return {};
  ChunkId id = it->second;
  live_.erase(it);
  const size_t size = chunks_[id].size;
  chunks_[id].in_use = false;
  chunks_[id].owner = nullptr;
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
  return {size};
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
  all.reserve(live_.size());
  for (const auto& [ptr, id] : live_) {
    const Chunk& c = chunks_[id];
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
