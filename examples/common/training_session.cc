#include "examples/common/training_session.h"

#include <cstdio>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/executor/runtime.h"
#include "core/placer/placement.h"

namespace graphrt::examples {

absl::StatusOr<SessionOptions> SessionOptionsFromFlags(const TrainingFlags& f) {
  SessionOptions options;
  options.inter_op_threads = f.inter_op_threads;
  options.intra_op_threads = f.intra_op_threads;
  options.log_device_placement = f.log_device_placement;
  if (f.cpu_devices > 1) {
    options.runtime =
        Runtime::Create({f.inter_op_threads, f.intra_op_threads, /*cpu_allocator=*/nullptr});
    absl::Status s = options.runtime->SetLogicalDeviceConfiguration(
        options.runtime->ListPhysicalDevices("CPU")[0],
        std::vector<LogicalDeviceConfiguration>(f.cpu_devices));
    if (!s.ok()) return s;
  }
  return options;
}

absl::Status WritePlacementDot(const Session& session, const std::string& path) {
  std::ofstream out(path);
  out << PlacementToDot(session.graph(), session.placement());
  if (!out) return absl::NotFoundError(absl::StrCat("cannot write ", path));
  std::printf("wrote the placement of %d nodes to %s (Graphviz DOT)\n",
              session.graph().num_nodes(), path.c_str());
  return absl::OkStatus();
}

absl::Status WriteLastTrace(std::span<const StepTrace> traces, const std::string& path) {
  if (traces.empty()) return absl::InvalidArgumentError("too few examples to trace a step");
  std::ofstream(path) << traces.back().ToChromeJson();
  std::printf("wrote the last of %zu traced steps to %s\n%s", traces.size(), path.c_str(),
              OpStatsTable(SummarizeOps(traces)).c_str());
  return absl::OkStatus();
}

}  // namespace graphrt::examples
