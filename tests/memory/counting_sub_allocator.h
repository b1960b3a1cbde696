// Test helpers for tests/memory: a host SubAllocator that counts the regions
// it hands out and can play a system with little memory.
// Thread-safety: counters are guarded by a mutex; safe from any thread.
#ifndef GRAPHRT_TESTS_MEMORY_COUNTING_SUB_ALLOCATOR_H_
#define GRAPHRT_TESTS_MEMORY_COUNTING_SUB_ALLOCATOR_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "core/base/sync.h"
#include "core/memory/sub_allocator.h"

namespace graphrt::memtest {

// What the counting sub-allocator saw; shared so tests can read it after the
// allocator (which owns the sub-allocator) is gone.
struct SubAllocatorLog {
  Mutex mu;
  int64_t allocs ABSL_GUARDED_BY(mu) = 0;
  int64_t frees ABSL_GUARDED_BY(mu) = 0;
  size_t live_bytes ABSL_GUARDED_BY(mu) = 0;
  std::vector<size_t> region_sizes ABSL_GUARDED_BY(mu);  // every Alloc, in order

  size_t LiveBytes() {
    MutexLock lock(&mu);
    return live_bytes;
  }
  std::vector<size_t> RegionSizes() {
    MutexLock lock(&mu);
    return region_sizes;
  }
  int64_t Allocs() {
    MutexLock lock(&mu);
    return allocs;
  }
  int64_t LiveRegions() {
    MutexLock lock(&mu);
    return allocs - frees;
  }
};

class CountingSubAllocator final : public SubAllocator {
 public:
  // `system_bytes`: refuse regions beyond this many live bytes (0: never).
  CountingSubAllocator(std::shared_ptr<SubAllocatorLog> log, size_t system_bytes = 0,
                       size_t granularity = 4096)
      : log_(std::move(log)), system_bytes_(system_bytes),
        host_(CreateHostSubAllocator(granularity)) {}

  absl::StatusOr<SubAllocation> Alloc(size_t bytes) override {
    MutexLock lock(&log_->mu);
    if (system_bytes_ != 0 && log_->live_bytes + bytes > system_bytes_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("counting: system has only ", system_bytes_ - log_->live_bytes,
                       " bytes left"));
    }
    absl::StatusOr<SubAllocation> got = host_->Alloc(bytes);
    if (got.ok()) {
      ++log_->allocs;
      log_->live_bytes += got->bytes;
      log_->region_sizes.push_back(got->bytes);
    }
    return got;
  }
  absl::Status Free(void* ptr, size_t bytes) override {
    MutexLock lock(&log_->mu);
    ++log_->frees;
    log_->live_bytes -= bytes;
    return host_->Free(ptr, bytes);
  }
  std::string Name() const override { return "counting_host"; }
  size_t Granularity() const override { return host_->Granularity(); }
  MemorySpace memory_space() const override { return host_->memory_space(); }

 private:
  std::shared_ptr<SubAllocatorLog> log_;
  const size_t system_bytes_;
  std::unique_ptr<SubAllocator> host_;
};

}  // namespace graphrt::memtest

#endif  // GRAPHRT_TESTS_MEMORY_COUNTING_SUB_ALLOCATOR_H_
