#include "bench/soak/memory_monitor.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "core/memory/bfc_allocator.h"

namespace graphrt::soak {

int64_t ResidentBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  long long size = 0, resident = 0;
  const int read = std::fscanf(f, "%lld %lld", &size, &resident);
  std::fclose(f);
  if (read != 2) return 0;
  return static_cast<int64_t>(resident) * static_cast<int64_t>(sysconf(_SC_PAGESIZE));
}

WindowSummary Summarize(const std::vector<MemorySample>& samples, double begin, double end) {
  WindowSummary w;
  w.begin = begin;
  w.end = end;
  std::vector<int64_t> rss;
  for (size_t i = 0; i < samples.size(); ++i) {
    const MemorySample& s = samples[i];
    const bool last = i + 1 == samples.size();
    if (s.seconds < begin || s.seconds > end || (s.seconds == end && !last)) continue;
    rss.push_back(s.rss);
    w.host_pool_max = std::max(w.host_pool_max, s.host_pool_reserved);
    w.limited_pool_max = std::max(w.limited_pool_max, s.limited_pool_reserved);
  }
  w.samples = static_cast<int>(rss.size());
  if (rss.empty()) return w;
  std::sort(rss.begin(), rss.end());
  w.rss_min = rss.front();
  w.rss_median = rss[rss.size() / 2];
  w.rss_max = rss.back();
  return w;
}

void MemoryMonitor::Start() {
  start_ = std::chrono::steady_clock::now();
  Sample();
  thread_ = std::thread([this] {
    while (!stop_.load(std::memory_order_acquire)) {
      std::this_thread::sleep_for(period_);
      Sample();
    }
  });
}

void MemoryMonitor::Stop() {
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_release);
  thread_.join();
}

MemorySample MemoryMonitor::latest() const {
  MemorySample s;
  s.rss = latest_rss_.load(std::memory_order_relaxed);
  s.host_pool_reserved = latest_host_.load(std::memory_order_relaxed);
  s.limited_pool_reserved = latest_limited_.load(std::memory_order_relaxed);
  return s;
}

void MemoryMonitor::Sample() {
  MemorySample s;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  s.rss = ResidentBytes();
  s.host_pool_reserved = HostPoolAllocator()->GetStats().bytes_reserved;
  s.limited_pool_reserved = counters_->limited_pool_reserved.exchange(0, std::memory_order_relaxed);
  samples_.push_back(s);
  latest_rss_.store(s.rss, std::memory_order_relaxed);
  latest_host_.store(s.host_pool_reserved, std::memory_order_relaxed);
  latest_limited_.store(s.limited_pool_reserved, std::memory_order_relaxed);
}

}  // namespace graphrt::soak
