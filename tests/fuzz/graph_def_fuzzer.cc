// libFuzzer target: arbitrary bytes through graphrt's GraphDef parser (binary,
// or text when the first byte is odd), graph validation, placement on a CPU
// and a GPU, and partitioning. Nothing runs. Built by scripts/fuzz.
#include <cstddef>
#include <cstdint>

#include "core/graph/io/graph_def.h"
#include "core/placer/device_attributes.h"
#include "core/placer/partition.h"
#include "core/placer/placement.h"
#include "tests/fuzz/fuzz_devices.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto format = (data[0] & 1) ? graphrt::GraphFormat::kText : graphrt::GraphFormat::kBinary;
  absl::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  absl::StatusOr<graphrt::Graph> graph = graphrt::ParseGraph(bytes, format);
  if (graph.ok()) graphrt::fuzz::PlaceAndPartition(*graph);
  return 0;
}
