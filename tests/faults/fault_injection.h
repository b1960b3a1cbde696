// Fault injection for tests: an allocator that fails the k-th allocation and
// a kernel registry whose kernels fail the k-th kernel run.
//
//   FaultInjectingAllocator memory(HostAllocator());
//   FaultInjectingKernels kernels;              // wraps KernelRegistry::Global()
//   SessionOptions o;
//   o.cpu_allocator = &memory;                  // or RuntimeOptions::cpu_allocator
//   o.kernels = kernels.registry();
//   memory.faults().Arm(3);                     // the 3rd allocation from now fails
//   auto out = session->Run(...);               // RESOURCE_EXHAUSTED naming the node
//
// Both hooks live in this test-support code only: release builds of the
// runtime contain none of it, and the executor's hot path is untouched (the
// kernels are wrapped where a registry makes them, the memory where an
// Allocator is plugged in). Disarmed, each costs one relaxed atomic increment
// per allocation or kernel run. See docs/failures.md.
//
// Thread-safety: every method is thread-safe. Arm/Disarm between steps: a
// step running while the target changes may fail at either count.
// Ownership: the wrapped allocator and registry must outlive the wrappers;
// the wrappers must outlive every session, kernel and buffer made through
// them.
#ifndef GRAPHRT_TESTS_FAULTS_FAULT_INJECTION_H_
#define GRAPHRT_TESTS_FAULTS_FAULT_INJECTION_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "core/base/sync.h"
#include "core/executor/kernel_registry.h"
#include "core/memory/allocator.h"

namespace graphrt {

// Counts events (allocations, kernel runs) and says which one must fail.
class FaultCounter {
 public:
  // Restarts the count; the `k`-th event from now (1-based) fails, and only
  // that one. k = 0: count without failing.
  void Arm(int64_t k);
  // Stops failing; the count goes on.
  void Disarm() { fail_at_.store(0, std::memory_order_relaxed); }
  // Events since the last Arm.
  int64_t count() const { return seen_.load(std::memory_order_relaxed); }
  // Whether the armed event came and was failed.
  bool fired() const { return fired_.load(std::memory_order_relaxed); }
  // Counts one event; true when it is the one to fail.
  bool Next();

 private:
  std::atomic<int64_t> seen_{0};
  std::atomic<int64_t> fail_at_{0};
  std::atomic<bool> fired_{false};
};

// An Allocator over `base` that returns nullptr for the armed allocation (an
// out-of-memory the executor reports as RESOURCE_EXHAUSTED naming the node),
// and keeps its own exact account of what went through it: GetStats() is the
// base's, with num_allocs, bytes_in_use, peak_bytes_in_use,
// largest_alloc_size and num_live_allocs counted here (a shared base such as
// HostAllocator() serves others too). A pointer freed here that this
// allocator did not hand out (or freed twice) is counted in bad_frees() and
// not passed on.
class FaultInjectingAllocator final : public Allocator {
 public:
  explicit FaultInjectingAllocator(Allocator* base);
  ~FaultInjectingAllocator() override;

  FaultCounter& faults() { return faults_; }
  // The allocation owner (core/memory/allocation_owner.h: the node whose
  // kernel was running) of the last injected failure; "" when none.
  std::string last_fault_owner() const;
  int64_t bad_frees() const;

  std::string Name() const override;  // "faulty_<base name>"
  void* AllocateRaw(size_t alignment, size_t bytes) override;
  void DeallocateRaw(void* ptr) override;
  AllocatorStats GetStats() const override;
  int64_t BytesInUse() const override;
  MemorySpace memory_space() const override { return base_->memory_space(); }
  // The base's report after a real failure; none after an injected one (the
  // executor then reports Tensor::Allocate's message, naming this allocator).
  std::optional<OomReport> LastOomReport() const override;
  size_t Release() override { return base_->Release(); }

 private:
  Allocator* const base_;
  FaultCounter faults_;
  mutable Mutex mu_;
  absl::flat_hash_map<void*, size_t> live_ ABSL_GUARDED_BY(mu_);
  AllocatorStats own_ ABSL_GUARDED_BY(mu_);
  int64_t bad_frees_ ABSL_GUARDED_BY(mu_) = 0;
  bool last_failure_injected_ ABSL_GUARDED_BY(mu_) = false;
  std::string last_fault_owner_ ABSL_GUARDED_BY(mu_);
};

// Where an injected kernel fault strikes.
enum class KernelFaultPoint {
  kBeforeCompute,  // the kernel does not run; its outputs stay unset
  kAfterCompute,   // the kernel runs (outputs made, variables updated), then fails
};

// A KernelRegistry holding every kernel of `base` (its own defs, taken when
// this is made), each made kernel wrapped so that the armed kernel run
// returns an injected error. Wrapped kernels keep their names, cost
// estimates and cheapness, so plans are the same as with the base.
class FaultInjectingKernels {
 public:
  // The code of injected errors: UNAVAILABLE, which nothing in the runtime
  // returns itself, as a transient device failure would.
  static constexpr absl::StatusCode kCode = absl::StatusCode::kUnavailable;
  static constexpr char kMessage[] = "injected fault";

  explicit FaultInjectingKernels(const KernelRegistry& base = KernelRegistry::Global());
  ~FaultInjectingKernels();

  // For SessionOptions::kernels.
  const KernelRegistry* registry() const { return registry_.get(); }
  FaultCounter& faults();
  void set_point(KernelFaultPoint point);
  // The node of the last injected fault; "" when none.
  std::string last_fault_node() const;

  struct State;  // shared with the wrapped kernels

 private:
  std::unique_ptr<State> state_;
  std::unique_ptr<KernelRegistry> registry_;
};

}  // namespace graphrt

#endif  // GRAPHRT_TESTS_FAULTS_FAULT_INJECTION_H_
