// libFuzzer target: arbitrary text through the RuntimeConfig parser, its
// validation and the effective-config printer. No runtime is made (that
// would start threads per input). Built by scripts/fuzz.
#include <cstddef>
#include <cstdint>

#include "core/executor/runtime_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<graphrt::proto::RuntimeConfig> config = graphrt::ParseRuntimeConfig(text);
  if (config.ok()) {
    graphrt::proto::RuntimeConfig effective = graphrt::EffectiveRuntimeConfig(*config);
    (void)graphrt::RuntimeConfigToText(effective);
    (void)graphrt::GpuMemoryOptionsFor(effective, 0);
  }
  return 0;
}
