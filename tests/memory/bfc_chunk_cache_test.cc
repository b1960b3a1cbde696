// BfcAllocator's chunk cache (Note [BFC chunk cache] in core/memory/bfc_pool.cc):
// reuse by exact size, no overlap, no double hand-out, flush before growth and
// OOM, Release and the idle policy see cached chunks, stats stay exact.
#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "core/memory/bfc_allocator.h"
#include "gtest/gtest.h"
#include "tests/memory/counting_sub_allocator.h"

namespace graphrt {
namespace {

using memtest::CountingSubAllocator;
using memtest::SubAllocatorLog;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int kRandomOps = 4'000;  // sanitizers slow every byte touched ~10x
#else
constexpr int kRandomOps = 20'000;
#endif
constexpr size_t kKiB = 1024;
constexpr size_t kMiB = 1024 * 1024;

struct Pool {
  std::shared_ptr<SubAllocatorLog> log = std::make_shared<SubAllocatorLog>();
  std::unique_ptr<BfcAllocator> bfc;
  explicit Pool(BfcOptions options) {
    bfc = CreateBfcAllocator(std::make_unique<CountingSubAllocator>(log), std::move(options));
  }
  BfcAllocator* operator->() { return bfc.get(); }
};

BfcOptions Options(size_t limit, bool growth, size_t cache_bytes = size_t{16} << 20) {
  BfcOptions o;
  o.name = "cache_test";
  o.memory_limit = limit;
  o.allow_growth = growth;
  o.initial_region_bytes = 256 * kKiB;
  o.chunk_cache_bytes = cache_bytes;
  return o;
}

size_t Rounded(size_t bytes) { return (std::max<size_t>(bytes, 1) + 255) / 256 * 256; }

TEST(BfcChunkCacheTest, BytesInUseIsExactAndLeavesTheCacheAlone) {
  // Traced steps poll BytesInUse() after every node; unlike GetStats() it
  // must not flush the cache.
  Pool pool(Options(1 * kMiB, /*growth=*/false));
  void* live = pool->AllocateRaw(64, 1 * kKiB);
  void* p = pool->AllocateRaw(64, 4 * kKiB);
  ASSERT_NE(live, nullptr);
  ASSERT_NE(p, nullptr);
  pool->DeallocateRaw(p);
  EXPECT_EQ(pool->BytesInUse(), static_cast<int64_t>(1 * kKiB));
  void* q = pool->AllocateRaw(64, 8 * kKiB);  // p still cached: not where q goes
  EXPECT_NE(q, p);
  EXPECT_EQ(pool->BytesInUse(), static_cast<int64_t>(9 * kKiB));
  EXPECT_EQ(pool->BytesInUse(), pool->GetStats().bytes_in_use);
  pool->DeallocateRaw(q);
  pool->DeallocateRaw(live);
  EXPECT_EQ(pool->BytesInUse(), 0);
}

TEST(BfcChunkCacheTest, AFreedChunkIsKeptForItsSizeAndNotCoalesced) {
  Pool pool(Options(1 * kMiB, /*growth=*/false));
  void* p = pool->AllocateRaw(64, 4 * kKiB);
  ASSERT_NE(p, nullptr);
  pool->DeallocateRaw(p);
  // Coalesced, p would be the best fit for 8 KiB (lowest address); cached, it
  // is not free for other sizes.
  void* q = pool->AllocateRaw(64, 8 * kKiB);
  EXPECT_NE(q, p);
  EXPECT_EQ(pool->AllocateRaw(64, 4 * kKiB - 100), p);  // same rounded size: p again
  pool->DeallocateRaw(p);
  pool->DeallocateRaw(q);
}

TEST(BfcChunkCacheTest, ZeroBudgetCoalescesAtOnceAsWithoutACache) {
  Pool pool(Options(1 * kMiB, /*growth=*/false, /*cache_bytes=*/0));
  void* p = pool->AllocateRaw(64, 4 * kKiB);
  ASSERT_NE(p, nullptr);
  pool->DeallocateRaw(p);
  void* q = pool->AllocateRaw(64, 8 * kKiB);
  EXPECT_EQ(q, p);
  pool->DeallocateRaw(q);
}

TEST(BfcChunkCacheTest, FreeingACachedChunkTwiceDoesNotHandItOutTwice) {
  Pool pool(Options(0, /*growth=*/true));
  void* p = pool->AllocateRaw(64, 1000);
  ASSERT_NE(p, nullptr);
  pool->DeallocateRaw(p);
  pool->DeallocateRaw(p);  // ignored, as any unknown pointer is
  void* a = pool->AllocateRaw(64, 1000);
  void* b = pool->AllocateRaw(64, 1000);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a, b);
  EXPECT_EQ(pool->GetStats().num_live_allocs, 2);
  EXPECT_EQ(pool->GetStats().bytes_in_use, 2 * 1024);
  pool->DeallocateRaw(a);
  pool->DeallocateRaw(b);
}

TEST(BfcChunkCacheTest, ACachedChunkServesALargerAlignmentOnlyWhenItMeetsIt) {
  Pool pool(Options(0, /*growth=*/true));
  void* skew = pool->AllocateRaw(64, 256);  // the next chunk starts at base + 256
  void* p = pool->AllocateRaw(64, 4 * kKiB);
  ASSERT_TRUE(skew && p);
  ASSERT_NE(reinterpret_cast<uintptr_t>(p) % (4 * kKiB), 0u);
  pool->DeallocateRaw(p);
  void* q = pool->AllocateRaw(4 * kKiB, 4 * kKiB);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(q) % (4 * kKiB), 0u);
  EXPECT_EQ(pool->AllocateRaw(64, 4 * kKiB), p);  // still cached
  pool->DeallocateRaw(p);
  pool->DeallocateRaw(q);
  pool->DeallocateRaw(skew);
}

// Random traffic over a few sizes (so most allocations hit the cache), every
// block filled and checked, and no two live blocks overlapping.
TEST(BfcChunkCacheTest, CachedChunksNeverOverlapLiveOnes) {
  Pool pool(Options(0, /*growth=*/true));
  std::mt19937 rng(11);
  const size_t sizes[] = {100, 256, 1000, 4096, 5000, 65536, 300 * kKiB, 1 * kMiB};
  std::map<uintptr_t, std::pair<size_t, unsigned char>> live;  // ptr -> bytes, fill
  for (int op = 0; op < kRandomOps; ++op) {
    if (!live.empty() && (live.size() > 64 || rng() % 2 == 0)) {
      auto it = std::next(live.begin(), static_cast<long>(rng() % live.size()));
      const auto* bytes = reinterpret_cast<const unsigned char*>(it->first);
      for (size_t i = 0; i < it->second.first; i += 61) {
        ASSERT_EQ(bytes[i], it->second.second) << "op " << op;
      }
      pool->DeallocateRaw(reinterpret_cast<void*>(it->first));
      live.erase(it);
      continue;
    }
    const size_t n = sizes[rng() % std::size(sizes)];
    const size_t align = rng() % 8 == 0 ? 4 * kKiB : 64;
    auto* p = static_cast<unsigned char*>(pool->AllocateRaw(align, n));
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % align, 0u);
    const uintptr_t a = reinterpret_cast<uintptr_t>(p);
    auto next = live.lower_bound(a);
    ASSERT_TRUE(next == live.end() || next->first >= a + n) << "overlaps the next block";
    ASSERT_TRUE(next == live.begin() || std::prev(next)->first + std::prev(next)->second.first <= a)
        << "overlaps the previous block";
    const auto fill = static_cast<unsigned char>(1 + op % 255);
    std::memset(p, fill, n);
    live[a] = {n, fill};
  }
  for (const auto& [ptr, block] : live) pool->DeallocateRaw(reinterpret_cast<void*>(ptr));
  const AllocatorStats s = pool->GetStats();
  EXPECT_EQ(s.bytes_in_use, 0);
  EXPECT_EQ(s.num_live_allocs, 0);
  EXPECT_EQ(pool->Release(), static_cast<size_t>(s.bytes_reserved));
}

// Fills the pool with chunks of 44 sizes, 4 of each (each size class keeps 4),
// frees them all into the cache, then asks for a block that only fits once
// they coalesce.
class FlushTest : public ::testing::TestWithParam<bool> {};

TEST_P(FlushTest, ARequestThatFitsOnlyAfterCoalescingTheCacheDoesNotOom) {
  Pool pool(Options(1 * kMiB, /*growth=*/GetParam()));
  std::vector<void*> blocks;
  for (size_t k = 1; k <= 44; ++k) {
    for (int i = 0; i < 4; ++i) {
      void* p = pool->AllocateRaw(64, k * 256);
      ASSERT_NE(p, nullptr) << k;
      blocks.push_back(p);
    }
  }
  for (void* p : blocks) pool->DeallocateRaw(p);
  void* big = pool->AllocateRaw(64, 1 * kMiB);
  ASSERT_NE(big, nullptr) << (pool->num_ooms() > 0 ? pool->LastOomReport()->ToString() : "");
  EXPECT_EQ(pool->num_ooms(), 0);
  EXPECT_EQ(pool->GetStats().bytes_reserved, static_cast<int64_t>(1 * kMiB));
  // Full: the verdict and the report see the real state, and the pool is
  // usable afterwards.
  EXPECT_EQ(pool->AllocateRaw(64, 256), nullptr);
  ASSERT_TRUE(pool->LastOomReport().has_value());
  EXPECT_EQ(pool->LastOomReport()->num_live_allocs, 1);
  EXPECT_EQ(pool->LastOomReport()->in_use_bytes, static_cast<int64_t>(1 * kMiB));
  pool->DeallocateRaw(big);
  void* again = pool->AllocateRaw(64, 1 * kMiB);
  EXPECT_NE(again, nullptr);
  pool->DeallocateRaw(again);
}

TEST_P(FlushTest, ReleaseGivesBackRegionsWhoseChunksSatInTheCache) {
  Pool pool(Options(0, /*growth=*/GetParam()));
  std::vector<void*> blocks;
  for (int i = 0; i < 400; ++i) blocks.push_back(pool->AllocateRaw(64, 256 * (1 + i % 40)));
  ASSERT_GT(pool->GetStats().num_regions, 1);
  for (void* p : blocks) pool->DeallocateRaw(p);
  // Not GetStats(): it flushes the cache too.
  const size_t reserved = pool.log->LiveBytes();
  EXPECT_EQ(pool->Release(), reserved);
  EXPECT_EQ(pool->GetStats().bytes_reserved, 0);
  EXPECT_EQ(pool.log->LiveRegions(), 0);
  EXPECT_EQ(pool.log->LiveBytes(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Growth, FlushTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Grow" : "Prealloc"; });

// The largest free block the stats report is the largest gap between live
// chunks, computed here from the pointers, whatever sits in the cache.
TEST(BfcChunkCacheTest, StatsAreExactWithChunksInTheCache) {
  Pool pool(Options(1 * kMiB, /*growth=*/false));
  void* first = pool->AllocateRaw(64, 256);  // lands at the region base
  ASSERT_NE(first, nullptr);
  const uintptr_t base = reinterpret_cast<uintptr_t>(first);
  std::map<uintptr_t, size_t> live{{base, 256}};
  std::mt19937 rng(5);
  for (int op = 0; op < 3000; ++op) {
    if (live.size() > 1 && rng() % 2 == 0) {
      auto it = std::next(live.begin(), 1 + static_cast<long>(rng() % (live.size() - 1)));
      pool->DeallocateRaw(reinterpret_cast<void*>(it->first));
      live.erase(it);
    } else {
      const size_t n = 256 * (1 + rng() % 24);
      void* p = pool->AllocateRaw(64, n);
      if (p != nullptr) live[reinterpret_cast<uintptr_t>(p)] = Rounded(n);
    }
    if (op % 7 != 0) continue;
    int64_t in_use = 0, largest_gap = 0;
    uintptr_t end = base;
    for (const auto& [ptr, bytes] : live) {
      largest_gap = std::max(largest_gap, static_cast<int64_t>(ptr - end));
      end = ptr + bytes;
      in_use += static_cast<int64_t>(bytes);
    }
    largest_gap = std::max(largest_gap, static_cast<int64_t>(base + 1 * kMiB - end));
    const AllocatorStats s = pool->GetStats();
    ASSERT_EQ(s.largest_free_block, largest_gap) << "op " << op;
    ASSERT_EQ(s.bytes_in_use, in_use) << "op " << op;
    ASSERT_EQ(s.num_live_allocs, static_cast<int64_t>(live.size())) << "op " << op;
  }
  for (const auto& [ptr, bytes] : live) pool->DeallocateRaw(reinterpret_cast<void*>(ptr));
  const AllocatorStats s = pool->GetStats();
  EXPECT_EQ(s.largest_free_block, static_cast<int64_t>(1 * kMiB));
  EXPECT_EQ(s.fragmentation(), 0.0);
}

TEST(BfcChunkCacheTest, IdlePolicyReleasesARegionHeldOnlyByCachedChunks) {
  BfcOptions o = Options(0, /*growth=*/true);
  o.initial_region_bytes = 1 * kMiB;
  o.release_after_idle_ops = 10;
  Pool pool(o);
  void* a = pool->AllocateRaw(64, 1 * kMiB);    // region 1, stays busy
  void* b = pool->AllocateRaw(64, 512 * kKiB);  // region 2 (2 MiB)
  ASSERT_TRUE(a && b);
  pool->DeallocateRaw(b);  // into the cache: region 2 is not wholly free yet
  int not_mine = 0;
  int ticks = 0;
  while (pool.log->LiveRegions() == 2 && ticks < 100) {
    pool->DeallocateRaw(&not_mine);  // a call that changes nothing but the clock
    ++ticks;
  }
  EXPECT_EQ(pool.log->LiveRegions(), 1);
  EXPECT_LE(ticks, 2 * 10);  // a flush within 10 calls, a release 10 after it
  EXPECT_GE(ticks, 10);
  pool->DeallocateRaw(a);
}

}  // namespace
}  // namespace graphrt
