#include "core/placer/device_name.h"

#include <cctype>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace graphrt {
namespace {

constexpr char kAcceptedForms[] =
    "accepted forms: /job:localhost/replica:0/task:0/device:GPU:0, /device:GPU:0, "
    "/gpu:0, /GPU:0, GPU:0, /cpu:0, /device:GPU:* or /gpu (any GPU)";

absl::Status Malformed(absl::string_view name, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("'", name, "' is not a device name (", why, "); ", kAcceptedForms));
}

bool IsTypeName(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isalpha(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool ParseIndex(absl::string_view s, int* out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(s, out);
}

// "TYPE" or "TYPE:id" or "TYPE:*" into spec.type / spec.id.
bool ParseDevicePart(absl::string_view type, absl::string_view id, bool has_id,
                     DeviceSpec& spec) {
  if (!IsTypeName(type)) return false;
  spec.type = absl::AsciiStrToUpper(type);
  if (!has_id || id == "*") return true;
  int n = 0;
  if (!ParseIndex(id, &n)) return false;
  spec.id = n;
  return true;
}

}  // namespace

absl::StatusOr<DeviceSpec> ParseDeviceSpec(absl::string_view name) {
  DeviceSpec spec;
  absl::string_view s = absl::StripAsciiWhitespace(name);
  if (s.empty()) return spec;
  const bool leading_slash = s[0] == '/';
  if (leading_slash) s.remove_prefix(1);
  std::vector<absl::string_view> parts = absl::StrSplit(s, '/');
  // Without a leading slash only "TYPE:id" is accepted.
  if (!leading_slash && parts.size() != 1) return Malformed(name, "missing leading '/'");
  for (size_t i = 0; i < parts.size(); ++i) {
    const absl::string_view part = parts[i];
    std::vector<absl::string_view> f = absl::StrSplit(part, ':');
    const absl::string_view key = f[0];
    auto set_once = [&](bool already) {
      return already ? Malformed(name, absl::StrCat("'", key, "' given twice"))
                     : absl::OkStatus();
    };
    if (key == "job" && f.size() == 2 && !f[1].empty()) {
      if (auto st = set_once(spec.job.has_value()); !st.ok()) return st;
      spec.job = std::string(f[1]);
    } else if (key == "replica" || key == "task") {
      std::optional<int>& field = key == "replica" ? spec.replica : spec.task;
      if (auto st = set_once(field.has_value()); !st.ok()) return st;
      int n = 0;
      if (f.size() != 2 || !ParseIndex(f[1], &n)) {
        return Malformed(name, absl::StrCat("bad ", key, " index in '", part, "'"));
      }
      field = n;
    } else if (key == "device" && (f.size() == 2 || f.size() == 3)) {
      if (auto st = set_once(spec.type.has_value()); !st.ok()) return st;
      if (!ParseDevicePart(f[1], f.size() == 3 ? f[2] : "", f.size() == 3, spec)) {
        return Malformed(name, absl::StrCat("bad device part '", part, "'"));
      }
    } else if (f.size() <= 2 && IsTypeName(key) && key != "device" && key != "job") {
      // Short form: "gpu:0", "GPU", "cpu:*".
      if (auto st = set_once(spec.type.has_value()); !st.ok()) return st;
      if (!ParseDevicePart(key, f.size() == 2 ? f[1] : "", f.size() == 2, spec)) {
        return Malformed(name, absl::StrCat("bad device part '", part, "'"));
      }
      if (!leading_slash && f.size() != 2) return Malformed(name, "expected TYPE:index");
    } else {
      return Malformed(name, absl::StrCat("unknown part '", part, "'"));
    }
  }
  return spec;
}

std::string DeviceSpecString(const DeviceSpec& spec) {
  std::string out;
  if (spec.job) absl::StrAppend(&out, "/job:", *spec.job);
  if (spec.replica) absl::StrAppend(&out, "/replica:", *spec.replica);
  if (spec.task) absl::StrAppend(&out, "/task:", *spec.task);
  if (spec.type) {
    absl::StrAppend(&out, "/device:", *spec.type, ":");
    if (spec.id) {
      absl::StrAppend(&out, *spec.id);
    } else {
      out += "*";
    }
  } else if (spec.id) {
    absl::StrAppend(&out, "/device:*:", *spec.id);
  }
  return out;
}

std::string FullDeviceName(absl::string_view type, int id) {
  return absl::StrCat("/job:localhost/replica:0/task:0/device:", type, ":", id);
}

std::string ShortDeviceName(absl::string_view type, int id) {
  return absl::StrCat(type, ":", id);
}

bool DeviceSpecMatches(const DeviceSpec& spec, const DeviceSpec& device) {
  auto agree = [](const auto& want, const auto& have) { return !want || want == have; };
  return agree(spec.job, device.job) && agree(spec.replica, device.replica) &&
         agree(spec.task, device.task) && agree(spec.type, device.type) &&
         agree(spec.id, device.id);
}

absl::StatusOr<DeviceSpec> MergeDeviceSpecs(const DeviceSpec& a, const DeviceSpec& b) {
  DeviceSpec out = a;
  bool conflict = false;
  auto merge = [&](auto& field, const auto& other) {
    if (!other) return;
    if (field && *field != *other) conflict = true;
    field = other;
  };
  merge(out.job, b.job);
  merge(out.replica, b.replica);
  merge(out.task, b.task);
  merge(out.type, b.type);
  merge(out.id, b.id);
  if (conflict) {
    return absl::InvalidArgumentError(absl::StrCat("device requests '", DeviceSpecString(a),
                                                   "' and '", DeviceSpecString(b),
                                                   "' cannot both hold"));
  }
  return out;
}

}  // namespace graphrt
