#include "examples/fashion_mnist_mlp/idx_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"

namespace graphrt::mnist {
namespace {

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

absl::Status Malformed(const std::string& path, absl::string_view why) {
  return absl::DataLossError(absl::StrCat(path, ": not a valid IDX file (", why,
                                          "); reinstall it with "
                                          "`apt-get install --reinstall dataset-fashion-mnist`"));
}

// Reads exactly `n` bytes; false at a short read.
bool ReadFully(gzFile f, void* out, size_t n) {
  char* p = static_cast<char*>(out);
  while (n > 0) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n, 1u << 30));
    const int got = gzread(f, p, chunk);
    if (got <= 0) return false;
    p += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

}  // namespace

absl::StatusOr<Tensor> ReadIdx(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return absl::NotFoundError(absl::StrCat(
        path, " does not exist; install the dataset with `apt-get install dataset-fashion-mnist` "
              "(or pass --data-dir)"));
  }
  GzFile f(gzopen(path.c_str(), "rb"));  // reads plain files too
  if (f == nullptr) return absl::NotFoundError(absl::StrCat(path, ": cannot be opened"));
  unsigned char header[4];
  if (!ReadFully(f.get(), header, 4)) return Malformed(path, "shorter than its header");
  if (header[0] != 0 || header[1] != 0) return Malformed(path, "bad magic number");
  if (header[2] != 0x08) {
    return Malformed(path, absl::StrCat("element type 0x", absl::Hex(header[2]),
                                        " is not uint8 (0x08)"));
  }
  const int rank = header[3];
  if (rank < 1 || rank > 4) return Malformed(path, absl::StrCat(rank, " dims"));
  std::vector<int64_t> dims;
  for (int i = 0; i < rank; ++i) {
    unsigned char b[4];
    if (!ReadFully(f.get(), b, 4)) return Malformed(path, "truncated dims");
    dims.push_back((int64_t{b[0]} << 24) | (int64_t{b[1]} << 16) | (int64_t{b[2]} << 8) | b[3]);
  }
  absl::StatusOr<TensorShape> shape = TensorShape::Make(dims);
  if (!shape.ok() || shape->num_elements() > (int64_t{1} << 32)) {
    return Malformed(path, "implausible dims");
  }
  Tensor t(DataType::kUint8, *shape);
  if (!ReadFully(f.get(), t.raw_data(), static_cast<size_t>(t.num_elements()))) {
    return Malformed(path, absl::StrCat("truncated: fewer than the ", t.num_elements(),
                                        " elements its header promises"));
  }
  return t;
}

Dataset Dataset::Slice(int64_t begin, int64_t end) const {
  const int64_t pixels = images.num_elements() / std::max<int64_t>(1, size());
  TensorShape shape = images.shape();
  shape.set_dim(0, end - begin);
  Dataset out{Tensor(DataType::kUint8, shape), Tensor(DataType::kInt64, {end - begin})};
  std::memcpy(out.images.raw_data(), images.data<uint8_t>() + begin * pixels,
              static_cast<size_t>((end - begin) * pixels));
  std::memcpy(out.labels.raw_data(), labels.data<int64_t>() + begin,
              static_cast<size_t>(end - begin) * sizeof(int64_t));
  return out;
}

namespace {

absl::StatusOr<Dataset> LoadSplit(const std::string& dir, const std::string& prefix) {
  const std::string images_path = absl::StrCat(dir, "/", prefix, "-images-idx3-ubyte.gz");
  const std::string labels_path = absl::StrCat(dir, "/", prefix, "-labels-idx1-ubyte.gz");
  absl::StatusOr<Tensor> images = ReadIdx(images_path);
  if (!images.ok()) return images.status();
  absl::StatusOr<Tensor> raw_labels = ReadIdx(labels_path);
  if (!raw_labels.ok()) return raw_labels.status();
  if (images->rank() != 3 || raw_labels->rank() != 1 ||
      images->dim(0) != raw_labels->dim(0)) {
    return absl::DataLossError(absl::StrCat(images_path, " ", images->ShapeString(), " and ",
                                            labels_path, " ", raw_labels->ShapeString(),
                                            " do not describe the same examples"));
  }
  Tensor labels(DataType::kInt64, raw_labels->shape());
  for (int64_t i = 0; i < labels.num_elements(); ++i) {
    const uint8_t y = raw_labels->data<uint8_t>()[i];
    if (y > 9) {
      return absl::DataLossError(absl::StrCat(labels_path, ": label ", int{y}, " at index ", i,
                                              " is not a class in 0..9"));
    }
    labels.data<int64_t>()[i] = y;
  }
  return Dataset{*std::move(images), std::move(labels)};
}

}  // namespace

absl::StatusOr<FashionMnist> LoadFashionMnist(const std::string& dir) {
  absl::StatusOr<Dataset> train = LoadSplit(dir, "train");
  if (!train.ok()) return train.status();
  absl::StatusOr<Dataset> test = LoadSplit(dir, "t10k");
  if (!test.ok()) return test.status();
  return FashionMnist{*std::move(train), *std::move(test)};
}

absl::StatusOr<TrainingSplits> LoadTrainingSplits(const std::string& dir, int64_t train_examples) {
  absl::StatusOr<FashionMnist> data = LoadFashionMnist(dir);
  if (!data.ok()) return data.status();
  int64_t train_end = data->train.size();
  if (train_examples > 0) {
    train_end = std::min(train_end, kValidationExamples + train_examples);
  }
  return TrainingSplits{data->train.Slice(kValidationExamples, train_end),
                        data->train.Slice(0, kValidationExamples), std::move(data->test)};
}

}  // namespace graphrt::mnist
