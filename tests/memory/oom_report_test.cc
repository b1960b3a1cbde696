// OOM reports: verdicts, owners, the text and JSON forms, OomStatus, and the
// allocator staying usable after a failure.
#include "core/memory/oom_report.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/memory/allocation_owner.h"
#include "core/memory/bfc_allocator.h"
#include "gtest/gtest.h"
#include "tests/memory/counting_sub_allocator.h"
#include "tests/memory/json_checker.h"

namespace graphrt {
namespace {

using memtest::CountingSubAllocator;
using memtest::Json;
using memtest::JsonParser;
using memtest::SubAllocatorLog;

constexpr size_t kKiB = 1024;
constexpr size_t kMiB = 1024 * 1024;

std::unique_ptr<BfcAllocator> Prealloc(size_t limit) {
  BfcOptions o;
  o.name = "gpu_bfc_0";
  o.memory_limit = limit;
  o.allow_growth = false;
  return CreateBfcAllocator(CreateHostSubAllocator(), o);
}

TEST(OomReportTest, AlternatingFreesGiveAFragmentationVerdict) {
  auto bfc = Prealloc(1 * kMiB);
  std::vector<void*> blocks;
  for (int i = 0; i < 256; ++i) blocks.push_back(bfc->AllocateRaw(64, 4 * kKiB));
  for (int i = 0; i < 256; i += 2) bfc->DeallocateRaw(blocks[i]);
  EXPECT_EQ(bfc->AllocateRaw(64, 64 * kKiB), nullptr);  // 512 KiB free, 4 KiB pieces
  const std::optional<OomReport> r = bfc->LastOomReport();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->verdict, OomVerdict::kFragmentation);
  EXPECT_EQ(r->request_bytes, static_cast<int64_t>(64 * kKiB));
  EXPECT_EQ(r->rounded_bytes, static_cast<int64_t>(64 * kKiB));
  EXPECT_EQ(r->limit_bytes, static_cast<int64_t>(1 * kMiB));
  EXPECT_EQ(r->in_use_bytes, static_cast<int64_t>(512 * kKiB));
  EXPECT_EQ(r->reserved_bytes, static_cast<int64_t>(1 * kMiB));
  EXPECT_EQ(r->largest_free_block, static_cast<int64_t>(4 * kKiB));
  EXPECT_EQ(r->num_live_allocs, 128);
  EXPECT_NE(r->ToString().find("Verdict: fragmentation"), std::string::npos);
  EXPECT_NE(r->ToString().find("Release()"), std::string::npos);
  EXPECT_EQ(bfc->num_ooms(), 1);
  // On demand: a 2 KiB request fits, 600 KiB exceeds what is left.
  EXPECT_EQ(bfc->BuildOomReport(2 * kKiB).verdict, OomVerdict::kNone);
  EXPECT_EQ(bfc->BuildOomReport(600 * kKiB).verdict, OomVerdict::kCapacity);
  for (int i = 1; i < 256; i += 2) bfc->DeallocateRaw(blocks[i]);
}

TEST(OomReportTest, AFullPoolGivesACapacityVerdict) {
  auto bfc = Prealloc(1 * kMiB);
  void* most = bfc->AllocateRaw(64, 768 * kKiB);
  ASSERT_NE(most, nullptr);
  EXPECT_EQ(bfc->AllocateRaw(64, 512 * kKiB), nullptr);  // 256 KiB left
  ASSERT_TRUE(bfc->LastOomReport().has_value());
  EXPECT_EQ(bfc->LastOomReport()->verdict, OomVerdict::kCapacity);
  EXPECT_NE(bfc->LastOomReport()->ToString().find("lower the batch size"), std::string::npos);
  void* rest = bfc->AllocateRaw(64, 256 * kKiB);
  ASSERT_NE(rest, nullptr);
  EXPECT_EQ(bfc->AllocateRaw(64, 1), nullptr);
  EXPECT_EQ(bfc->LastOomReport()->verdict, OomVerdict::kCapacity);
  EXPECT_EQ(bfc->LastOomReport()->request_bytes, 1);
  EXPECT_EQ(bfc->LastOomReport()->rounded_bytes, 256);
  bfc->DeallocateRaw(most);
  bfc->DeallocateRaw(rest);
}

TEST(OomReportTest, ASystemRefusalGivesASystemVerdictWithItsReason) {
  auto log = std::make_shared<SubAllocatorLog>();
  BfcOptions o;
  o.initial_region_bytes = 1 * kMiB;
  auto bfc = CreateBfcAllocator(
      std::make_unique<CountingSubAllocator>(log, /*system_bytes=*/3 * kMiB), o);
  void* a = bfc->AllocateRaw(64, 2 * kMiB);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(bfc->AllocateRaw(64, 2 * kMiB), nullptr);
  ASSERT_TRUE(bfc->LastOomReport().has_value());
  EXPECT_EQ(bfc->LastOomReport()->verdict, OomVerdict::kSystem);
  EXPECT_NE(bfc->LastOomReport()->system_error.find("counting: system has only"),
            std::string::npos);
  EXPECT_NE(bfc->AllocateRaw(64, 1 * kMiB), nullptr);  // what the system has still works
}

TEST(OomReportTest, ListsTheTenLargestLiveAllocationsWithTheirOwners) {
  auto bfc = Prealloc(1 * kMiB);
  std::vector<void*> blocks;
  for (int i = 0; i < 12; ++i) {
    ScopedAllocationOwner owner(absl::StrCat("layer_", i, "/MatMul"));
    blocks.push_back(bfc->AllocateRaw(64, (i + 1) * 8 * kKiB));
  }
  {
    ScopedAllocationOwner outer("outer");
    {
      ScopedAllocationOwner inner("odd \"name\"\n\\tab\t\x01");
      blocks.push_back(bfc->AllocateRaw(64, 4 * kKiB));
    }
    blocks.push_back(bfc->AllocateRaw(64, 100 * kKiB));  // back to "outer"
  }
  blocks.push_back(bfc->AllocateRaw(64, 2 * kKiB));  // no owner
  for (void* p : blocks) ASSERT_NE(p, nullptr);
  EXPECT_EQ(bfc->AllocateRaw(64, 512 * kKiB), nullptr);

  const OomReport r = *bfc->LastOomReport();
  ASSERT_EQ(r.largest_live.size(), 10u);
  EXPECT_EQ(r.largest_live[0].owner, "outer");
  EXPECT_EQ(r.largest_live[0].bytes, static_cast<int64_t>(100 * kKiB));
  for (int k = 1; k < 10; ++k) {
    EXPECT_EQ(r.largest_live[k].owner, absl::StrCat("layer_", 12 - k, "/MatMul"));
    EXPECT_EQ(r.largest_live[k].requested_bytes, static_cast<int64_t>((13 - k) * 8 * kKiB));
  }
  EXPECT_NE(r.ToString().find("layer_11/MatMul"), std::string::npos);

  const std::optional<Json> json = JsonParser::Parse(r.ToJson());
  ASSERT_TRUE(json.has_value()) << r.ToJson();
  EXPECT_EQ((*json)["allocator"].str(), "gpu_bfc_0");
  EXPECT_EQ((*json)["verdict"].str(), "capacity");
  EXPECT_EQ((*json)["limit_bytes"].num(), 1.0 * kMiB);
  EXPECT_EQ((*json)["largest_live"].size(), 10u);
  EXPECT_EQ((*json)["largest_live"][1]["owner"].str(), "layer_11/MatMul");

  // Strings with quotes, backslashes and control characters round-trip.
  OomReport odd;
  odd.largest_live.push_back({256, 1, "odd \"name\"\n\\tab\t\x01"});
  const std::optional<Json> odd_json = JsonParser::Parse(odd.ToJson());
  ASSERT_TRUE(odd_json.has_value()) << odd.ToJson();
  EXPECT_EQ((*odd_json)["largest_live"][0]["owner"].str(), "odd \"name\"\n\\tab\t\x01");
  EXPECT_FALSE(JsonParser::Parse("{\"a\":\"raw\nnewline\"}").has_value());  // checker is strict
  for (void* p : blocks) bfc->DeallocateRaw(p);
}

TEST(OomReportTest, TheAllocatorStaysUsableAfterAnOom) {
  auto bfc = Prealloc(1 * kMiB);
  void* a = bfc->AllocateRaw(64, 600 * kKiB);
  ASSERT_NE(a, nullptr);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(bfc->AllocateRaw(64, 600 * kKiB), nullptr);
  AllocatorStats s = bfc->GetStats();
  EXPECT_EQ(s.bytes_in_use, static_cast<int64_t>(600 * kKiB));
  EXPECT_EQ(s.num_allocs, 1);
  bfc->DeallocateRaw(a);
  void* b = bfc->AllocateRaw(64, 1 * kMiB);  // the whole pool, after the failures
  ASSERT_NE(b, nullptr);
  bfc->DeallocateRaw(b);
  EXPECT_EQ(bfc->GetStats().bytes_in_use, 0);
  EXPECT_EQ(bfc->num_ooms(), 3);
}

TEST(OomReportTest, OomStatusNamesTheNodeAndDevice) {
  auto bfc = Prealloc(1 * kMiB);
  EXPECT_EQ(bfc->AllocateRaw(64, 2 * kMiB), nullptr);
  const absl::Status s =
      OomStatus("dense_1/MatMul", "/job:localhost/device:GPU:0", *bfc->LastOomReport());
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("'dense_1/MatMul'"), std::string::npos) << s;
  EXPECT_NE(s.message().find("'/job:localhost/device:GPU:0'"), std::string::npos);
  EXPECT_NE(s.message().find("capacity"), std::string::npos);
  EXPECT_NE(s.message().find("2097152 bytes"), std::string::npos);
}

TEST(OomReportTest, ClassifyFollowsTheDocumentedRules) {
  EXPECT_EQ(ClassifyOom(100, 1000, 950, false, false), OomVerdict::kCapacity);
  EXPECT_EQ(ClassifyOom(100, 1000, 950, false, true), OomVerdict::kCapacity);
  EXPECT_EQ(ClassifyOom(100, 1000, 900, false, false), OomVerdict::kFragmentation);
  EXPECT_EQ(ClassifyOom(100, 1000, 900, false, true), OomVerdict::kSystem);
  EXPECT_EQ(ClassifyOom(100, 0, 900, false, true), OomVerdict::kSystem);
  EXPECT_EQ(ClassifyOom(100, 1000, 0, true, false), OomVerdict::kNone);
}

TEST(AllocationOwnerTest, ScopesNestAndInterningIsStable) {
  EXPECT_EQ(CurrentAllocationOwner(), 0u);
  const AllocationOwner a("node_a");
  EXPECT_EQ(a, AllocationOwner(std::string("node_") + "a"));
  EXPECT_EQ(AllocationOwnerName(a.id()), "node_a");
  {
    ScopedAllocationOwner outer(a);
    EXPECT_EQ(CurrentAllocationOwner(), a.id());
    {
      ScopedAllocationOwner inner("node_b");
      EXPECT_EQ(AllocationOwnerName(CurrentAllocationOwner()), "node_b");
    }
    EXPECT_EQ(CurrentAllocationOwner(), a.id());
  }
  EXPECT_EQ(CurrentAllocationOwner(), 0u);
}

// Sessions with ever new node names must not grow the table without bound,
// and an id whose name was dropped never reads as another name.
TEST(AllocationOwnerTest, ReleasedNamesAreBoundedAndNeverMisattributed) {
  const size_t before = NumInternedAllocationOwners();
  const AllocationOwner kept("kept/MatMul");
  AllocationOwnerId first_released = 0;
  for (int i = 0; i < 3 * static_cast<int>(kRetainedOwnerNames); ++i) {
    AllocationOwner temporary(absl::StrCat("session_", i, "/dense/MatMul"));
    if (i == 0) first_released = temporary.id();
    EXPECT_LE(NumInternedAllocationOwners(), before + kRetainedOwnerNames + 2);
  }
  EXPECT_EQ(AllocationOwnerName(kept.id()), "kept/MatMul");  // still referenced
  // session_0's slot was recycled for a later name: the old id says so.
  EXPECT_EQ(AllocationOwnerName(first_released), "(released owner)");
  // A recently released name is still there, and re-interning revives its id.
  const std::string recent = absl::StrCat("session_", 3 * kRetainedOwnerNames - 1, "/dense/MatMul");
  const AllocationOwner again(recent);
  EXPECT_EQ(AllocationOwnerName(again.id()), recent);
}

// A chunk allocated under a scope keeps its owner's name in OOM reports
// after the scope (and its reference) ended, while the name is retained.
TEST(AllocationOwnerTest, ReportsNameOwnersOfBuffersThatOutliveTheirScope) {
  BfcOptions options;
  options.memory_limit = size_t{4} << 20;
  options.allow_growth = false;
  auto bfc = CreateBfcAllocator(CreateHostSubAllocator(), options);
  void* p = nullptr;
  {
    ScopedAllocationOwner owner("constants/w");
    p = bfc->AllocateRaw(64, size_t{3} << 20);
  }
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(bfc->AllocateRaw(64, size_t{3} << 20), nullptr);
  std::optional<OomReport> report = bfc->LastOomReport();
  ASSERT_TRUE(report.has_value());
  ASSERT_FALSE(report->largest_live.empty());
  EXPECT_EQ(report->largest_live[0].owner, "constants/w");
  bfc->DeallocateRaw(p);
}

}  // namespace
}  // namespace graphrt
