// CUDA sub-allocators under a BfcAllocator. Every test needs a GPU and skips,
// with the CUDA error, when there is none; without a CUDA build they skip too.
#include "gtest/gtest.h"

#if defined(GRAPHRT_MEMORY_HAVE_CUDA)

#include <cstring>

#include "core/memory/bfc_allocator.h"
#include "core/memory/cuda_sub_allocators.h"

namespace graphrt {
namespace {

constexpr size_t kMiB = size_t{1} << 20;
constexpr size_t kGiB = size_t{1} << 30;

#define SKIP_WITHOUT_GPU()                                                       \
  do {                                                                           \
    absl::StatusOr<int> n = CudaMemoryDeviceCount();                                   \
    if (!n.ok()) GTEST_SKIP() << "no usable CUDA device: " << n.status();        \
    if (*n == 0) GTEST_SKIP() << "no CUDA device (cudaGetDeviceCount says 0)";   \
  } while (0)

TEST(CudaSubAllocatorTest, WithoutAGpuFactoriesReturnAStatusNotACrash) {
  absl::StatusOr<int> n = CudaMemoryDeviceCount();
  if (n.ok() && *n > 0) GTEST_SKIP() << "a GPU is present; this checks the no-GPU path";
  EXPECT_FALSE(CreateCudaMallocSubAllocator(0).ok());
  const auto vmm = CreateCudaVmmSubAllocator(0, 1 * kGiB);
  ASSERT_FALSE(vmm.ok());
  EXPECT_NE(vmm.status().message().find("cuda"), std::string::npos) << vmm.status();
  EXPECT_FALSE(QueryCudaMemory(0).ok());
}

TEST(CudaSubAllocatorTest, CudaMallocBackedBfcServesAndFrees) {
  SKIP_WITHOUT_GPU();
  auto sub = CreateCudaMallocSubAllocator(0);
  ASSERT_TRUE(sub.ok()) << sub.status();
  BfcOptions o;
  o.name = "gpu_bfc_0";
  o.memory_limit = 64 * kMiB;
  EXPECT_EQ((*sub)->memory_space(), MemorySpace::Device("GPU", 0));
  auto bfc = CreateBfcAllocator(*std::move(sub), o);
  EXPECT_EQ(bfc->memory_space().ToString(), "GPU:0 device memory");
  EXPECT_FALSE(bfc->memory_space().host_accessible());
  void* a = bfc->AllocateRaw(256, 10 * kMiB);
  void* b = bfc->AllocateRaw(256, 1000);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % 256, 0u);
  EXPECT_EQ(bfc->AllocateRaw(256, 64 * kMiB), nullptr);
  bfc->DeallocateRaw(a);
  bfc->DeallocateRaw(b);
  EXPECT_GT(bfc->Release(), 0u);
  EXPECT_EQ(bfc->GetStats().bytes_reserved, 0);
}

TEST(CudaSubAllocatorTest, VmmGrowsAndReleaseGivesMemoryBackToTheDriver) {
  SKIP_WITHOUT_GPU();
  auto sub = CreateCudaVmmSubAllocator(0, 8 * kGiB);
  ASSERT_TRUE(sub.ok()) << sub.status();
  BfcOptions o;
  o.initial_region_bytes = 2 * kMiB;
  EXPECT_EQ((*sub)->memory_space(), MemorySpace::Device("GPU", 0));
  auto bfc = CreateBfcAllocator(*std::move(sub), o);
  const auto before = QueryCudaMemory(0);
  ASSERT_TRUE(before.ok()) << before.status();
  std::vector<void*> blocks;
  for (int i = 0; i < 16; ++i) blocks.push_back(bfc->AllocateRaw(256, 32 * kMiB));
  for (void* p : blocks) ASSERT_NE(p, nullptr);
  const int64_t reserved = bfc->GetStats().bytes_reserved;
  EXPECT_GE(reserved, static_cast<int64_t>(512 * kMiB));
  const auto grown = QueryCudaMemory(0);
  EXPECT_LE(grown->free_bytes, before->free_bytes - static_cast<int64_t>(480 * kMiB));
  for (void* p : blocks) bfc->DeallocateRaw(p);
  EXPECT_EQ(bfc->Release(), static_cast<size_t>(reserved));
  const auto after = QueryCudaMemory(0);
  EXPECT_GE(after->free_bytes, before->free_bytes - static_cast<int64_t>(32 * kMiB));
}

TEST(CudaSubAllocatorTest, LogicalSplitTwoPoolsOfOneGiBEachRefusePastTheirLimit) {
  SKIP_WITHOUT_GPU();
  std::unique_ptr<BfcAllocator> pools[2];
  for (int i = 0; i < 2; ++i) {
    auto sub = CreateCudaMallocSubAllocator(0);
    ASSERT_TRUE(sub.ok()) << sub.status();
    BfcOptions o;
    o.name = i == 0 ? "gpu_bfc_0" : "gpu_bfc_1";
    o.memory_limit = 1 * kGiB;
    o.allow_growth = false;
    pools[i] = CreateBfcAllocator(*std::move(sub), o);
  }
  void* a = pools[0]->AllocateRaw(256, 1 * kGiB);
  void* b = pools[1]->AllocateRaw(256, 1 * kGiB);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(pools[0]->AllocateRaw(256, 1), nullptr);
  EXPECT_EQ(pools[1]->AllocateRaw(256, 1), nullptr);
  EXPECT_EQ(pools[0]->LastOomReport()->verdict, OomVerdict::kCapacity);
  pools[0]->DeallocateRaw(a);
  EXPECT_EQ(pools[1]->AllocateRaw(256, 1), nullptr);  // freeing in one does not help the other
  pools[1]->DeallocateRaw(b);
}

TEST(CudaSubAllocatorTest, PinnedHostMemoryIsWritableFromTheCpu) {
  SKIP_WITHOUT_GPU();
  auto sub = CreateCudaHostSubAllocator();
  ASSERT_TRUE(sub.ok()) << sub.status();
  EXPECT_EQ((*sub)->memory_space(), MemorySpace::PinnedHost());
  auto bfc = CreateBfcAllocator(*std::move(sub), BfcOptions{});
  EXPECT_TRUE(bfc->memory_space().host_accessible());
  auto* p = static_cast<unsigned char*>(bfc->AllocateRaw(64, 3 * kMiB));
  ASSERT_NE(p, nullptr);
  std::memset(p, 0x7f, 3 * kMiB);
  EXPECT_EQ(p[3 * kMiB - 1], 0x7f);
  bfc->DeallocateRaw(p);
}

}  // namespace
}  // namespace graphrt

#else  // !GRAPHRT_MEMORY_HAVE_CUDA

TEST(CudaSubAllocatorTest, SkippedWithoutCuda) {
  GTEST_SKIP() << "graphrt built without CUDA (GRAPHRT_CUDA=OFF or no nvcc)";
}

#endif
