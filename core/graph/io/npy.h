// NumPy .npy files (format versions 1.0 to 3.0) as Tensors: what users have
// at hand to feed a graph and read its outputs (np.save / np.load).
//
// Reads little-endian float32 ('<f4'), int32 ('<i4'), int64 ('<i8'), uint8
// ('|u1') and bool ('|b1') arrays in C order; anything else is
// INVALID_ARGUMENT naming the dtype and the fix (e.g. `a.astype(np.float32)`).
// Writes version 1.0 files that np.load reads.
//
// Thread-safety: pure functions.
#ifndef GRAPHRT_CORE_GRAPH_IO_NPY_H_
#define GRAPHRT_CORE_GRAPH_IO_NPY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/graph/tensor.h"

namespace graphrt {

absl::StatusOr<Tensor> ParseNpy(absl::string_view data);
std::string SerializeNpy(const Tensor& tensor);

// Files: NOT_FOUND for a missing file; errors name the path.
absl::StatusOr<Tensor> ReadNpy(const std::string& path);
absl::Status WriteNpy(const Tensor& tensor, const std::string& path);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_IO_NPY_H_
