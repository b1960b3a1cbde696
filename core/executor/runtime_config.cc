#include "core/executor/runtime_config.h"

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/executor/thread_pool.h"
#include "core/graph/io/proto_util.h"
#include "core/base/status_macros.h"
#include "google/protobuf/text_format.h"

namespace graphrt {
namespace {

constexpr int kMaxGpuId = 1024;  // more GPUs than one process ever sees

constexpr int kMaxThreads = 4096;

absl::Status CheckThreads(const char* field, int value) {
  if (value < 0 || value > kMaxThreads) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " is ", value, "; expected 0 (= the number of cores) to ", kMaxThreads));
  }
  return absl::OkStatus();
}

absl::Status CheckMiB(const std::string& field, int64_t value) {
  // 2^40 MiB is an exabyte: anything larger is a typo, and would overflow bytes.
  if (value < 0 || value > (int64_t{1} << 40)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is ", value, " MiB; expected 0 to 2^40 (0 = the default)"));
  }
  return absl::OkStatus();
}

SessionOptions SessionOptionsFromConfig(const proto::RuntimeConfig& config) {
  SessionOptions o;
  o.inter_op_threads = config.inter_op_threads();
  o.intra_op_threads = config.intra_op_threads();
  if (config.has_allow_soft_placement()) o.allow_soft_placement = config.allow_soft_placement();
  o.log_device_placement = config.log_device_placement();
  if (config.has_inline_cost_ns()) o.inline_cost_ns = config.inline_cost_ns();
  return o;
}

}  // namespace

absl::Status ValidateRuntimeConfig(const proto::RuntimeConfig& config) {
  RETURN_IF_ERROR(CheckThreads("inter_op_threads", config.inter_op_threads()));
  RETURN_IF_ERROR(CheckThreads("intra_op_threads", config.intra_op_threads()));
  RETURN_IF_ERROR(CheckMiB("cpu_memory_limit_mb", config.cpu_memory_limit_mb()));
  if (config.has_inline_cost_ns() && config.inline_cost_ns() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("inline_cost_ns is ", config.inline_cost_ns(), "; expected >= 0"));
  }
  for (int i = 0; i < config.device_size(); ++i) {
    const proto::DeviceConfig& d = config.device(i);
    const std::string where = absl::StrCat("device[", i, "] (", d.type(), ":", d.id(), ")");
    if (d.type() != "CPU" && d.type() != "GPU") {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": type must be \"CPU\" or \"GPU\", got \"", d.type(), "\""));
    }
    if (d.id() < 0) return absl::InvalidArgumentError(absl::StrCat(where, ": id is negative"));
    if (d.logical_device_size() == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": lists no logical_device; give at least one"));
    }
    for (int k = 0; k < d.logical_device_size(); ++k) {
      const proto::LogicalDevice& l = d.logical_device(k);
      const std::string at = absl::StrCat(where, ".logical_device[", k, "].");
      RETURN_IF_ERROR(CheckThreads((at + "inter_op_threads").c_str(), l.inter_op_threads()));
      RETURN_IF_ERROR(CheckThreads((at + "intra_op_threads").c_str(), l.intra_op_threads()));
      RETURN_IF_ERROR(CheckMiB(at + "memory_limit_mb", l.memory_limit_mb()));
    }
    for (int j = 0; j < i; ++j) {
      if (config.device(j).type() == d.type() && config.device(j).id() == d.id()) {
        return absl::InvalidArgumentError(absl::StrCat(where, " is configured twice"));
      }
    }
  }
  for (int i = 0; i < config.gpu_size(); ++i) {
    const proto::GpuConfig& g = config.gpu(i);
    const std::string where = absl::StrCat("gpu[", i, "] (GPU:", g.id(), ").");
    if (g.id() < 0) return absl::InvalidArgumentError(where + "id is negative");
    if (g.id() >= kMaxGpuId) {
      return absl::InvalidArgumentError(absl::StrCat(where, "id must be below ", kMaxGpuId));
    }
    RETURN_IF_ERROR(CheckMiB(where + "memory_limit_mb", g.memory_limit_mb()));
    if (g.has_reserve_mb()) RETURN_IF_ERROR(CheckMiB(where + "reserve_mb", g.reserve_mb()));
    for (int64_t limit : g.logical_device_limit_mb()) {
      RETURN_IF_ERROR(CheckMiB(where + "logical_device_limit_mb", limit));
      if (limit == 0) {
        return absl::InvalidArgumentError(where + "logical_device_limit_mb entries must be > 0");
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<proto::RuntimeConfig> ParseRuntimeConfig(absl::string_view text) {
  proto::RuntimeConfig config;
  if (absl::Status s = ParseTextProto(text, &config); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("RuntimeConfig text: ", s.message()));
  }
  RETURN_IF_ERROR(ValidateRuntimeConfig(config));
  return config;
}

absl::StatusOr<proto::RuntimeConfig> ReadRuntimeConfig(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  auto config = ParseRuntimeConfig(text);
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

proto::RuntimeConfig EffectiveRuntimeConfig(const proto::RuntimeConfig& config) {
  proto::RuntimeConfig out = config;
  const SessionOptions o = ResolveSessionOptions(SessionOptionsFromConfig(config));
  out.set_inter_op_threads(o.inter_op_threads);
  out.set_intra_op_threads(o.intra_op_threads);
  out.set_allow_soft_placement(o.allow_soft_placement);
  out.set_log_device_placement(o.log_device_placement);
  out.set_inline_cost_ns(o.inline_cost_ns);
  for (proto::DeviceConfig& d : *out.mutable_device()) {
    for (proto::LogicalDevice& l : *d.mutable_logical_device()) {
      if (d.type() != "CPU") continue;
      if (l.inter_op_threads() == 0) l.set_inter_op_threads(o.inter_op_threads);
      if (l.intra_op_threads() == 0) l.set_intra_op_threads(o.intra_op_threads);
    }
  }
  const std::optional<bool> forced = ParseForceAllowGrowth(std::getenv(kForceGpuAllowGrowthEnv));
  for (proto::GpuConfig& g : *out.mutable_gpu()) {
    if (forced.has_value()) {
      g.set_allow_growth(*forced);
    } else if (!g.has_allow_growth()) {
      g.set_allow_growth(false);
    }
  }
  return out;
}

std::string RuntimeConfigToText(const proto::RuntimeConfig& config) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(config, &text);
  return text;
}

GpuMemoryOptions GpuMemoryOptionsFor(const proto::RuntimeConfig& config, int id) {
  GpuMemoryOptions o;
  for (const proto::GpuConfig& g : config.gpu()) {
    if (g.id() != id) continue;
    o.memory_limit_mb = g.memory_limit_mb();
    o.allow_growth = g.allow_growth();
    o.logical_device_limits_mb.assign(g.logical_device_limit_mb().begin(),
                                      g.logical_device_limit_mb().end());
    if (g.has_reserve_mb()) o.reserve_mb = g.reserve_mb();
  }
  return o;
}

absl::StatusOr<ConfiguredRuntime> CreateConfiguredRuntime(const proto::RuntimeConfig& config) {
  RETURN_IF_ERROR(ValidateRuntimeConfig(config));
  const proto::RuntimeConfig effective = EffectiveRuntimeConfig(config);
  RuntimeOptions options;
  options.inter_op_threads = effective.inter_op_threads();
  options.intra_op_threads = effective.intra_op_threads();
  options.cpu_memory_limit_mb = effective.cpu_memory_limit_mb();
  for (const proto::GpuConfig& g : effective.gpu()) {
    if (g.id() >= static_cast<int>(options.gpu_memory.size())) options.gpu_memory.resize(g.id() + 1);
    options.gpu_memory[g.id()] = GpuMemoryOptionsFor(effective, g.id());
  }
  ConfiguredRuntime out;
  out.runtime = Runtime::Create(options);
  for (const proto::DeviceConfig& d : effective.device()) {
    const PhysicalDevice* physical = nullptr;
    std::vector<PhysicalDevice> list = out.runtime->ListPhysicalDevices(d.type());
    for (const PhysicalDevice& p : list) {
      if (p.id == d.id()) physical = &p;
    }
    if (physical == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "device { type: \"", d.type(), "\" id: ", d.id(), " }: no such physical device; this "
          "machine has ", list.size(), " ", d.type(), " device(s)"));
    }
    std::vector<LogicalDeviceConfiguration> logical;
    for (const proto::LogicalDevice& l : d.logical_device()) {
      logical.push_back({l.inter_op_threads(), l.intra_op_threads(), l.memory_limit_mb()});
    }
    RETURN_IF_ERROR(out.runtime->SetLogicalDeviceConfiguration(*physical, std::move(logical)));
  }
  out.session_options = SessionOptionsFromConfig(effective);
  out.session_options.runtime = out.runtime;
  return out;
}

}  // namespace graphrt
