// Gradients of the random ops (core/graph/ops/random_ops.h).
// StatelessRandomUniformLike reads only its like input's shape, and the seed
// is an integer: no input gets a gradient, so a path through it contributes
// nothing (Dropout's gradient flows through its Mul by the mask instead).
#include "core/graph/gradients.h"

namespace graphrt {

void RegisterRandomGradients(GradientRegistry& r) {
  r.Register("StatelessRandomUniformLike",
             [](const GradContext&, std::vector<Output>&) { return absl::OkStatus(); });
}

}  // namespace graphrt
