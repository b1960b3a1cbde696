// Retire (core/memory/allocator.h): an owner ends its hold on an allocator
// whose buffers may outlive it; the last buffer returned deletes it. Its
// regions go back to the system exactly then, not before.
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "core/memory/bfc_allocator.h"
#include "gtest/gtest.h"
#include "tests/memory/counting_sub_allocator.h"

namespace graphrt {
namespace {

using memtest::CountingSubAllocator;
using memtest::SubAllocatorLog;

OwnedAllocator MakePool(const std::shared_ptr<SubAllocatorLog>& log) {
  BfcOptions options;
  options.memory_limit = size_t{1} << 20;
  return OwnedAllocator(
      CreateBfcAllocator(std::make_unique<CountingSubAllocator>(log), options).release());
}

TEST(RetiredAllocatorTest, IdleAllocatorIsDeletedAtOnce) {
  auto log = std::make_shared<SubAllocatorLog>();
  OwnedAllocator pool = MakePool(log);
  pool->DeallocateRaw(pool->AllocateRaw(64, 1000));
  EXPECT_GT(log->LiveRegions(), 0);
  pool.reset();
  EXPECT_EQ(log->LiveRegions(), 0);
}

TEST(RetiredAllocatorTest, LiveBuffersKeepTheRetiredPoolUntilTheLastIsReturned) {
  auto log = std::make_shared<SubAllocatorLog>();
  OwnedAllocator pool = MakePool(log);
  Allocator* raw = pool.get();
  void* a = raw->AllocateRaw(64, 1000);
  void* b = raw->AllocateRaw(64, 5000);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::memset(a, 0x5a, 1000);
  pool.reset();  // retired: a and b are still live
  EXPECT_GT(log->LiveRegions(), 0);
  EXPECT_EQ(static_cast<unsigned char*>(a)[999], 0x5a);
  raw->DeallocateRaw(a);
  EXPECT_GT(log->LiveRegions(), 0) << "b is still live";
  std::memset(b, 1, 5000);
  raw->DeallocateRaw(b);  // the last: deletes the pool
  EXPECT_EQ(log->LiveRegions(), 0);
}

TEST(RetiredAllocatorTest, ConcurrentLastFreesDeleteThePoolOnce) {
  for (int round = 0; round < 20; ++round) {
    auto log = std::make_shared<SubAllocatorLog>();
    OwnedAllocator pool = MakePool(log);
    Allocator* raw = pool.get();
    std::vector<void*> buffers;
    for (int i = 0; i < 8; ++i) buffers.push_back(raw->AllocateRaw(64, 256 * (i + 1)));
    std::vector<std::thread> threads;
    for (void* p : buffers) threads.emplace_back([raw, p] { raw->DeallocateRaw(p); });
    pool.reset();  // races with the frees: whichever is last deletes
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(log->LiveRegions(), 0) << "round " << round;
  }
}

}  // namespace
}  // namespace graphrt
