// RuntimeConfig files: load a text-format RuntimeConfig
// (core/executor/runtime_config.proto), apply the environment, print what
// is in effect, and turn it into a Runtime plus SessionOptions.
//
//   ASSIGN_OR_RETURN(proto::RuntimeConfig config, ReadRuntimeConfig("run.pbtxt"));
//   ASSIGN_OR_RETURN(ConfiguredRuntime rt, CreateConfiguredRuntime(config));
//   auto session = Session::Create(std::move(graph), rt.session_options);
//
// Precedence: the environment variables SessionOptions documents
// (GRAPHRT_NUM_INTEROP_THREADS, GRAPHRT_NUM_INTRAOP_THREADS,
// GRAPHRT_LOG_DEVICE_PLACEMENT) and GRAPHRT_FORCE_GPU_ALLOW_GROWTH override
// the file; then defaults fill what neither sets.
//
// Thread-safety: functions read the environment; call them before starting
// threads that call setenv.
#ifndef GRAPHRT_CORE_EXECUTOR_RUNTIME_CONFIG_H_
#define GRAPHRT_CORE_EXECUTOR_RUNTIME_CONFIG_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/executor/runtime.h"
#include "core/executor/runtime_config.pb.h"
#include "core/executor/session_options.h"
#include "core/memory/gpu_memory_options.h"

namespace graphrt {

// Text format to a config; INVALID_ARGUMENT with line and column for bad
// text, naming the field for a bad value (negative threads, unknown device
// type, ...).
absl::StatusOr<proto::RuntimeConfig> ParseRuntimeConfig(absl::string_view text);
absl::StatusOr<proto::RuntimeConfig> ReadRuntimeConfig(const std::string& path);
absl::Status ValidateRuntimeConfig(const proto::RuntimeConfig& config);

// The config with the environment applied and every default written out
// (threads resolved to numbers), as `graphrt run --print-config` shows it.
proto::RuntimeConfig EffectiveRuntimeConfig(const proto::RuntimeConfig& config);
std::string RuntimeConfigToText(const proto::RuntimeConfig& config);

// The GPU memory options for physical GPU `id` (defaults when the config
// has none); the GPU device factory resolves them against the card.
GpuMemoryOptions GpuMemoryOptionsFor(const proto::RuntimeConfig& config, int id);

struct ConfiguredRuntime {
  std::shared_ptr<Runtime> runtime;  // logical devices configured, not yet created
  SessionOptions session_options;    // threads, placement flags, runtime set
};
// FAILED_PRECONDITION/INVALID_ARGUMENT from the runtime for a device split it
// cannot make (an unknown physical device), naming the device.
absl::StatusOr<ConfiguredRuntime> CreateConfiguredRuntime(const proto::RuntimeConfig& config);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_RUNTIME_CONFIG_H_
