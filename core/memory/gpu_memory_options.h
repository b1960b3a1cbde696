// GpuMemoryOptions: how much of each GPU the runtime takes, and how.
//
// Declares the per-GPU options (limit, growth, logical-device split, reserve),
// the environment override GRAPHRT_FORCE_GPU_ALLOW_GROWTH, and the pure
// function that picks the default limit from the device's free/total memory.
// The GPU device factory calls ResolveGpuMemoryOptions once per physical GPU
// at initialisation, with cudaMemGetInfo's figures, and builds one BFC per
// resolved logical device. Builds without CUDA.
//
// Thread-safety: pure functions; the getenv overload reads the environment,
// so call it before starting threads that call setenv.
#ifndef GRAPHRT_CORE_MEMORY_GPU_MEMORY_OPTIONS_H_
#define GRAPHRT_CORE_MEMORY_GPU_MEMORY_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace graphrt {

inline constexpr char kForceGpuAllowGrowthEnv[] = "GRAPHRT_FORCE_GPU_ALLOW_GROWTH";

struct GpuMemoryOptions {
  // Limit for the (single) device in MiB, at most what is free minus the
  // reserve (more is INVALID_ARGUMENT). 0: the default, free memory minus the
  // reserve (DefaultGpuMemoryLimit). Ignored when logical_device_limits_mb is set.
  int64_t memory_limit_mb = 0;
  // Grow the pool on demand instead of reserving the whole limit up front.
  // GRAPHRT_FORCE_GPU_ALLOW_GROWTH=true|false overrides this.
  bool allow_growth = false;
  // Split the GPU into logical devices, one per entry, each with this limit in
  // MiB (e.g. {2048, 2048}: /gpu:0 and /gpu:1 on one card). Empty: one device.
  std::vector<int64_t> logical_device_limits_mb;
  // MiB left to the CUDA context and cuBLAS/cuDNN workspaces. -1: automatic
  // (DefaultGpuReserveBytes of the card's total memory).
  int64_t reserve_mb = -1;
};

struct ResolvedGpuMemory {
  bool allow_growth = false;
  std::vector<int64_t> limit_bytes;  // one per logical device, each > 0
  int64_t reserve_bytes = 0;
};

// 225 MiB below 2 GiB of total memory, else 5% of it clamped to
// [300 MiB, 1.8 GiB] (TF reserves 225 MiB to 1.8 GiB depending on the card).
int64_t DefaultGpuReserveBytes(int64_t total_bytes);

// Free memory minus `reserve_bytes`, rounded down to 2 MiB; 0 when nothing is
// left. Pure: the caller passes what cudaMemGetInfo reported.
int64_t DefaultGpuMemoryLimit(int64_t free_bytes, int64_t total_bytes, int64_t reserve_bytes);

// The override in `env_value`: nullopt when unset (nullptr) or invalid; an
// invalid value ("yes", "1", "") is reported on stderr once per call and ignored.
// Accepts exactly "true" and "false" (case-insensitive).
std::optional<bool> ParseForceAllowGrowth(const char* env_value);

// Applies the env override and defaults. INVALID_ARGUMENT when a limit is
// negative or the logical limits plus the reserve exceed the card's free
// memory (the message lists the limits and what is free).
absl::StatusOr<ResolvedGpuMemory> ResolveGpuMemoryOptions(const GpuMemoryOptions& options,
                                                          int64_t free_bytes,
                                                          int64_t total_bytes,
                                                          const char* env_allow_growth);
// The same, reading GRAPHRT_FORCE_GPU_ALLOW_GROWTH with getenv.
absl::StatusOr<ResolvedGpuMemory> ResolveGpuMemoryOptions(const GpuMemoryOptions& options,
                                                          int64_t free_bytes,
                                                          int64_t total_bytes);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_MEMORY_GPU_MEMORY_OPTIONS_H_
