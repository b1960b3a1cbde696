// OomReport formatting and verdicts. Pure functions; thread-safe.
#include "core/memory/oom_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace graphrt {

// Note [OOM verdicts]
// Rationale: "out of memory" has two causes with opposite remedies. When live
// data exceeds the budget, only using less memory helps (a smaller batch). When
// the budget would hold the request but the free bytes are split into pieces,
// changing how memory is reserved helps (Release, preallocation). A third case
// is the system or driver refusing a region the limit allowed: memory held
// outside this allocator (other processes, the CUDA context).
// Approach: with rounded = the request rounded to the chunk size and
// headroom = limit - in_use (bytes of the budget not held by live chunks):
//   kCapacity       limit > 0 and rounded > headroom;
//   kSystem         otherwise, when the sub-allocator refused the region
//                   (always the case with no limit);
//   kFragmentation  otherwise: rounded <= headroom, so free reserved bytes plus
//                   unreserved room would hold it, but no free block does and
//                   the unreserved room (after releasing wholly free regions)
//                   is smaller than the request;
//   kNone           the request fits now (only from BuildOomReport).
// Limitations: headroom counts every free byte, including the up-to-255-byte
// rounding of live chunks as in use; near the boundary the verdict follows the
// allocator's own accounting, not the caller's requested sizes.

absl::string_view OomVerdictName(OomVerdict verdict) {
  switch (verdict) {
    case OomVerdict::kNone: return "none";
    case OomVerdict::kFragmentation: return "fragmentation";
    case OomVerdict::kCapacity: return "capacity";
    case OomVerdict::kSystem: return "system";
  }
  return "unknown";
}

OomVerdict ClassifyOom(int64_t rounded, int64_t limit, int64_t in_use, bool fits_now,
                       bool system_refused) {
  if (fits_now && !system_refused) return OomVerdict::kNone;
  if (limit > 0 && rounded > limit - in_use) return OomVerdict::kCapacity;
  if (system_refused || limit == 0) return OomVerdict::kSystem;
  return OomVerdict::kFragmentation;
}

namespace {

std::string HumanBytes(int64_t n) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  return u == 0 ? absl::StrCat(n, " B") : absl::StrFormat("%.1f %s", v, kUnits[u]);
}

std::string Advice(const OomReport& r) {
  switch (r.verdict) {
    case OomVerdict::kCapacity:
      return "  - the live tensors leave too little of the limit: lower the batch size "
             "(or the model size);\n"
             "  - raise memory_limit (or give this device a larger logical limit);\n"
             "  - drop tensors held across steps: the largest owners are listed below.\n";
    case OomVerdict::kFragmentation:
      return "  - enough bytes are free but not in one block: call Release() (or set "
             "release_after_idle_ops) so wholly free regions can be reserved again as "
             "one block;\n"
             "  - set allow_growth=false with a memory limit to reserve the limit as "
             "one region up front;\n"
             "  - allocate long-lived tensors (weights) before activations, or lower "
             "the batch size.\n";
    case OomVerdict::kSystem:
      return "  - the system or driver refused a new region the limit allowed: memory "
             "is held outside this allocator (other processes, the CUDA context; "
             "check nvidia-smi);\n"
             "  - set a memory limit that leaves a reserve, or allow_growth so the "
             "pool takes only what it needs; call Release() on other pools.\n";
    case OomVerdict::kNone:
      return "  - the request fits now; the failure was transient.\n";
  }
  return "";
}

}  // namespace

std::string OomReport::ToString() const {
  std::string out = absl::StrFormat(
      "Out of memory in allocator \"%s\" (regions from %s): cannot allocate %s "
      "(%d bytes, alignment %d, chunk of %d bytes).\n",
      allocator, sub_allocator, HumanBytes(request_bytes), request_bytes, alignment,
      rounded_bytes);
  absl::StrAppend(&out, "  limit ", limit_bytes > 0 ? HumanBytes(limit_bytes) : "none",
                  ", in use ", HumanBytes(in_use_bytes), " in ", num_live_allocs,
                  " allocations, reserved ", HumanBytes(reserved_bytes), " in ",
                  num_regions, " regions, largest free block ",
                  HumanBytes(largest_free_block), ", growth ",
                  allow_growth ? "on" : "off", ".\n");
  absl::StrAppend(&out, "Verdict: ", OomVerdictName(verdict), ".");
  if (!system_error.empty()) absl::StrAppend(&out, " System said: ", system_error);
  absl::StrAppend(&out, "\nWhat to try:\n", Advice(*this));
  if (!largest_live.empty()) {
    absl::StrAppend(&out, "Largest live allocations:\n");
    for (size_t i = 0; i < largest_live.size(); ++i) {
      const OomLiveAllocation& a = largest_live[i];
      absl::StrAppendFormat(&out, "  %2d. %10s  %s\n", i + 1, HumanBytes(a.bytes),
                            a.owner.empty() ? "(no owner set)" : a.owner);
    }
  }
  return out;
}

std::string OomReport::ToJson() const {
  std::string out = absl::StrCat(
      "{\"allocator\":", JsonQuote(allocator), ",\"sub_allocator\":", JsonQuote(sub_allocator),
      ",\"request_bytes\":", request_bytes, ",\"alignment\":", alignment,
      ",\"rounded_bytes\":", rounded_bytes, ",\"limit_bytes\":", limit_bytes,
      ",\"in_use_bytes\":", in_use_bytes, ",\"reserved_bytes\":", reserved_bytes,
      ",\"largest_free_block\":", largest_free_block, ",\"num_regions\":", num_regions,
      ",\"num_live_allocs\":", num_live_allocs,
      ",\"allow_growth\":", allow_growth ? "true" : "false",
      ",\"verdict\":", JsonQuote(OomVerdictName(verdict)),
      ",\"system_error\":", JsonQuote(system_error), ",\"largest_live\":[");
  for (size_t i = 0; i < largest_live.size(); ++i) {
    const OomLiveAllocation& a = largest_live[i];
    absl::StrAppend(&out, i == 0 ? "" : ",", "{\"bytes\":", a.bytes,
                    ",\"requested_bytes\":", a.requested_bytes,
                    ",\"owner\":", JsonQuote(a.owner), "}");
  }
  out += "]}";
  return out;
}

absl::Status OomStatus(absl::string_view node, absl::string_view device,
                       const OomReport& report) {
  return absl::ResourceExhaustedError(
      absl::StrCat("OOM when allocating ", report.request_bytes, " bytes for node '", node,
                   "' on device '", device, "' (", OomVerdictName(report.verdict),
                   ").\n", report.ToString()));
}

}  // namespace graphrt
