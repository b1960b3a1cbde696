// Thread pools: the inter-op pool (independent ops of a step run in
// parallel) and the intra-op pool (one kernel's work split into pieces), each
// a oneTBB task_arena of its own.
//
// Sizes: 0 means the number of cores (oneTBB's default concurrency, which
// honours the process affinity mask). A pool of size N never has more than N
// threads busy in it: the thread that enters it (a Run caller, a kernel
// calling ParallelFor) takes one of the N slots, so a pool of 1 runs on the
// caller alone and starts no worker. Idle oneTBB workers sleep on a futex
// after a short spin; they do not poll.
//
// Thread-safety: all methods are thread-safe.
#ifndef GRAPHRT_CORE_EXECUTOR_THREAD_POOL_H_
#define GRAPHRT_CORE_EXECUTOR_THREAD_POOL_H_

#include <cstdint>
#include <memory>

#include "absl/functional/function_ref.h"

namespace graphrt {

// Resolves a requested pool size: > 0 as given, 0 the number of cores.
int ResolveThreadCount(int requested);

// Lets oneTBB run at least `threads` threads at once, process-wide (see Note
// [oneTBB's worker limit] in thread_pool.cc). Only ever raises the limit;
// devices call it with inter_op + intra_op threads. Thread-safe.
void EnsureTbbParallelism(int threads);

class IntraOpPool {
 public:
  virtual ~IntraOpPool() = default;
  virtual int num_threads() const = 0;
  // Runs fn over [0, total) in contiguous pieces, each worth at least the
  // split threshold; the caller runs pieces too and returns when all are done.
  virtual void ParallelFor(int64_t total, int64_t cost_per_unit_ns,
                           absl::FunctionRef<void(int64_t, int64_t)> fn) = 0;
};

// Work below this many ns is never split.
inline constexpr int64_t kMinParallelWorkNs = 20'000;

std::unique_ptr<IntraOpPool> CreateIntraOpPool(int num_threads);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_THREAD_POOL_H_
