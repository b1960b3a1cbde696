#include "tests/faults/fault_injection.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/memory/allocation_owner.h"

namespace graphrt {

void FaultCounter::Arm(int64_t k) {
  fail_at_.store(0, std::memory_order_relaxed);
  seen_.store(0, std::memory_order_relaxed);
  fired_.store(false, std::memory_order_relaxed);
  fail_at_.store(k, std::memory_order_relaxed);
}

bool FaultCounter::Next() {
  const int64_t n = seen_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n != fail_at_.load(std::memory_order_relaxed)) return false;
  fired_.store(true, std::memory_order_relaxed);
  return true;
}

// ------------------------------------------------------------- allocator

FaultInjectingAllocator::FaultInjectingAllocator(Allocator* base) : base_(base) {}

FaultInjectingAllocator::~FaultInjectingAllocator() = default;

std::string FaultInjectingAllocator::Name() const { return "faulty_" + base_->Name(); }

void* FaultInjectingAllocator::AllocateRaw(size_t alignment, size_t bytes) {
  if (faults_.Next()) {
    std::string owner = AllocationOwnerName(CurrentAllocationOwner());
    MutexLock lock(&mu_);
    last_failure_injected_ = true;
    last_fault_owner_ = std::move(owner);
    return nullptr;
  }
  void* ptr = base_->AllocateRaw(alignment, bytes);
  MutexLock lock(&mu_);
  if (ptr == nullptr) {
    last_failure_injected_ = false;
    return nullptr;
  }
  live_.emplace(ptr, bytes);
  const auto size = static_cast<int64_t>(bytes);
  ++own_.num_allocs;
  ++own_.num_live_allocs;
  own_.bytes_in_use += size;
  own_.peak_bytes_in_use = std::max(own_.peak_bytes_in_use, own_.bytes_in_use);
  own_.largest_alloc_size = std::max(own_.largest_alloc_size, size);
  return ptr;
}

void FaultInjectingAllocator::DeallocateRaw(void* ptr) {
  {
    MutexLock lock(&mu_);
    auto it = live_.find(ptr);
    if (it == live_.end()) {
      ++bad_frees_;  // not ours, or freed twice: never pass it on
      return;
    }
    --own_.num_live_allocs;
    own_.bytes_in_use -= static_cast<int64_t>(it->second);
    live_.erase(it);
  }
  base_->DeallocateRaw(ptr);
}

AllocatorStats FaultInjectingAllocator::GetStats() const {
  AllocatorStats stats = base_->GetStats();
  MutexLock lock(&mu_);
  stats.num_allocs = own_.num_allocs;
  stats.num_live_allocs = own_.num_live_allocs;
  stats.bytes_in_use = own_.bytes_in_use;
  stats.peak_bytes_in_use = own_.peak_bytes_in_use;
  stats.largest_alloc_size = own_.largest_alloc_size;
  return stats;
}

int64_t FaultInjectingAllocator::BytesInUse() const {
  MutexLock lock(&mu_);
  return own_.bytes_in_use;
}

std::optional<OomReport> FaultInjectingAllocator::LastOomReport() const {
  {
    MutexLock lock(&mu_);
    if (last_failure_injected_) return std::nullopt;
  }
  return base_->LastOomReport();
}

std::string FaultInjectingAllocator::last_fault_owner() const {
  MutexLock lock(&mu_);
  return last_fault_owner_;
}

int64_t FaultInjectingAllocator::bad_frees() const {
  MutexLock lock(&mu_);
  return bad_frees_;
}

// --------------------------------------------------------------- kernels

struct FaultInjectingKernels::State {
  FaultCounter faults;
  std::atomic<KernelFaultPoint> point{KernelFaultPoint::kBeforeCompute};
  Mutex mu;
  std::string last_node ABSL_GUARDED_BY(mu);

  absl::Status Inject(const std::string& node) {
    const int64_t run = faults.count();
    {
      MutexLock lock(&mu);
      last_node = node;
    }
    return absl::Status(kCode, absl::StrCat(kMessage, " (kernel run ", run, ")"));
  }
};

namespace {

// Runs `inner`, failing the armed run before or after it.
class FaultInjectingKernel final : public OpKernel {
 public:
  FaultInjectingKernel(const OpKernelConstruction& c, std::unique_ptr<OpKernel> inner,
                       FaultInjectingKernels::State* state)
      : OpKernel(c), inner_(std::move(inner)), state_(state) {}

  absl::Status Compute(OpKernelContext& ctx) override {
    if (!state_->faults.Next()) return inner_->Compute(ctx);
    if (state_->point.load(std::memory_order_relaxed) == KernelFaultPoint::kBeforeCompute) {
      return state_->Inject(name());
    }
    absl::Status s = inner_->Compute(ctx);
    if (!s.ok()) return s;
    return state_->Inject(name());
  }
  bool IsAlwaysCheap() const override { return inner_->IsAlwaysCheap(); }
  int64_t CostEstimateNs(std::span<const Tensor* const> inputs) const override {
    return inner_->CostEstimateNs(inputs);
  }

 private:
  const std::unique_ptr<OpKernel> inner_;
  FaultInjectingKernels::State* const state_;
};

}  // namespace

FaultInjectingKernels::FaultInjectingKernels(const KernelRegistry& base)
    : state_(std::make_unique<State>()), registry_(std::make_unique<KernelRegistry>()) {
  State* state = state_.get();
  for (const KernelDef* def : base.ListDefs()) {
    KernelDef wrapped{def->op, def->device_type, def->constraints, nullptr};
    if (def->factory) {
      wrapped.factory = [factory = def->factory, state](const OpKernelConstruction& c)
          -> absl::StatusOr<std::unique_ptr<OpKernel>> {
        absl::StatusOr<std::unique_ptr<OpKernel>> inner = factory(c);
        if (!inner.ok()) return inner.status();
        return std::unique_ptr<OpKernel>(
            std::make_unique<FaultInjectingKernel>(c, *std::move(inner), state));
      };
    }
    registry_->Register(std::move(wrapped));
  }
}

FaultInjectingKernels::~FaultInjectingKernels() = default;

FaultCounter& FaultInjectingKernels::faults() { return state_->faults; }

void FaultInjectingKernels::set_point(KernelFaultPoint point) {
  state_->point.store(point, std::memory_order_relaxed);
}

std::string FaultInjectingKernels::last_fault_node() const {
  MutexLock lock(&state_->mu);
  return state_->last_node;
}

}  // namespace graphrt
