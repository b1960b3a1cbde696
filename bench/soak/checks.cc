#include "bench/soak/checks.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace graphrt::soak {

namespace {

absl::Status Header(const Tensor& got, const Tensor& want, absl::string_view what) {
  if (!got.IsInitialized()) return absl::InternalError(absl::StrCat(what, ": no tensor"));
  if (got.dtype() != want.dtype() || got.shape() != want.shape()) {
    return absl::InternalError(absl::StrCat(what, ": got ", got.ShapeString(),
                                            ", the reference is ", want.ShapeString()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckBitEqual(const Tensor& got, const Tensor& want, absl::string_view what) {
  if (absl::Status s = Header(got, want, what); !s.ok()) return s;
  if (std::memcmp(got.raw_data(), want.raw_data(), want.TotalBytes()) == 0) {
    return absl::OkStatus();
  }
  if (want.dtype() == DataType::kFloat32) {
    const float* g = got.data<float>();
    const float* w = want.data<float>();
    for (int64_t i = 0; i < want.num_elements(); ++i) {
      if (std::memcmp(&g[i], &w[i], sizeof(float)) != 0) {
        return absl::InternalError(absl::StrCat(what, ": element ", i, " is ", g[i],
                                                ", the reference ", w[i], " (bit-exact check)"));
      }
    }
  }
  return absl::InternalError(absl::StrCat(what, ": bytes differ from the reference"));
}

absl::Status CheckEqual(float got, float want, absl::string_view what) {
  if (std::memcmp(&got, &want, sizeof(float)) == 0) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat(what, ": ", got, ", the reference ", want, " (bit-exact check)"));
}

absl::Status CheckTrace(const StepTrace& trace, size_t events, size_t devices,
                        absl::string_view what) {
  if (trace.events.size() != events || trace.devices.size() != devices) {
    return absl::InternalError(absl::StrCat(what, ": ", trace.events.size(), " events on ",
                                            trace.devices.size(), " devices, the reference ",
                                            events, " on ", devices));
  }
  for (const NodeTraceEvent& e : trace.events) {
    if (e.device < 0 || static_cast<size_t>(e.device) >= devices || e.ready_ns < 0 ||
        e.ready_ns > e.start_ns || e.start_ns > e.end_ns) {
      return absl::InternalError(absl::StrCat(what, ": node '", e.node, "' has device ", e.device,
                                              ", ready ", e.ready_ns, " start ", e.start_ns,
                                              " end ", e.end_ns, " ns"));
    }
  }
  return absl::OkStatus();
}

}  // namespace graphrt::soak
