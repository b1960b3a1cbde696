// Weight initialisers: tensors to give GraphBuilder::NewVariable as initial
// values, drawn from a seeded generator so that a run is reproducible.
//
//   InitRng rng(/*seed=*/42);
//   Variable w = b.NewVariable("w", GlorotUniform({784, 100}, rng));
//
// Values come from InitRng's own 64-bit generator (splitmix64) and its own
// float conversion, so they are the same with every standard library.
// Thread-safety: an InitRng is used by one thread; the functions are pure.
#ifndef GRAPHRT_CORE_GRAPH_INITIALIZERS_H_
#define GRAPHRT_CORE_GRAPH_INITIALIZERS_H_

#include <cstdint>

#include "core/graph/tensor.h"

namespace graphrt {

class InitRng {
 public:
  explicit InitRng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, 1), with 24 random bits (every float32 step of [0.5, 1)).
  float Uniform();

 private:
  uint64_t state_;
};

// Uniform in [-limit, limit] with limit = sqrt(6 / (fan_in + fan_out))
// (Glorot & Bengio 2010; Keras' default for Dense kernels). For a matrix
// [fan_in, fan_out]; for higher ranks the leading dims multiply into both
// fans as Keras counts them (receptive field times channels).
Tensor GlorotUniform(const TensorShape& shape, InitRng& rng);
// Uniform in [lo, hi).
Tensor RandomUniform(const TensorShape& shape, float lo, float hi, InitRng& rng);
// A float32 tensor of zeros (Keras' default for biases).
Tensor Zeros(const TensorShape& shape);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_INITIALIZERS_H_
