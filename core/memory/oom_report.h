// OomReport: why an allocation failed, in words a user can act on.
//
// BfcAllocator fills one in when it cannot serve a request
// (Allocator::LastOomReport) or on demand (BuildOomReport). The executor turns it into the RESOURCE_EXHAUSTED
// status users see with OomStatus(node, device, report).
//
// Thread-safety: plain values; the functions are pure and thread-safe.
// Dependencies: allocator.h includes this header (Allocator::LastOomReport),
// so it must never include allocator.h or anything that does.
#ifndef GRAPHRT_CORE_MEMORY_OOM_REPORT_H_
#define GRAPHRT_CORE_MEMORY_OOM_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/base/json.h"

namespace graphrt {

// See Note [OOM verdicts] in oom_report.cc for the exact definitions.
enum class OomVerdict {
  kNone,           // the request would fit now (a report built on demand)
  kFragmentation,  // rounded <= limit - in_use, yet no block or room fits it
  kCapacity,       // rounded > limit - in_use: live data leaves too little
  kSystem,         // the limit allowed a new region; the system/driver refused it
};
absl::string_view OomVerdictName(OomVerdict verdict);

// The verdict from the facts. `limit` 0 means no limit; `fits_now` says a free
// block or the unreserved room under the limit can hold `rounded` today.
OomVerdict ClassifyOom(int64_t rounded, int64_t limit, int64_t in_use, bool fits_now,
                       bool system_refused);

struct OomLiveAllocation {
  int64_t bytes = 0;            // chunk size (rounded)
  int64_t requested_bytes = 0;  // what the caller asked for
  std::string owner;            // from ScopedAllocationOwner; "" when unset
};

struct OomReport {
  std::string allocator;          // allocator name
  std::string sub_allocator;      // where its regions come from
  int64_t request_bytes = 0;      // as asked
  int64_t alignment = 0;          // as asked
  int64_t rounded_bytes = 0;      // chunk size that was needed
  int64_t limit_bytes = 0;        // 0: no limit
  int64_t in_use_bytes = 0;
  int64_t reserved_bytes = 0;
  int64_t largest_free_block = 0;
  int64_t num_regions = 0;
  int64_t num_live_allocs = 0;
  bool allow_growth = false;
  OomVerdict verdict = OomVerdict::kNone;
  std::string system_error;  // the sub-allocator's refusal, if any
  std::vector<OomLiveAllocation> largest_live;  // up to 10, largest first

  // Several lines: the facts, the verdict, what to try, the largest owners.
  std::string ToString() const;
  // One JSON object with the same facts (keys as the field names).
  std::string ToJson() const;
};

// RESOURCE_EXHAUSTED naming the node and device, with report.ToString().
absl::Status OomStatus(absl::string_view node, absl::string_view device,
                       const OomReport& report);


}  // namespace graphrt

#endif  // GRAPHRT_CORE_MEMORY_OOM_REPORT_H_
