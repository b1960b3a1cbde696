#include "core/graph/initializers.h"

#include <algorithm>
#include <cmath>

namespace graphrt {

uint64_t InitRng::Next() {
  // splitmix64 (Steele, Lea and Flood 2014): one add and three mixes.
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

float InitRng::Uniform() { return static_cast<float>(Next() >> 40) * 0x1.0p-24f; }

Tensor RandomUniform(const TensorShape& shape, float lo, float hi, InitRng& rng) {
  Tensor t(DataType::kFloat32, shape);
  for (float& v : t.flat<float>()) v = lo + (hi - lo) * rng.Uniform();
  return t;
}

Tensor GlorotUniform(const TensorShape& shape, InitRng& rng) {
  double fan_in = 1, fan_out = 1;
  if (shape.rank() == 1) {
    fan_in = fan_out = static_cast<double>(shape.dim(0));
  } else if (shape.rank() >= 2) {
    double receptive = 1;
    for (int i = 0; i + 2 < shape.rank(); ++i) receptive *= static_cast<double>(shape.dim(i));
    fan_in = receptive * static_cast<double>(shape.dim(shape.rank() - 2));
    fan_out = receptive * static_cast<double>(shape.dim(shape.rank() - 1));
  }
  const float limit = static_cast<float>(std::sqrt(6.0 / std::max(1.0, fan_in + fan_out)));
  return RandomUniform(shape, -limit, limit, rng);
}

Tensor Zeros(const TensorShape& shape) {
  Tensor t(DataType::kFloat32, shape);
  std::fill(t.flat<float>().begin(), t.flat<float>().end(), 0.0f);
  return t;
}

}  // namespace graphrt
