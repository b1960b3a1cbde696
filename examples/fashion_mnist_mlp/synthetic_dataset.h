// Random Fashion-MNIST-shaped examples for the examples' tests and training-
// step benchmarks (tests/examples/{mlp,cnn}_test.cc, bench/examples/
// mlp_step_bench.cc, bench/compare/cnn_step_bench.cc), which need batches of
// the right shape but not the dataset: uniform bytes as images, uniform
// classes 0..9 as labels, all drawn from `seed`, images first.
//
// Thread-safety: a pure function.
#ifndef GRAPHRT_EXAMPLES_FASHION_MNIST_MLP_SYNTHETIC_DATASET_H_
#define GRAPHRT_EXAMPLES_FASHION_MNIST_MLP_SYNTHETIC_DATASET_H_

#include <cstdint>

#include "core/graph/initializers.h"
#include "examples/fashion_mnist_mlp/idx_reader.h"

namespace graphrt::mnist {

// `n` examples: uint8 images [n, 28, 28] and int64 labels [n].
inline Dataset SyntheticDataset(int64_t n, uint64_t seed) {
  Dataset d{Tensor(DataType::kUint8, {n, 28, 28}), Tensor(DataType::kInt64, {n})};
  InitRng rng(seed);
  for (uint8_t& p : d.images.flat<uint8_t>()) p = static_cast<uint8_t>(rng.Next());
  for (int64_t& y : d.labels.flat<int64_t>()) y = static_cast<int64_t>(rng.Next() % 10);
  return d;
}

}  // namespace graphrt::mnist

#endif  // GRAPHRT_EXAMPLES_FASHION_MNIST_MLP_SYNTHETIC_DATASET_H_
