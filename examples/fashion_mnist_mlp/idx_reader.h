// Reading the MNIST/Fashion-MNIST IDX files (gzip-compressed or not) into
// uint8 tensors.
//
// IDX (LeCun et al.): two zero bytes, a type byte (0x08 = uint8), the number
// of dims, each dim as a big-endian uint32, then the elements in row-major
// order. Only uint8 files exist in these datasets and only they are read.
//
// Errors: NOT_FOUND naming the path, and the Debian package that provides it,
// when a file is missing; DATA_LOSS naming the path for a truncated or
// malformed file. Thread-safety: pure functions.
#ifndef GRAPHRT_EXAMPLES_FASHION_MNIST_MLP_IDX_READER_H_
#define GRAPHRT_EXAMPLES_FASHION_MNIST_MLP_IDX_READER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "core/graph/tensor.h"

namespace graphrt::mnist {

// Where Debian's dataset-fashion-mnist installs the files.
inline constexpr char kDefaultDataDir[] = "/usr/share/datasets/fashion-mnist";

// One IDX file as a uint8 tensor shaped by its dims.
absl::StatusOr<Tensor> ReadIdx(const std::string& path);

struct Dataset {
  Tensor images;  // uint8 [n, 28, 28]
  Tensor labels;  // int64 [n], classes 0..9
  int64_t size() const { return labels.num_elements(); }
  // Examples [begin, end) as a new dataset (copied).
  Dataset Slice(int64_t begin, int64_t end) const;
};

struct FashionMnist {
  Dataset train;  // 60,000 examples
  Dataset test;   // 10,000 examples
};

// Reads train-{images-idx3,labels-idx1}-ubyte.gz and t10k-... from `dir`;
// checks that images and labels agree in number and labels are in 0..9.
absl::StatusOr<FashionMnist> LoadFashionMnist(const std::string& dir = kDefaultDataDir);

// The training examples' splits (fashion_mnist_mlp, fashion_mnist_cnn): the
// first kValidationExamples training images held out for validation, the
// next `train_examples` of them (<= 0, or more than are left: all the rest,
// 55,000) to train on, and the test set.
inline constexpr int64_t kValidationExamples = 5000;
struct TrainingSplits {
  Dataset train;
  Dataset valid;
  Dataset test;
};
absl::StatusOr<TrainingSplits> LoadTrainingSplits(const std::string& dir, int64_t train_examples);

}  // namespace graphrt::mnist

#endif  // GRAPHRT_EXAMPLES_FASHION_MNIST_MLP_IDX_READER_H_
