// libFuzzer target: arbitrary bytes through the TensorFlow GraphDef importer
// (parse, op conversion, shape folding), then placement and partitioning.
// Nothing runs. Built by scripts/fuzz.
#include <cstddef>
#include <cstdint>

#include "core/graph/tf/tf_import.h"
#include "tests/fuzz/fuzz_devices.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<graphrt::Graph> graph = graphrt::ParseTfGraph(bytes);
  if (graph.ok()) graphrt::fuzz::PlaceAndPartition(*graph);
  return 0;
}
