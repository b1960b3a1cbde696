// The soak program's memory samples: a thread that reads the process's
// resident set (/proc/self/statm), the process-wide host pool's reserved
// bytes (HostPoolAllocator, core/memory/bfc_allocator.h) and the largest
// reserved bytes the workers saw in a limited CPU device's pool since the
// last sample (Counters::limited_pool_reserved), every `period`; and the
// summary of a time window of those samples.
//
// Thread-safety: Start and Stop from one thread; samples() after Stop.
#ifndef GRAPHRT_BENCH_SOAK_MEMORY_MONITOR_H_
#define GRAPHRT_BENCH_SOAK_MEMORY_MONITOR_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "bench/soak/workloads.h"

namespace graphrt::soak {

// The resident set of this process in bytes; 0 where /proc is not readable.
int64_t ResidentBytes();

struct MemorySample {
  double seconds = 0;  // since Start
  int64_t rss = 0;
  int64_t host_pool_reserved = 0;
  int64_t limited_pool_reserved = 0;  // the largest since the previous sample
};

struct WindowSummary {
  double begin = 0, end = 0;  // seconds since Start
  int samples = 0;
  int64_t rss_min = 0, rss_median = 0, rss_max = 0;
  int64_t host_pool_max = 0, limited_pool_max = 0;
};
// The samples with begin <= seconds < end (end inclusive when it is the last).
WindowSummary Summarize(const std::vector<MemorySample>& samples, double begin, double end);

class MemoryMonitor {
 public:
  MemoryMonitor(std::chrono::milliseconds period, Counters* counters)
      : period_(period), counters_(counters) {}
  ~MemoryMonitor() { Stop(); }

  void Start();
  // Takes a last sample and joins the thread.
  void Stop();
  // The latest sample; thread-safe (a copy of atomics).
  MemorySample latest() const;
  const std::vector<MemorySample>& samples() const { return samples_; }

 private:
  void Sample();

  const std::chrono::milliseconds period_;
  Counters* const counters_;
  std::chrono::steady_clock::time_point start_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::vector<MemorySample> samples_;  // written by the thread until Stop
  std::atomic<int64_t> latest_rss_{0}, latest_host_{0}, latest_limited_{0};
};

}  // namespace graphrt::soak

#endif  // GRAPHRT_BENCH_SOAK_MEMORY_MONITOR_H_
