// BfcAllocator benchmarks. Scenarios:
//   BM_Mutex_LockUnlock          graphrt::Mutex (the BFC's lock): the floor under
//                                every call, 1 and 2 threads
//   BM_AbslMutex_LockUnlock/deadlock_detection:0|1
//                                absl::Mutex for comparison; Debian's absl is built
//                                without NDEBUG, so detection (a GraphCycles
//                                lookup in every Lock) is on unless turned off
//   BM_Bfc_AllocFree/bytes:N/resident:1|0/cache:1|0
//                                alloc+free pair of one size, 1 and 2 threads,
//                                in a pool with resident blocks / a pristine pool,
//                                with the chunk cache (default options) / without
//                                (chunk_cache_bytes = 0: every pair goes through
//                                the bins)
//   BM_Bfc_AllocFreeOwner/<bytes> the same with a ScopedAllocationOwner open
//   BM_Malloc_AllocFree/<bytes>  glibc malloc+free, for comparison
//   BM_AllocationOwner_Scope     opening a scope by name (interning) / by pointer
//   BM_Bfc_Trace/<trace>/cache:1|0
//                                replay of a synthetic MLP training trace, per op;
//                                counters: peak live, peak reserved and their ratio
//                                with unlimited growth, and the smallest
//                                preallocated limit that runs it (packing)
//   BM_Malloc_Trace/<trace>      the same replay on malloc
//   BM_Gpu_*                     cudaMalloc/cudaFree, cudaMallocAsync/cudaFreeAsync,
//                                BFC over cudaMalloc (CUDA builds; skip with no GPU)
#include <cstdlib>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "bench/memory/alloc_trace.h"
#include "benchmark/benchmark.h"
#include "core/memory/allocation_owner.h"
#include "core/memory/bfc_allocator.h"
#include "core/base/sync.h"

#if defined(GRAPHRT_MEMORY_HAVE_CUDA)
#include <cuda_runtime_api.h>

#include "core/memory/cuda_sub_allocators.h"
#endif

namespace graphrt {
namespace {

BfcOptions CacheOptions(bool cache) {
  BfcOptions o;
  if (!cache) o.chunk_cache_bytes = 0;
  return o;
}

// The pool BM_Bfc_AllocFree uses. resident: a pool holding a few resident
// blocks, as a real one holds weights (steady state); else a pristine pool,
// where the free remainder is 2 MiB - size and changes size bin on every
// alloc and free (the worst case for the bins). cache: the chunk cache on
// (the default options) or off.
BfcAllocator* SharedBfc(bool resident, bool cache) {
  static BfcAllocator* pools[2][2] = {};  // [resident][cache]
  static Mutex mu;
  MutexLock lock(&mu);
  BfcAllocator*& bfc = pools[resident][cache];
  if (bfc == nullptr) {
    bfc = CreateBfcAllocator(CreateHostSubAllocator(), CacheOptions(cache)).release();
    if (resident) {
      for (size_t bytes : {1000, 5000, 300, 70000}) bfc->AllocateRaw(kTensorAlignment, bytes);
    }
  }
  return bfc;
}

void BM_Mutex_LockUnlock(benchmark::State& state) {
  static Mutex mu;
  for (auto _ : state) {
    MutexLock lock(&mu);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_Mutex_LockUnlock)->Threads(1)->Threads(2);

void BM_AbslMutex_LockUnlock(benchmark::State& state) {
  static absl::Mutex mu;
  absl::SetMutexDeadlockDetectionMode(state.range(0) != 0 ? absl::OnDeadlockCycle::kAbort
                                                          : absl::OnDeadlockCycle::kIgnore);
  for (auto _ : state) {
    absl::MutexLock lock(&mu);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_AbslMutex_LockUnlock)->ArgName("deadlock_detection")->Arg(0)->Arg(1)->Threads(1);

template <bool kOwner>
void BfcAllocFree(benchmark::State& state) {
  BfcAllocator* bfc = SharedBfc(state.range(1) != 0, state.range(2) != 0);
  const size_t bytes = static_cast<size_t>(state.range(0));
  std::unique_ptr<ScopedAllocationOwner> owner;
  if (kOwner) owner = std::make_unique<ScopedAllocationOwner>("dense_1/MatMul");
  for (auto _ : state) {
    void* p = bfc->AllocateRaw(kTensorAlignment, bytes);
    benchmark::DoNotOptimize(p);
    bfc->DeallocateRaw(p);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_Bfc_AllocFree(benchmark::State& state) { BfcAllocFree<false>(state); }
void BM_Bfc_AllocFreeOwner(benchmark::State& state) { BfcAllocFree<true>(state); }
BENCHMARK(BM_Bfc_AllocFree)
    ->ArgNames({"bytes", "resident", "cache"})
    ->ArgsProduct({{256, 4096, 65536, 1 << 20}, {1, 0}, {1, 0}})
    ->Threads(1)
    ->Threads(2);
BENCHMARK(BM_Bfc_AllocFreeOwner)
    ->ArgNames({"bytes", "resident", "cache"})
    ->Args({4096, 1, 1})
    ->Args({4096, 1, 0});

void BM_Malloc_AllocFree(benchmark::State& state) {
  const size_t bytes = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    void* p = std::malloc(bytes);
    benchmark::DoNotOptimize(p);
    std::free(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Malloc_AllocFree)->Arg(256)->Arg(4096)->Arg(65536)->Arg(1 << 20)->Threads(1)->Threads(2);

void BM_AllocationOwner_Scope(benchmark::State& state) {
  const std::string name = "model/dense_1/MatMul";
  const AllocationOwner interned(name);
  for (auto _ : state) {
    if (state.range(0) == 0) {
      ScopedAllocationOwner owner(name);
      benchmark::DoNotOptimize(CurrentAllocationOwner());
    } else {
      ScopedAllocationOwner owner(interned);
      benchmark::DoNotOptimize(CurrentAllocationOwner());
    }
  }
}
BENCHMARK(BM_AllocationOwner_Scope)->ArgName("preinterned")->Arg(0)->Arg(1);

const bench::Trace& TraceFor(int which) {
  static const auto* traces = new std::vector<bench::Trace>{
      bench::ParseTrace(bench::MlpTrainingTrace({784, 2048, 2048, 2048, 10}, {32}, 8)),
      bench::ParseTrace(bench::MlpTrainingTrace({784, 2048, 2048, 2048, 10}, {200, 201}, 8)),
  };
  return (*traces)[which];
}

// Smallest preallocated limit (to 64 KiB) that replays `t` without a failure.
int64_t SmallestLimit(const bench::Trace& t, bool cache) {
  int64_t lo = t.peak_live, hi = 2 * t.peak_live;
  std::vector<void*> blocks;
  while (hi - lo > (64 << 10)) {
    const int64_t mid = (lo + hi) / 2;
    BfcOptions o = CacheOptions(cache);
    o.memory_limit = static_cast<size_t>(mid);
    o.allow_growth = false;
    auto bfc = CreateBfcAllocator(CreateHostSubAllocator(), o);
    (bench::Replay(t, bfc.get(), blocks) == 0 ? hi : lo) = mid;
  }
  return hi;
}

void BM_Bfc_Trace(benchmark::State& state) {
  const bench::Trace& t = TraceFor(static_cast<int>(state.range(0)));
  const bool cache = state.range(1) != 0;
  std::vector<void*> blocks;
  int64_t peak_reserved = 0, failed = 0;
  for (auto _ : state) {
    auto bfc = CreateBfcAllocator(CreateHostSubAllocator(), CacheOptions(cache));
    failed += bench::Replay(t, bfc.get(), blocks);
    peak_reserved = bfc->GetStats().peak_bytes_reserved;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(t.ops.size()));
  const double mib = 1 << 20;
  state.counters["peak_live_MiB"] = t.peak_live / mib;
  state.counters["peak_reserved_MiB"] = peak_reserved / mib;
  state.counters["growth_ratio"] = static_cast<double>(peak_reserved) / t.peak_live;
  state.counters["packing_ratio"] = static_cast<double>(SmallestLimit(t, cache)) / t.peak_live;
  state.counters["failed"] = static_cast<double>(failed);
}
BENCHMARK(BM_Bfc_Trace)
    ->ArgNames({"alternating_batch", "cache"})
    ->ArgsProduct({{0, 1}, {1, 0}});

void BM_Malloc_Trace(benchmark::State& state) {
  const bench::Trace& t = TraceFor(static_cast<int>(state.range(0)));
  std::vector<void*> blocks(t.max_id + 1);
  for (auto _ : state) {
    for (const bench::TraceOp& op : t.ops) {
      if (op.alloc) {
        blocks[op.id] = std::malloc(op.bytes);
      } else {
        std::free(blocks[op.id]);
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(t.ops.size()));
}
BENCHMARK(BM_Malloc_Trace)->ArgName("alternating_batch")->Arg(0)->Arg(1);

#if defined(GRAPHRT_MEMORY_HAVE_CUDA)
bool NoGpu(benchmark::State& state) {
  const absl::StatusOr<int> n = CudaMemoryDeviceCount();
  if (n.ok() && *n > 0) return false;
  state.SkipWithError(n.ok() ? "no CUDA device" : std::string(n.status().message()).c_str());
  return true;
}

void BM_Gpu_CudaMallocFree(benchmark::State& state) {
  if (NoGpu(state)) return;
  for (auto _ : state) {
    void* p = nullptr;
    if (cudaMalloc(&p, state.range(0)) != cudaSuccess) return state.SkipWithError("cudaMalloc");
    cudaFree(p);
  }
}
BENCHMARK(BM_Gpu_CudaMallocFree)->Arg(4096)->Arg(1 << 20)->Arg(64 << 20);

void BM_Gpu_CudaMallocAsyncFree(benchmark::State& state) {
  if (NoGpu(state)) return;
  for (auto _ : state) {
    void* p = nullptr;
    if (cudaMallocAsync(&p, state.range(0), nullptr) != cudaSuccess) {
      return state.SkipWithError("cudaMallocAsync");
    }
    cudaFreeAsync(p, nullptr);
  }
  cudaStreamSynchronize(nullptr);
}
BENCHMARK(BM_Gpu_CudaMallocAsyncFree)->Arg(4096)->Arg(1 << 20)->Arg(64 << 20);

void BM_Gpu_BfcAllocFree(benchmark::State& state) {
  if (NoGpu(state)) return;
  auto sub = CreateCudaMallocSubAllocator(0);
  if (!sub.ok()) return state.SkipWithError(std::string(sub.status().message()).c_str());
  auto bfc = CreateBfcAllocator(*std::move(sub), BfcOptions{});
  for (auto _ : state) {
    void* p = bfc->AllocateRaw(256, state.range(0));
    benchmark::DoNotOptimize(p);
    bfc->DeallocateRaw(p);
  }
}
BENCHMARK(BM_Gpu_BfcAllocFree)->Arg(4096)->Arg(1 << 20)->Arg(64 << 20);
#endif

}  // namespace
}  // namespace graphrt

BENCHMARK_MAIN();
