// libFuzzer target: arbitrary bytes through graphrt's GraphDef parser (binary,
// or text when the first byte is odd), graph validation, placement on a CPU
// and a GPU, and partitioning. Nothing runs. Built by scripts/fuzz.
//
// Asserts (issue 21): an input the parser accepts has at least one node or
// is the empty GraphDef ToGraphDef writes, byte for byte in binary and as a
// message in text; no other bytes may become an empty graph.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/graph/io/graph_def.h"
#include "core/graph/io/proto_util.h"
#include "core/placer/device_attributes.h"
#include "core/placer/partition.h"
#include "core/placer/placement.h"
#include "tests/fuzz/fuzz_devices.h"

namespace {

bool IsTheEmptyGraphDef(absl::string_view bytes, graphrt::GraphFormat format) {
  const std::string empty = graphrt::SerializeGraph(graphrt::Graph(), graphrt::GraphFormat::kBinary);
  if (format == graphrt::GraphFormat::kBinary) return bytes == empty;
  graphrt::proto::GraphDef def;
  return graphrt::ParseTextProto(bytes, &def).ok() && def.SerializeAsString() == empty;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto format = (data[0] & 1) ? graphrt::GraphFormat::kText : graphrt::GraphFormat::kBinary;
  absl::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  absl::StatusOr<graphrt::Graph> graph = graphrt::ParseGraph(bytes, format);
  if (!graph.ok()) return 0;
  if (graph->num_nodes() == 0 && !IsTheEmptyGraphDef(bytes, format)) {
    std::fprintf(stderr, "graph_def_fuzzer: %zu bytes read as an empty graph\n", bytes.size());
    std::abort();
  }
  graphrt::fuzz::PlaceAndPartition(*graph);
  return 0;
}
