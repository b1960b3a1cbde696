// The host SubAllocator: aligned operator new regions. Thread-safe (stateless).
#include "core/memory/sub_allocator.h"

#include <new>

#include "absl/strings/str_cat.h"

namespace graphrt {
namespace {

class HostSubAllocator final : public SubAllocator {
 public:
  explicit HostSubAllocator(size_t alignment) : alignment_(alignment) {}

  absl::StatusOr<SubAllocation> Alloc(size_t bytes) override {
    if (bytes == 0) return absl::InvalidArgumentError("host: zero-byte region");
    const size_t rounded = (bytes + alignment_ - 1) & ~(alignment_ - 1);
    if (rounded < bytes) return absl::ResourceExhaustedError("host: size overflow");
    void* ptr = ::operator new(rounded, std::align_val_t(alignment_), std::nothrow);
    if (ptr == nullptr) {
      return absl::ResourceExhaustedError(
          absl::StrCat("host: operator new of ", rounded, " bytes failed"));
    }
    return SubAllocation{ptr, rounded};
  }

  absl::Status Free(void* ptr, size_t bytes) override {
    ::operator delete(ptr, std::align_val_t(alignment_));
    return absl::OkStatus();
  }

  std::string Name() const override { return "host"; }
  size_t Granularity() const override { return alignment_; }
  MemorySpace memory_space() const override { return MemorySpace::Host(); }

 private:
  const size_t alignment_;
};

}  // namespace

std::unique_ptr<SubAllocator> CreateHostSubAllocator(size_t alignment) {
  if (alignment < 256 || (alignment & (alignment - 1)) != 0) alignment = 4096;
  return std::make_unique<HostSubAllocator>(alignment);
}

}  // namespace graphrt
