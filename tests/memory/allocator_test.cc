// Allocator: the interface's documented defaults (host space, no OOM report,
// nothing to release), HostAllocator's counters, and BfcAllocator used only
// through the base class, as the executor does.
#include "core/memory/allocator.h"

#include <memory>
#include <string>

#include "core/memory/bfc_allocator.h"
#include "gtest/gtest.h"
#include "tests/memory/counting_sub_allocator.h"

namespace graphrt {
namespace {

using memtest::CountingSubAllocator;
using memtest::SubAllocatorLog;

constexpr size_t kMiB = size_t{1} << 20;

// Only the pure virtuals: everything else is the interface's default.
class MinimalAllocator final : public Allocator {
 public:
  std::string Name() const override { return "minimal"; }
  void* AllocateRaw(size_t alignment, size_t bytes) override {
    return HostAllocator()->AllocateRaw(alignment, bytes);
  }
  void DeallocateRaw(void* ptr) override { HostAllocator()->DeallocateRaw(ptr); }
  AllocatorStats GetStats() const override {
    AllocatorStats s;
    s.bytes_in_use = 42;
    return s;
  }
};

TEST(AllocatorTest, DefaultsAreHostNoReportNothingReleased) {
  MinimalAllocator minimal;
  Allocator& a = minimal;
  EXPECT_EQ(a.memory_space(), MemorySpace::Host());
  EXPECT_FALSE(a.LastOomReport().has_value());
  EXPECT_EQ(a.Release(), 0u);
  EXPECT_EQ(a.BytesInUse(), 42);
  void* p = a.AllocateRaw(64, 128);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(a.Release(), 0u);  // nothing is ever held beyond what is in use
  a.DeallocateRaw(p);
}

TEST(AllocatorTest, HostAllocatorKeepsNoReportAndReleasesNothing) {
  Allocator* host = HostAllocator();
  EXPECT_EQ(host->Name(), "cpu");
  EXPECT_FALSE(host->LastOomReport().has_value());
  EXPECT_EQ(host->Release(), 0u);
}

TEST(AllocatorTest, BfcThroughTheBaseClassReportsItsLastOom) {
  auto log = std::make_shared<SubAllocatorLog>();
  BfcOptions o;
  o.name = "base_bfc";
  o.memory_limit = 1 * kMiB;
  o.allow_growth = false;
  std::unique_ptr<Allocator> a =
      CreateBfcAllocator(std::make_unique<CountingSubAllocator>(log), o);
  EXPECT_FALSE(a->LastOomReport().has_value());
  EXPECT_EQ(a->AllocateRaw(256, 2 * kMiB), nullptr);
  const std::optional<OomReport> report = a->LastOomReport();
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->allocator, "base_bfc");
  EXPECT_EQ(report->sub_allocator, "counting_host");
  EXPECT_EQ(report->request_bytes, static_cast<int64_t>(2 * kMiB));
  EXPECT_EQ(report->limit_bytes, static_cast<int64_t>(1 * kMiB));
  EXPECT_EQ(report->verdict, OomVerdict::kCapacity);
  // Still usable after the failure.
  void* p = a->AllocateRaw(256, 1000);
  ASSERT_NE(p, nullptr);
  a->DeallocateRaw(p);
}

TEST(AllocatorTest, BfcThroughTheBaseClassReleasesWhollyFreeRegions) {
  auto log = std::make_shared<SubAllocatorLog>();
  BfcOptions o;
  o.initial_region_bytes = 1 * kMiB;
  o.chunk_cache_bytes = 1 * kMiB;  // Release must flush it too
  std::unique_ptr<Allocator> a =
      CreateBfcAllocator(std::make_unique<CountingSubAllocator>(log), o);
  void* small = a->AllocateRaw(256, 4096);  // first region, 1 MiB
  void* big = a->AllocateRaw(256, 3 * kMiB);  // a second region
  ASSERT_TRUE(small && big);
  EXPECT_EQ(log->LiveRegions(), 2);
  a->DeallocateRaw(big);
  const size_t live_region = log->RegionSizes()[0];
  const size_t released = a->Release();  // only the now wholly free second region
  EXPECT_EQ(released, log->RegionSizes()[1]);
  EXPECT_EQ(log->LiveRegions(), 1);
  EXPECT_EQ(log->LiveBytes(), live_region);
  EXPECT_EQ(a->GetStats().bytes_reserved, static_cast<int64_t>(live_region));
  a->DeallocateRaw(small);  // into the chunk cache
  EXPECT_EQ(a->Release(), live_region);
  EXPECT_EQ(log->LiveRegions(), 0);
  EXPECT_EQ(a->Release(), 0u);
}

}  // namespace
}  // namespace graphrt
