// The checkpoint file format: named tensors in one file, with a checksum on
// every part. Session-level saving and restoring (which variables, devices,
// the atomic write) is core/executor/checkpoint.h; the format is described
// byte by byte in docs/checkpoints.md.
//
//   header   40 bytes: magic "GRTCKPT\0", version, entry count, index and
//            data sizes, CRC-32 of the index, CRC-32 of the header's first 36
//   index    per entry: name, dtype name, dims, data offset and size, CRC-32
//   data     each tensor's elements, row-major, little-endian, packed
//
// ParseCheckpoint trusts nothing in the bytes: a wrong magic, a newer
// version, a size that disagrees with the file (truncation or trailing
// bytes), a checksum mismatch, an index entry that runs past the index, a
// bad dtype or shape, data outside the data section or a duplicate name is
// DATA_LOSS (INVALID_ARGUMENT for a version it does not read) saying which.
//
// Thread-safety: pure functions.
#ifndef GRAPHRT_CORE_GRAPH_IO_CHECKPOINT_FORMAT_H_
#define GRAPHRT_CORE_GRAPH_IO_CHECKPOINT_FORMAT_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/graph/tensor.h"

namespace graphrt {

inline constexpr char kCheckpointMagic[8] = {'G', 'R', 'T', 'C', 'K', 'P', 'T', '\0'};
inline constexpr uint32_t kCheckpointVersion = 1;
inline constexpr size_t kCheckpointHeaderBytes = 40;

struct CheckpointEntry {
  std::string name;  // unique, non-empty, at most 65535 bytes
  Tensor value;      // a host tensor of a fixed-size dtype (not kResource)
};

// The CRC-32 of zlib and PNG (polynomial 0xEDB88320), continued from `crc`.
uint32_t Crc32(absl::string_view data, uint32_t crc = 0);

// Writes the checkpoint of `entries` (in the order given; the session sorts
// them by name) as consecutive pieces through `write`, the tensors' bytes
// straight from their buffers; stops at the first error `write` returns.
// INVALID_ARGUMENT for an entry the format cannot hold (empty or duplicate
// name, uninitialised or device tensor, kResource dtype).
absl::Status WriteCheckpoint(std::span<const CheckpointEntry> entries,
                             absl::FunctionRef<absl::Status(absl::string_view)> write);
// The same into one string (tests, fuzz seeds).
absl::StatusOr<std::string> SerializeCheckpoint(std::span<const CheckpointEntry> entries);

// The entries of a checkpoint file's bytes, as host tensors, in file order.
absl::StatusOr<std::vector<CheckpointEntry>> ParseCheckpoint(absl::string_view bytes);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_IO_CHECKPOINT_FORMAT_H_
