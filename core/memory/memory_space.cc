// MemorySpace::ToString. Thread-safe (pure).
#include "core/memory/memory_space.h"

#include "absl/strings/str_cat.h"

namespace graphrt {

std::string MemorySpace::ToString() const {
  switch (kind) {
    case Kind::kHost: return "host";
    case Kind::kPinnedHost: return "pinned host";
    case Kind::kDevice: return absl::StrCat(device_type, ":", device, " device memory");
  }
  return "unknown memory";
}

}  // namespace graphrt
