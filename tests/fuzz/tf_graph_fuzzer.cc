// libFuzzer target: arbitrary bytes through the TensorFlow GraphDef importer
// (parse, op conversion, shape folding), then placement and partitioning.
// Nothing runs. Built by scripts/fuzz.
//
// Asserts (issue 21): an input the importer accepts has at least one node;
// no bytes become an empty graph (an empty TF GraphDef is refused too).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/graph/tf/tf_import.h"
#include "tests/fuzz/fuzz_devices.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<graphrt::Graph> graph = graphrt::ParseTfGraph(bytes);
  if (!graph.ok()) return 0;
  if (graph->num_nodes() == 0) {
    std::fprintf(stderr, "tf_graph_fuzzer: %zu bytes imported as an empty graph\n", size);
    std::abort();
  }
  graphrt::fuzz::PlaceAndPartition(*graph);
  return 0;
}
