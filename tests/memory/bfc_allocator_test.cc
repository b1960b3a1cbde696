// BfcAllocator: limits, growth, coalescing, Release, the idle policy, alignment.
#include "core/memory/bfc_allocator.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "tests/memory/counting_sub_allocator.h"

namespace graphrt {
namespace {

using memtest::CountingSubAllocator;
using memtest::SubAllocatorLog;

constexpr size_t kKiB = 1024;
constexpr size_t kMiB = 1024 * 1024;

struct Pool {
  std::shared_ptr<SubAllocatorLog> log = std::make_shared<SubAllocatorLog>();
  std::unique_ptr<BfcAllocator> bfc;
  explicit Pool(BfcOptions options, size_t system_bytes = 0) {
    bfc = CreateBfcAllocator(std::make_unique<CountingSubAllocator>(log, system_bytes),
                             std::move(options));
  }
  BfcAllocator* operator->() { return bfc.get(); }
};

BfcOptions Options(size_t limit, bool growth, size_t initial = 1 * kMiB) {
  BfcOptions o;
  o.name = "test_bfc";
  o.memory_limit = limit;
  o.allow_growth = growth;
  o.initial_region_bytes = initial;
  return o;
}

class LimitTest : public ::testing::TestWithParam<bool> {};

TEST_P(LimitTest, AllocatingUpToTheLimitSucceedsAndOneMoreByteFails) {
  Pool pool(Options(1 * kMiB, /*growth=*/GetParam(), /*initial=*/256 * kKiB));
  void* big = pool->AllocateRaw(64, 1 * kMiB - 256);
  ASSERT_NE(big, nullptr);
  void* last = pool->AllocateRaw(64, 256);
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(pool->AllocateRaw(64, 1), nullptr);
  AllocatorStats s = pool->GetStats();
  EXPECT_EQ(s.bytes_in_use, static_cast<int64_t>(1 * kMiB));
  EXPECT_EQ(s.bytes_reserved, static_cast<int64_t>(1 * kMiB));
  EXPECT_EQ(s.bytes_limit, static_cast<int64_t>(1 * kMiB));
  EXPECT_LE(pool.log->LiveBytes(), 1 * kMiB);
  pool->DeallocateRaw(last);
  EXPECT_NE(last = pool->AllocateRaw(64, 1), nullptr);  // the byte fits again
  pool->DeallocateRaw(last);
  pool->DeallocateRaw(big);
}

TEST_P(LimitTest, ManySmallPiecesFillTheLimitExactly) {
  Pool pool(Options(1 * kMiB, GetParam(), 256 * kKiB));
  std::vector<void*> blocks;
  for (int i = 0; i < 256; ++i) {
    void* p = pool->AllocateRaw(64, 4 * kKiB);
    ASSERT_NE(p, nullptr) << "block " << i;
    blocks.push_back(p);
  }
  EXPECT_EQ(pool->AllocateRaw(64, 1), nullptr);
  EXPECT_EQ(pool->GetStats().bytes_reserved, static_cast<int64_t>(1 * kMiB));
  for (void* p : blocks) pool->DeallocateRaw(p);
  EXPECT_EQ(pool->GetStats().bytes_in_use, 0);
}

INSTANTIATE_TEST_SUITE_P(Growth, LimitTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Grow" : "Prealloc"; });

TEST(BfcAllocatorTest, GrowthDoublesRegionsUntilTheLimitCapsThem) {
  Pool pool(Options(10 * kMiB, /*growth=*/true, 1 * kMiB));
  const int64_t expected_mib[] = {1, 3, 3, 7, 7, 7, 7, 10, 10, 10};
  std::vector<void*> blocks;
  for (int64_t want : expected_mib) {
    void* p = pool->AllocateRaw(64, 1 * kMiB);
    ASSERT_NE(p, nullptr);
    blocks.push_back(p);
    EXPECT_EQ(pool->GetStats().bytes_reserved, want * static_cast<int64_t>(kMiB))
        << "after block " << blocks.size();
  }
  EXPECT_EQ(pool->AllocateRaw(64, 1), nullptr);
  EXPECT_EQ(pool.log->RegionSizes(),
            (std::vector<size_t>{1 * kMiB, 2 * kMiB, 4 * kMiB, 3 * kMiB}));
  for (void* p : blocks) pool->DeallocateRaw(p);
}

TEST(BfcAllocatorTest, PreallocationReservesTheWholeLimitAtFirstUse) {
  Pool pool(Options(8 * kMiB, /*growth=*/false));
  EXPECT_EQ(pool->GetStats().bytes_reserved, 0);
  void* p = pool->AllocateRaw(64, 100);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(pool->GetStats().bytes_reserved, static_cast<int64_t>(8 * kMiB));
  EXPECT_EQ(pool->GetStats().num_regions, 1);
  pool->DeallocateRaw(p);
}

TEST(BfcAllocatorTest, FreeingEverythingCoalescesEachRegionIntoOneBlock) {
  Pool pool(Options(4 * kMiB, /*growth=*/false));
  std::mt19937 rng(7);
  std::vector<void*> blocks;
  for (int i = 0; i < 300; ++i) {
    void* p = pool->AllocateRaw(64, 1 + rng() % (12 * kKiB));
    ASSERT_NE(p, nullptr);
    blocks.push_back(p);
  }
  std::shuffle(blocks.begin(), blocks.end(), rng);
  for (size_t i = 0; i < blocks.size(); ++i) {
    pool->DeallocateRaw(blocks[i]);
    if (i + 1 < blocks.size()) {
      EXPECT_LT(pool->GetStats().largest_free_block, static_cast<int64_t>(4 * kMiB));
    }
  }
  const AllocatorStats s = pool->GetStats();
  EXPECT_EQ(s.largest_free_block, s.bytes_reserved);
  EXPECT_EQ(s.largest_free_block, static_cast<int64_t>(4 * kMiB));
  EXPECT_EQ(s.fragmentation(), 0.0);
  EXPECT_EQ(s.num_live_allocs, 0);
}

TEST(BfcAllocatorTest, ReleaseReturnsOnlyWhollyFreeRegions) {
  Pool pool(Options(0, /*growth=*/true, 1 * kMiB));
  void* a = pool->AllocateRaw(64, 1 * kMiB);      // region 1 (1 MiB)
  void* b = pool->AllocateRaw(64, 2 * kMiB);      // region 2 (2 MiB)
  void* c = pool->AllocateRaw(64, 3 * kMiB);      // region 3 (4 MiB)
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(pool.log->LiveRegions(), 3);
  std::memset(b, 0x5a, 2 * kMiB);
  pool->DeallocateRaw(a);
  pool->DeallocateRaw(c);
  EXPECT_EQ(pool->Release(), 5 * kMiB);
  EXPECT_EQ(pool.log->LiveRegions(), 1);
  EXPECT_EQ(pool.log->LiveBytes(), 2 * kMiB);
  EXPECT_EQ(pool->GetStats().bytes_reserved, static_cast<int64_t>(2 * kMiB));
  EXPECT_EQ(static_cast<unsigned char*>(b)[2 * kMiB - 1], 0x5a);  // live data kept
  EXPECT_EQ(pool->Release(), 0u);
  pool->DeallocateRaw(b);
  EXPECT_EQ(pool->Release(), 2 * kMiB);
  EXPECT_EQ(pool.log->LiveRegions(), 0);
  EXPECT_EQ(pool->GetStats().bytes_reserved, 0);
  EXPECT_EQ(pool->GetStats().peak_bytes_reserved, static_cast<int64_t>(7 * kMiB));
  void* again = pool->AllocateRaw(64, 100);  // and the pool grows again
  EXPECT_NE(again, nullptr);
  pool->DeallocateRaw(again);
}

TEST(BfcAllocatorTest, GrowthBlockedByTheLimitReleasesFreeRegionsAndRetries) {
  Pool pool(Options(8 * kMiB, /*growth=*/true, 1 * kMiB));
  void* a = pool->AllocateRaw(64, 1 * kMiB);
  void* b = pool->AllocateRaw(64, 2 * kMiB);
  void* c = pool->AllocateRaw(64, 4 * kMiB);
  ASSERT_TRUE(a && b && c);
  pool->DeallocateRaw(a);
  pool->DeallocateRaw(b);
  pool->DeallocateRaw(c);
  EXPECT_EQ(pool->GetStats().bytes_reserved, static_cast<int64_t>(7 * kMiB));
  void* big = pool->AllocateRaw(64, 6 * kMiB);  // no block and 1 MiB of room
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(pool->GetStats().num_regions, 1);
  EXPECT_EQ(pool->GetStats().bytes_reserved, static_cast<int64_t>(8 * kMiB));
  EXPECT_EQ(pool.log->LiveRegions(), 1);
  pool->DeallocateRaw(big);
}

TEST(BfcAllocatorTest, IdlePolicyReleasesARegionAfterNOpsWhollyFree) {
  BfcOptions o = Options(0, /*growth=*/true, 1 * kMiB);
  o.release_after_idle_ops = 10;
  Pool pool(o);
  void* a = pool->AllocateRaw(64, 256 * kKiB);  // region 1 stays busy
  void* b = pool->AllocateRaw(64, 2 * kMiB);    // region 2
  ASSERT_TRUE(a && b);
  pool->DeallocateRaw(b);                       // region 2 idle from here
  for (int op = 1; op < 10; ++op) {             // 9 more ops: not yet
    if (op % 2 == 1) {
      b = pool->AllocateRaw(64, 256);
    } else {
      pool->DeallocateRaw(b);
    }
    ASSERT_EQ(pool->GetStats().bytes_reserved, static_cast<int64_t>(3 * kMiB)) << op;
  }
  pool->DeallocateRaw(b);                       // 10th op
  EXPECT_EQ(pool->GetStats().bytes_reserved, static_cast<int64_t>(1 * kMiB));
  EXPECT_EQ(pool.log->LiveRegions(), 1);
  pool->DeallocateRaw(a);
}

TEST(BfcAllocatorTest, IdlePolicyKeepsARegionThatIsReusedInTime) {
  BfcOptions o = Options(0, /*growth=*/true, 1 * kMiB);
  o.release_after_idle_ops = 4;
  Pool pool(o);
  for (int i = 0; i < 1000; ++i) {  // the region is wholly free after each free
    void* p = pool->AllocateRaw(64, 64 * kKiB);
    ASSERT_NE(p, nullptr);
    pool->DeallocateRaw(p);
  }
  EXPECT_EQ(pool.log->LiveRegions(), 1);
  EXPECT_EQ(pool.log->Allocs(), 1);
}

TEST(BfcAllocatorTest, AlignmentsAboveTheChunkAlignmentAreHonoured) {
  Pool pool(Options(0, /*growth=*/true, 1 * kMiB));
  void* skew = pool->AllocateRaw(64, 1);
  for (size_t align : {size_t{256}, size_t{512}, 4 * kKiB, 64 * kKiB}) {
    void* p = pool->AllocateRaw(align, 1000);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % align, 0u) << align;
    pool->DeallocateRaw(p);
  }
  EXPECT_EQ(pool->AllocateRaw(3, 16), nullptr);  // not a power of two
  pool->DeallocateRaw(skew);
  const AllocatorStats s = pool->GetStats();
  EXPECT_EQ(s.bytes_in_use, 0);
  EXPECT_EQ(s.largest_free_block, s.bytes_reserved);  // the cut fronts coalesced
}

TEST(BfcAllocatorTest, ZeroBytesGivesDistinctPointersAndForeignPointersAreIgnored) {
  Pool pool(Options(0, true));
  void* a = pool->AllocateRaw(64, 0);
  void* b = pool->AllocateRaw(64, 0);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a, b);
  int on_stack = 0;
  pool->DeallocateRaw(&on_stack);
  pool->DeallocateRaw(nullptr);
  EXPECT_EQ(pool->GetStats().num_live_allocs, 2);
  pool->DeallocateRaw(a);
  pool->DeallocateRaw(b);
  EXPECT_EQ(pool->GetStats().num_live_allocs, 0);
}

TEST(BfcAllocatorTest, StatsReportFragmentation) {
  Pool pool(Options(1 * kMiB, /*growth=*/false));
  std::vector<void*> blocks;
  for (int i = 0; i < 256; ++i) blocks.push_back(pool->AllocateRaw(64, 4 * kKiB));
  for (int i = 0; i < 256; i += 2) pool->DeallocateRaw(blocks[i]);
  const AllocatorStats s = pool->GetStats();
  EXPECT_EQ(s.bytes_in_use, static_cast<int64_t>(512 * kKiB));
  EXPECT_EQ(s.largest_free_block, static_cast<int64_t>(4 * kKiB));
  EXPECT_DOUBLE_EQ(s.fragmentation(), 1.0 - 4.0 / 512.0);
  EXPECT_EQ(s.num_allocs, 256);
  EXPECT_NE(s.DebugString().find("fragmentation 0.992"), std::string::npos) << s.DebugString();
  for (int i = 1; i < 256; i += 2) pool->DeallocateRaw(blocks[i]);
  EXPECT_EQ(pool->GetStats().fragmentation(), 0.0);
}

}  // namespace
}  // namespace graphrt
