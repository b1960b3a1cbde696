// GPU memory options: defaults, env override, validation. Pure; thread-safe
// except that the getenv overload reads the process environment.
#include "core/memory/gpu_memory_options.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace graphrt {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;

}  // namespace

int64_t DefaultGpuReserveBytes(int64_t total_bytes) {
  if (total_bytes < (int64_t{2} << 30)) return 225 * kMiB;
  return std::clamp(total_bytes / 20, 300 * kMiB, 1843 * kMiB);
}

int64_t DefaultGpuMemoryLimit(int64_t free_bytes, int64_t total_bytes, int64_t reserve_bytes) {
  if (reserve_bytes < 0) reserve_bytes = DefaultGpuReserveBytes(total_bytes);
  const int64_t left = std::min(free_bytes, total_bytes) - reserve_bytes;
  if (left <= 0) return 0;
  return left / (2 * kMiB) * (2 * kMiB);
}

std::optional<bool> ParseForceAllowGrowth(const char* env_value) {
  if (env_value == nullptr) return std::nullopt;
  if (absl::EqualsIgnoreCase(env_value, "true")) return true;
  if (absl::EqualsIgnoreCase(env_value, "false")) return false;
  std::fprintf(stderr,
               "graphrt: warning: %s=\"%s\" is not 'true' or 'false'; ignored "
               "(the per-GPU allow_growth option applies)\n",
               kForceGpuAllowGrowthEnv, env_value);
  return std::nullopt;
}

absl::StatusOr<ResolvedGpuMemory> ResolveGpuMemoryOptions(const GpuMemoryOptions& options,
                                                          int64_t free_bytes,
                                                          int64_t total_bytes,
                                                          const char* env_allow_growth) {
  ResolvedGpuMemory out;
  out.allow_growth = ParseForceAllowGrowth(env_allow_growth).value_or(options.allow_growth);
  out.reserve_bytes = options.reserve_mb >= 0 ? options.reserve_mb * kMiB
                                              : DefaultGpuReserveBytes(total_bytes);
  const int64_t available = std::max<int64_t>(0, std::min(free_bytes, total_bytes) -
                                                     out.reserve_bytes);
  if (options.logical_device_limits_mb.empty()) {
    if (options.memory_limit_mb < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("memory_limit_mb must be >= 0, got ", options.memory_limit_mb));
    }
    const int64_t limit = options.memory_limit_mb > 0
                              ? options.memory_limit_mb * kMiB
                              : DefaultGpuMemoryLimit(free_bytes, total_bytes, out.reserve_bytes);
    if (limit <= 0) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "no GPU memory left: ", free_bytes / kMiB, " MiB free, reserve ",
          out.reserve_bytes / kMiB, " MiB; set memory_limit_mb or lower reserve_mb"));
    }
    if (limit > available) {
      return absl::InvalidArgumentError(absl::StrCat(
          "memory_limit_mb ", options.memory_limit_mb, " is more than the ", available / kMiB,
          " MiB available (", free_bytes / kMiB, " MiB free minus a ", out.reserve_bytes / kMiB,
          " MiB reserve); lower it, or leave it 0 for all that is available"));
    }
    out.limit_bytes.push_back(limit);
    return out;
  }
  int64_t sum = 0;
  for (int64_t mb : options.logical_device_limits_mb) {
    if (mb <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "logical device limits must be > 0 MiB, got [",
          absl::StrJoin(options.logical_device_limits_mb, ", "), "]"));
    }
    sum += mb * kMiB;
    out.limit_bytes.push_back(mb * kMiB);
  }
  if (sum > available) {
    return absl::InvalidArgumentError(absl::StrCat(
        "logical device limits [", absl::StrJoin(options.logical_device_limits_mb, ", "),
        "] MiB sum to ", sum / kMiB, " MiB, more than the ", available / kMiB,
        " MiB available (", free_bytes / kMiB, " MiB free minus a ",
        out.reserve_bytes / kMiB, " MiB reserve)"));
  }
  return out;
}

absl::StatusOr<ResolvedGpuMemory> ResolveGpuMemoryOptions(const GpuMemoryOptions& options,
                                                          int64_t free_bytes,
                                                          int64_t total_bytes) {
  return ResolveGpuMemoryOptions(options, free_bytes, total_bytes,
                                 std::getenv(kForceGpuAllowGrowthEnv));
}

}  // namespace graphrt
