#include "core/executor/thread_pool.h"

#include <algorithm>

#include <tbb/blocked_range.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "core/memory/sync.h"

namespace graphrt {

int ResolveThreadCount(int requested) {
  if (requested > 0) return requested;
  return std::max(1, tbb::info::default_concurrency());
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
    // TSan hand-offs (core/memory/sync.h): the caller's writes before the
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
