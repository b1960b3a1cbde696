#include "core/memory/allocator.h"

#include <atomic>
#include <cstdio>
#include <new>

#include "absl/strings/str_format.h"

namespace graphrt {

double AllocatorStats::fragmentation() const {
  const int64_t free_bytes = bytes_reserved - bytes_in_use;
  if (free_bytes <= 0) return 0.0;
  return 1.0 - static_cast<double>(largest_free_block) / static_cast<double>(free_bytes);
}

std::string AllocatorStats::DebugString() const {
  return absl::StrFormat(
      "in use %d B (peak %d B), %d allocations (%d live), limit %d B, "
      "reserved %d B in %d regions, largest free block %d B, fragmentation %.3f",
      bytes_in_use, peak_bytes_in_use, num_allocs, num_live_allocs, bytes_limit,
      bytes_reserved, num_regions, largest_free_block, fragmentation());
}

// Note [Retired allocators]
// Rationale: a Device owns its pool when it has a memory limit (and every GPU
// does), and a Tensor returned by Session::Run holds a buffer from that pool
// with a raw Allocator*. Users keep results after their session and runtime
// are gone; deleting the pool with the device left those tensors pointing at
// freed memory (a read or the tensor's destructor crashed).
// Approach: owners retire an allocator instead of deleting it. An allocator
// with nothing live is deleted at once; one with live buffers marks itself
// retired, and the DeallocateRaw that returns its last buffer deletes it
// (after dropping its own lock: nothing else may hold the pointer by then).
// The pool's memory, limit included, lives exactly as long as the last
// result that points into it, and nothing is copied. Cost: one branch per
// DeallocateRaw in BfcAllocator, under the lock it already takes.
// Limitations: allocators that track nothing live fall back to this default,
// which leaks (and says so) rather than risk freeing memory still in use.
void Allocator::Retire() {
  const AllocatorStats stats = GetStats();
  if (stats.bytes_in_use == 0 && stats.num_live_allocs == 0) {
    delete this;
    return;
  }
  std::fprintf(stderr,
               "graphrt: allocator %s retired with %lld live bytes; left alive so that its "
               "buffers stay valid\n",
               Name().c_str(), static_cast<long long>(stats.bytes_in_use));
}

namespace {

// Each block starts one alignment unit before the pointer handed out; the last
// 16 bytes of that unit record the request size and the alignment, so the
// counters stay exact without a lookup table.
class AlignedHostAllocator final : public Allocator {
 public:
  std::string Name() const override { return "cpu"; }

  void* AllocateRaw(size_t alignment, size_t bytes) override {
    if (alignment < kTensorAlignment) alignment = kTensorAlignment;
    void* base = ::operator new(bytes + alignment, std::align_val_t(alignment),
                                std::nothrow);
    if (base == nullptr) return nullptr;
    void* ptr = static_cast<char*>(base) + alignment;
    Header* header = HeaderOf(ptr);
    header->bytes = bytes;
    header->alignment = alignment;
    num_allocs_.fetch_add(1, std::memory_order_relaxed);
    live_.fetch_add(1, std::memory_order_relaxed);
    const int64_t size = static_cast<int64_t>(bytes);
    const int64_t now = in_use_.fetch_add(size, std::memory_order_relaxed) + size;
    UpdateMax(peak_, now);
    UpdateMax(largest_, size);
    return ptr;
  }

  void DeallocateRaw(void* ptr) override {
    if (ptr == nullptr) return;
    const Header header = *HeaderOf(ptr);
    in_use_.fetch_sub(static_cast<int64_t>(header.bytes), std::memory_order_relaxed);
    live_.fetch_sub(1, std::memory_order_relaxed);
    ::operator delete(static_cast<char*>(ptr) - header.alignment,
                      std::align_val_t(header.alignment));
  }

  AllocatorStats GetStats() const override {
    AllocatorStats s;
    s.num_allocs = num_allocs_.load(std::memory_order_relaxed);
    s.num_live_allocs = live_.load(std::memory_order_relaxed);
    s.bytes_in_use = in_use_.load(std::memory_order_relaxed);
    s.peak_bytes_in_use = peak_.load(std::memory_order_relaxed);
    s.largest_alloc_size = largest_.load(std::memory_order_relaxed);
    s.bytes_reserved = s.bytes_in_use;
    s.peak_bytes_reserved = s.peak_bytes_in_use;
    return s;
  }

 private:
  struct Header {
    size_t bytes;
    size_t alignment;
  };
  static Header* HeaderOf(void* ptr) {
    return reinterpret_cast<Header*>(static_cast<char*>(ptr) - sizeof(Header));
  }
  static void UpdateMax(std::atomic<int64_t>& target, int64_t value) {
    int64_t seen = target.load(std::memory_order_relaxed);
    while (value > seen &&
           !target.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
    }
  }

  std::atomic<int64_t> num_allocs_{0};
  std::atomic<int64_t> live_{0};
  std::atomic<int64_t> in_use_{0};
  std::atomic<int64_t> peak_{0};
  std::atomic<int64_t> largest_{0};
};

}  // namespace

Allocator* HostAllocator() {
  static auto* allocator = new AlignedHostAllocator();
  return allocator;
}

}  // namespace graphrt
