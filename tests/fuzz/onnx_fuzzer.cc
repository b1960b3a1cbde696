// libFuzzer target: arbitrary bytes through the ONNX importer (ModelProto
// parse, ONNX's checker, tensor conversion, the converters), then placement
// and partitioning. Nothing runs. Built by scripts/fuzz.
//
// Asserts: an accepted model has one fetch name per ONNX output and one
// placeholder per non-initializer input, each naming a node of the graph.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/graph/onnx/onnx_import.h"
#include "tests/fuzz/fuzz_devices.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<graphrt::OnnxModel> model = graphrt::ParseOnnxModel(bytes);
  if (!model.ok()) return 0;
  if (model->outputs.size() != model->onnx_outputs.size() ||
      model->inputs.size() != model->onnx_inputs.size()) {
    std::fprintf(stderr, "onnx_fuzzer: names and ONNX names differ in count\n");
    std::abort();
  }
  for (const std::vector<std::string>* names : {&model->inputs, &model->outputs}) {
    for (const std::string& name : *names) {
      if (!model->graph.ParseEndpoint(name).ok()) {
        std::fprintf(stderr, "onnx_fuzzer: '%s' names no tensor of the graph\n", name.c_str());
        std::abort();
      }
    }
  }
  graphrt::fuzz::PlaceAndPartition(model->graph);
  return 0;
}
