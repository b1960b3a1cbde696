// Files graphrt must refuse as graphs (issue 21), as bytes: an ONNX model and
// a binary RuntimeConfig hand-encoded in protobuf wire format, a serialized
// TensorProto (graph.proto's Tensor) and 1 KiB of seeded random bytes. All
// are protobuf wire format, or often parse as it, so a reader that skipped
// unknown fields would take them for empty graphs. Shared by the graph_io,
// tf_import and graphrt CLI tests; header-only.
#ifndef GRAPHRT_TESTS_GRAPH_IO_FOREIGN_FILES_H_
#define GRAPHRT_TESTS_GRAPH_IO_FOREIGN_FILES_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/graph/io/graph_def.h"
#include "core/graph/tensor.h"

namespace graphrt::foreign {

// Protobuf wire format: varints, and fields as tag + value.
inline std::string Varint(uint64_t v) {
  std::string out;
  for (; v >= 0x80; v >>= 7) out += static_cast<char>((v & 0x7f) | 0x80);
  out += static_cast<char>(v);
  return out;
}
inline std::string VarintField(int number, uint64_t v) {
  return Varint(uint64_t(number) << 3 | 0) + Varint(v);
}
inline std::string BytesField(int number, absl::string_view payload) {
  return absl::StrCat(Varint(uint64_t(number) << 3 | 2), Varint(payload.size()), payload);
}

// An ONNX ModelProto (onnx.proto field numbers) as PyTorch would write one:
// ir_version 8, opset 17, producer "pytorch" "2.1.0", and a graph y = x @ w.
inline std::string OnnxModel() {
  const std::string node = BytesField(1, "x") + BytesField(1, "w") + BytesField(2, "y") +
                           BytesField(3, "mm") + BytesField(4, "MatMul");
  const std::string graph = BytesField(1, node) + BytesField(2, "main_graph") +
                            BytesField(11, BytesField(1, "x")) + BytesField(11, BytesField(1, "w")) +
                            BytesField(12, BytesField(1, "y"));
  return VarintField(1, 8) + BytesField(2, "pytorch") + BytesField(3, "2.1.0") +
         BytesField(7, graph) + BytesField(8, BytesField(1, "") + VarintField(2, 17));
}

// A RuntimeConfig (core/executor/runtime_config.proto) in binary: the
// example of docs/graph-files.md. The CLI test checks these bytes against
// the generated class's.
inline std::string RuntimeConfigBinary() {
  const std::string device = BytesField(1, "CPU") + BytesField(3, "") +
                             BytesField(3, VarintField(2, 1));
  const std::string gpu = VarintField(2, 4096) + VarintField(3, 1) +
                          BytesField(4, Varint(1024) + Varint(1024));  // packed
  return VarintField(1, 2) + VarintField(2, 1) + VarintField(3, 1) + VarintField(4, 1) +
         BytesField(7, device) + BytesField(8, gpu);
}

// graph.proto's Tensor: float32 [2, 2].
inline std::string TensorProtoBinary() {
  return TensorToProto(Tensor::FromVector<float>({1, 2, 3, 4}, {2, 2})).SerializeAsString();
}

// `size` bytes from mt19937 seeded with `seed` (the same on every platform).
inline std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

struct File {
  std::string name;  // a file name that says what it is
  std::string bytes;
  bool onnx = false;
};

inline std::vector<File> Files() {
  return {{"model.onnx", OnnxModel(), true},
          {"runtime_config.bin", RuntimeConfigBinary()},
          {"tensor.pb", TensorProtoBinary()},
          {"random.bin", RandomBytes(1024, 21)}};
}

}  // namespace graphrt::foreign

#endif  // GRAPHRT_TESTS_GRAPH_IO_FOREIGN_FILES_H_
