// SessionOptions: everything a Session can be told, each default documented
// at its field; ResolveSessionOptions applies the environment.
//
// Environment (read once per Session::Create, taking precedence over the
// fields when set to a valid value; an invalid value is reported on stderr
// and ignored):
//   GRAPHRT_NUM_INTEROP_THREADS   inter_op_threads (0 = number of cores)
//   GRAPHRT_NUM_INTRAOP_THREADS   intra_op_threads (0 = number of cores)
//   GRAPHRT_LOG_DEVICE_PLACEMENT  "1"/"true" turns log_device_placement on
#ifndef GRAPHRT_CORE_EXECUTOR_SESSION_OPTIONS_H_
#define GRAPHRT_CORE_EXECUTOR_SESSION_OPTIONS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "core/memory/allocator.h"

namespace graphrt {

class KernelRegistry;
class Runtime;

struct SessionOptions {
  // Threads running independent ops of a step (TF:
  // set_inter_op_parallelism_threads). 0: the number of cores. The thread
  // calling Run counts as one of them. 1 gives a reproducible serial run.
  int inter_op_threads = 0;
  // Threads one kernel may split its work over (TF:
  // set_intra_op_parallelism_threads). 0: the number of cores.
  int intra_op_threads = 0;
  // A ready kernel whose estimated cost is below this runs inline on the
  // thread that made it ready, instead of being dispatched to the inter-op
  // pool (TF inlines kernels under ~8,000 cycles). See bench/RESULTS.md.
  int64_t inline_cost_ns = 2'000;
  // Print "name (Op): device" for every node once, when the session is made.
  bool log_device_placement = false;
  // Fall back to a device that can run the node when the requested one does
  // not exist or has no kernel (TF: allow_soft_placement).
  bool allow_soft_placement = true;
  // Plans kept for reuse, one per (feeds, fetches, targets) signature that
  // Run has seen; the least recently used is dropped first (it is rebuilt
  // if asked for again). 0: no limit. A training loop uses a handful of
  // signatures; a server answering arbitrary fetch lists needs the bound.
  int max_cached_plans = 64;
  // Every step's deadline in ms from the start of Run or RunCallable,
  // unless its RunOptions::timeout_ms says otherwise: a step still running
  // then stops dispatching nodes, waits for its running kernels and returns
  // DEADLINE_EXCEEDED naming them (docs/cancellation.md). 0: no deadline.
  // Negative: Session::Create refuses it.
  int64_t timeout_ms = 0;
  // Kernels to use; null: KernelRegistry::Global().
  const KernelRegistry* kernels = nullptr;
  // CPU tensor memory; null: HostPoolAllocator() (core/memory/bfc_allocator.h).
  Allocator* cpu_allocator = nullptr;
  // The devices to place on and run with (core/executor/runtime.h); sessions
  // may share one. null: a runtime of its own, with one CPU device whose
  // pools have the sizes above. With a shared runtime the pool sizes are the
  // runtime's devices' own.
  std::shared_ptr<Runtime> runtime;
};

// The options with the environment applied and defaults filled in (thread
// counts resolved to real numbers, registry and allocator set).
SessionOptions ResolveSessionOptions(const SessionOptions& options);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_SESSION_OPTIONS_H_
