// The fault sweep: fails every allocation and every kernel run of one step,
// one at a time, and checks that the runtime recovers from each.
//
// For a step of `target`, SweepFaults first runs it unfaulted (counting its
// allocations and kernel runs, and keeping its results and the variables it
// leaves as the reference), then for every fault point k (the k-th
// allocation; the k-th kernel run, struck before its Compute and again after
// it) restores the variables to their values before the step and checks:
//   - the faulted step fails with the injected status (RESOURCE_EXHAUSTED
//     for an allocation, FaultInjectingKernels::kCode for a kernel) naming
//     the node that was running ("node 'x' (Op) on <device>");
//   - the allocator's bytes in use are back at their level before the step
//     (nothing the failed step made is kept);
//   - every variable holds, bit for bit, either its value before the step or
//     its value after the unfaulted step (an update is applied whole or not
//     at all; docs/failures.md);
//   - after restoring the variables, an unfaulted step gives results and
//     variables bit-identical to the reference.
// Mismatches are reported as GoogleTest failures (ADD_FAILURE), so this is
// test code; run it with one inter-op and one intra-op thread per device so
// that steps are bit-reproducible (or say the target is not deterministic).
//
// Thread-safety: one sweep at a time per target.
#ifndef GRAPHRT_TESTS_FAULTS_FAULT_SWEEP_H_
#define GRAPHRT_TESTS_FAULTS_FAULT_SWEEP_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/executor/session.h"
#include "tests/faults/fault_injection.h"

namespace graphrt {

struct SweepTarget {
  std::string name;  // for messages
  Session* session = nullptr;
  // Under the session's CPU devices (SessionOptions/RuntimeOptions::cpu_allocator).
  FaultInjectingAllocator* memory = nullptr;
  // The session's kernels (SessionOptions::kernels = kernels->registry()).
  FaultInjectingKernels* kernels = nullptr;
  // One step: its results, as host tensors.
  std::function<absl::StatusOr<std::vector<Tensor>>()> step;
  // The variables the step may update (names in session->resources()).
  std::vector<std::string> variables;
  // false (several threads): which event is the k-th, and the bits of the
  // results, may vary from step to step. Then only the status, the memory and
  // that the next step succeeds are checked, and a fault point a step does
  // not reach is counted in SweepReport::missed instead of failing.
  bool deterministic = true;
};

struct SweepReport {
  int64_t allocations = 0;  // allocation fault points in one step
  int64_t kernel_runs = 0;  // kernel fault points in one step (each struck twice)
  int64_t faulted_steps = 0;  // steps failed on purpose and recovered from
  int64_t missed = 0;         // fault points a step did not reach (not deterministic only)
  bool compared = true;       // results and variables compared (deterministic targets)
  // Faulted steps that left at least one variable update applied, and the
  // variable updates they left in all.
  int64_t steps_leaving_updates = 0;
  int64_t updates_left = 0;

  std::string DebugString() const;
};

SweepReport SweepFaults(const SweepTarget& target);

}  // namespace graphrt

#endif  // GRAPHRT_TESTS_FAULTS_FAULT_SWEEP_H_
