// Fashion-MNIST's gzip IDX files as torch tensors, for the libtorch peers of
// bench/compare (libtorch_cnn.cc, libtorch_mlp.cc).
// Header-only: each peer is one g++ command line. Throws std::runtime_error
// on a missing or malformed file (the peers catch it in main).
#ifndef GRAPHRT_BENCH_COMPARE_LIBTORCH_IDX_H_
#define GRAPHRT_BENCH_COMPARE_LIBTORCH_IDX_H_

#include <torch/torch.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace compare {

constexpr int64_t kPixels = 28 * 28;

inline std::vector<uint8_t> ReadGz(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) throw std::runtime_error("cannot open " + path);
  std::vector<uint8_t> out, chunk(1 << 20);
  for (int n; (n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()))) != 0;) {
    if (n < 0) {
      gzclose(f);
      throw std::runtime_error("gzread failed on " + path);
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
  }
  gzclose(f);
  return out;
}

// The payload of an IDX file of unsigned bytes; `dims` gets its shape.
inline std::vector<uint8_t> ReadIdx(const std::string& path, std::vector<int64_t>* dims) {
  std::vector<uint8_t> raw = ReadGz(path);
  if (raw.size() < 4 || raw[0] != 0 || raw[1] != 0 || raw[2] != 0x08)
    throw std::runtime_error(path + ": not an IDX file of unsigned bytes");
  const size_t offset = 4 + 4 * static_cast<size_t>(raw[3]);
  if (raw.size() < offset) throw std::runtime_error(path + ": truncated header");
  dims->clear();
  int64_t count = 1;
  for (size_t i = 4; i < offset; i += 4) {
    dims->push_back((int64_t{raw[i]} << 24) | (int64_t{raw[i + 1]} << 16) | (int64_t{raw[i + 2]} << 8) |
                    int64_t{raw[i + 3]});
    count *= dims->back();
  }
  if (raw.size() != offset + static_cast<size_t>(count))
    throw std::runtime_error(path + ": payload size does not match its header");
  return std::vector<uint8_t>(raw.begin() + static_cast<std::ptrdiff_t>(offset), raw.end());
}

// Images as [n, 784] uint8, labels as [n] int64.
struct Split {
  torch::Tensor images;
  torch::Tensor labels;
  int64_t size() const { return images.size(0); }
};

inline Split LoadSplit(const std::string& dir, const std::string& prefix) {
  std::vector<int64_t> idims, ldims;
  std::vector<uint8_t> img = ReadIdx(dir + "/" + prefix + "-images-idx3-ubyte.gz", &idims);
  std::vector<uint8_t> lab = ReadIdx(dir + "/" + prefix + "-labels-idx1-ubyte.gz", &ldims);
  if (idims.size() != 3 || idims[1] * idims[2] != kPixels || ldims.size() != 1 || ldims[0] != idims[0])
    throw std::runtime_error("unexpected IDX shapes for " + prefix);
  Split s{torch::empty({idims[0], kPixels}, torch::kUInt8), torch::empty({idims[0]}, torch::kInt64)};
  std::memcpy(s.images.data_ptr<uint8_t>(), img.data(), img.size());
  for (int64_t i = 0; i < idims[0]; ++i) s.labels.data_ptr<int64_t>()[i] = lab[static_cast<size_t>(i)];
  return s;
}

}  // namespace compare

#endif  // GRAPHRT_BENCH_COMPARE_LIBTORCH_IDX_H_
