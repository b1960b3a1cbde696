// libFuzzer target: arbitrary bytes through the checkpoint reader
// (core/graph/io/checkpoint_format.h). Built by scripts/fuzz.
//
// Asserts: whatever the reader accepts, the writer writes back, and those
// bytes read back to the same entries and write again to the same bytes (the
// writer's output is canonical: contiguous data, bool bytes 0 or 1).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/graph/io/checkpoint_format.h"

namespace {

void Fail(const char* what) {
  std::fprintf(stderr, "checkpoint_fuzzer: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::vector<graphrt::CheckpointEntry>> entries = graphrt::ParseCheckpoint(bytes);
  if (!entries.ok()) return 0;
  absl::StatusOr<std::string> written = graphrt::SerializeCheckpoint(*entries);
  if (!written.ok()) Fail("an accepted checkpoint cannot be written back");
  absl::StatusOr<std::vector<graphrt::CheckpointEntry>> again = graphrt::ParseCheckpoint(*written);
  if (!again.ok() || again->size() != entries->size()) Fail("written bytes do not read back");
  for (size_t i = 0; i < again->size(); ++i) {
    const graphrt::Tensor& a = (*entries)[i].value;
    const graphrt::Tensor& b = (*again)[i].value;
    if ((*entries)[i].name != (*again)[i].name || a.dtype() != b.dtype() ||
        a.shape() != b.shape() || std::memcmp(a.raw_data(), b.raw_data(), a.TotalBytes()) != 0) {
      Fail("an entry changed on the round trip");
    }
  }
  absl::StatusOr<std::string> rewritten = graphrt::SerializeCheckpoint(*again);
  if (!rewritten.ok() || *rewritten != *written) Fail("the writer is not canonical");
  return 0;
}
