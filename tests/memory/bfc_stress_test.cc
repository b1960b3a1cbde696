// BfcAllocator under contention: 8 threads of random alloc/free, each block
// filled with a per-thread, per-block byte and checked before it is freed, so
// two live blocks that overlap (or a block served twice) fail the test.
#include <atomic>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "core/memory/bfc_allocator.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int kOpsPerThread = 10'000;  // sanitizers slow every byte touched ~10x
#else
constexpr int kOpsPerThread = 100'000;
#endif
constexpr int kThreads = 8;
constexpr int kSlots = 48;  // live blocks per thread at most

struct Block {
  unsigned char* ptr = nullptr;
  size_t bytes = 0;
  unsigned char fill = 0;
};

bool Intact(const Block& b) {
  for (size_t i = 0; i < b.bytes; ++i) {
    if (b.ptr[i] != b.fill) return false;
  }
  return true;
}

// Runs the workload; returns the number of corrupted blocks seen.
int Hammer(BfcAllocator* bfc, int thread, int ops, std::atomic<int64_t>* failed_allocs) {
  std::mt19937_64 rng(1234 + thread);
  std::vector<Block> slots(kSlots);
  int corrupted = 0;
  int serial = 0;
  for (int op = 0; op < ops; ++op) {
    Block& b = slots[rng() % kSlots];
    if (b.ptr != nullptr) {
      if (!Intact(b)) ++corrupted;
      bfc->DeallocateRaw(b.ptr);
      b = Block{};
      continue;
    }
    // Sizes 1 B..64 KiB, log-uniform so small and large blocks both matter.
    const int shift = static_cast<int>(rng() % 16);
    const size_t bytes = (size_t{1} << shift) + rng() % (size_t{1} << shift);
    b.ptr = static_cast<unsigned char*>(bfc->AllocateRaw(kTensorAlignment, bytes));
    if (b.ptr == nullptr) {
      failed_allocs->fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (reinterpret_cast<uintptr_t>(b.ptr) % kTensorAlignment != 0) ++corrupted;
    b.bytes = bytes;
    b.fill = static_cast<unsigned char>(1 + (thread * 31 + ++serial) % 255);
    std::memset(b.ptr, b.fill, bytes);
  }
  for (Block& b : slots) {
    if (b.ptr == nullptr) continue;
    if (!Intact(b)) ++corrupted;
    bfc->DeallocateRaw(b.ptr);
  }
  return corrupted;
}

void RunStress(size_t limit, int ops, bool expect_ooms) {
  BfcOptions o;
  o.memory_limit = limit;
  o.initial_region_bytes = 256 << 10;
  o.release_after_idle_ops = limit == 0 ? 0 : 5000;  // exercise the idle path too
  auto bfc = CreateBfcAllocator(CreateHostSubAllocator(), o);
  std::atomic<int> corrupted{0};
  std::atomic<int64_t> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] { corrupted += Hammer(bfc.get(), t, ops, &failed); });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(corrupted.load(), 0);
  const AllocatorStats s = bfc->GetStats();
  EXPECT_EQ(s.bytes_in_use, 0);
  EXPECT_EQ(s.num_live_allocs, 0);
  if (limit != 0) {
    EXPECT_LE(s.peak_bytes_reserved, static_cast<int64_t>(limit));
  }
  if (expect_ooms) {
    EXPECT_GT(failed.load(), 0);
    EXPECT_TRUE(bfc->LastOomReport().has_value());
  } else {
    EXPECT_EQ(failed.load(), 0);
  }
  EXPECT_EQ(bfc->Release(), static_cast<size_t>(s.bytes_reserved));  // all coalesced
  EXPECT_EQ(bfc->GetStats().bytes_reserved, 0);
}

TEST(BfcStressTest, EightThreadsRandomAllocFreeNeverOverlap) {
  RunStress(/*limit=*/0, kOpsPerThread, /*expect_ooms=*/false);
}

TEST(BfcStressTest, EightThreadsUnderATightLimitFailCleanly) {
  // About 24 live blocks of ~6 KiB mean per thread: ~1.2 MiB live on average,
  // more at peaks. 1 MiB forces concurrent OOMs, growth against the limit and
  // idle releases.
  RunStress(/*limit=*/1 << 20, kOpsPerThread / 5, /*expect_ooms=*/true);
}

}  // namespace
}  // namespace graphrt
