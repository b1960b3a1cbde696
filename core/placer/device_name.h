// Device names: parsing, printing and matching.
//
// The full form names one device of one process:
//   /job:localhost/replica:0/task:0/device:GPU:0
// Users may write any part of it, and short forms (all case-insensitive in
// the device type):
//   /device:GPU:0   /gpu:0   /GPU:0   GPU:0   /cpu:0
//   /device:GPU:*   /gpu     (any GPU)        ""  (no request)
// A DeviceSpec keeps what was given; fields left out match anything.
//
// Thread-safety: plain values and pure functions.
#ifndef GRAPHRT_CORE_PLACER_DEVICE_NAME_H_
#define GRAPHRT_CORE_PLACER_DEVICE_NAME_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace graphrt {

struct DeviceSpec {
  std::optional<std::string> job;
  std::optional<int> replica;
  std::optional<int> task;
  std::optional<std::string> type;  // upper case: "CPU", "GPU", ...
  std::optional<int> id;            // unset: any device of the type

  bool empty() const { return !job && !replica && !task && !type && !id; }
  // True when every field is set (one device).
  bool IsFullySpecified() const { return job && replica && task && type && id; }
  bool operator==(const DeviceSpec&) const = default;
};

// Parses any of the forms above. INVALID_ARGUMENT for anything else, showing
// the accepted forms.
absl::StatusOr<DeviceSpec> ParseDeviceSpec(absl::string_view name);

// The canonical text of a spec: the full form when fully specified, else the
// given parts ("/device:GPU:*", "/job:localhost/device:CPU:1"); "" if empty.
std::string DeviceSpecString(const DeviceSpec& spec);

// "/job:localhost/replica:0/task:0/device:<type>:<id>".
std::string FullDeviceName(absl::string_view type, int id);
// "GPU:0": the short form used in logs and generated names.
std::string ShortDeviceName(absl::string_view type, int id);

// True when every field `spec` sets agrees with `device` (a full spec).
bool DeviceSpecMatches(const DeviceSpec& spec, const DeviceSpec& device);

// The spec asking for both: fields set in either; INVALID_ARGUMENT when they
// disagree on a field (e.g. /gpu:0 and /gpu:1, or /cpu:0 and /gpu:0).
absl::StatusOr<DeviceSpec> MergeDeviceSpecs(const DeviceSpec& a, const DeviceSpec& b);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_PLACER_DEVICE_NAME_H_
