#include "core/executor/thread_pool.h"

#include <algorithm>

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "core/base/sync.h"

namespace graphrt {

int ResolveThreadCount(int requested) {
  if (requested > 0) return requested;
  return std::max(1, tbb::info::default_concurrency());
}

// Note [oneTBB's worker limit]
// Rationale: oneTBB keeps one process-wide set of workers, by default one
// fewer than the cores, and shares them among arenas by demand. A device's
// inter-op arena (N slots, none reserved for the Run caller) and its intra-op
// arena (M slots, one reserved) ask for N + M - 1 workers; on 2 cores with
// N = M = 2 they get 1 between them, a MatMul's ParallelFor finds no worker
// while the inter-op arena holds it, and a training step ran 2x slower than
// on one thread (bench/RESULTS.md).
// Approach: a global_control raising max_allowed_parallelism to what the
// devices ask for, and at least to 4x the cores, so that it is set once,
// before the first arena runs, and almost never changed later (oneTBB
// resizes its worker bookkeeping when the limit moves under running arenas).
// Workers start only when arenas ask for them and sleep when idle, so a high
// limit costs nothing by itself.
// Limitations: when both arenas are busy at once the cores are
// oversubscribed, as with TF's two pools; the limit stays raised for the
// life of the process.
void EnsureTbbParallelism(int threads) {
  static Mutex mu;
  static tbb::global_control* control = nullptr;
  MutexLock lock(&mu);
  const size_t want =
      static_cast<size_t>(std::max(threads, 4 * std::max(1, tbb::info::default_concurrency())));
  if (want <= tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism)) {
    return;
  }
  // The new control takes effect as the old (lower) one goes.
  auto* raised = new tbb::global_control(tbb::global_control::max_allowed_parallelism, want);
  delete control;
  control = raised;
}

namespace {

class TbbIntraOpPool final : public IntraOpPool {
 public:
  explicit TbbIntraOpPool(int n) : n_(n), arena_(n, /*reserved_for_masters=*/1) {}

  int num_threads() const override { return n_; }

  void ParallelFor(int64_t total, int64_t cost_per_unit_ns,
                   absl::FunctionRef<void(int64_t, int64_t)> fn) override {
    if (total <= 0) return;
    const int64_t cost = std::max<int64_t>(cost_per_unit_ns, 1);
    const int64_t work = total > INT64_MAX / cost ? INT64_MAX : total * cost;
    if (n_ <= 1 || work < 2 * kMinParallelWorkNs) {
      fn(0, total);
      return;
    }
    // Pieces of at least kMinParallelWorkNs, and about 4 per thread so that a
    // slow thread does not hold up the step.
    const int64_t max_pieces = std::min<int64_t>(4 * n_, work / kMinParallelWorkNs);
    const int64_t grain = std::max<int64_t>(1, (total + max_pieces - 1) / max_pieces);
    // TSan hand-offs (core/base/sync.h): the caller's writes before the
    // call reach every piece; every piece's writes reach the caller after.
    int started = 0, finished = 0;
    TsanRelease(&started);
    arena_.execute([&] {
      tbb::parallel_for(
          tbb::blocked_range<int64_t>(0, total, grain),
          [&](const tbb::blocked_range<int64_t>& r) {
            TsanAcquire(&started);
            fn(r.begin(), r.end());
            TsanRelease(&finished);
          },
          tbb::simple_partitioner());
    });
    TsanAcquire(&finished);
  }

 private:
  int n_;
  tbb::task_arena arena_;
};

}  // namespace

std::unique_ptr<IntraOpPool> CreateIntraOpPool(int num_threads) {
  return std::make_unique<TbbIntraOpPool>(ResolveThreadCount(num_threads));
}

}  // namespace graphrt
