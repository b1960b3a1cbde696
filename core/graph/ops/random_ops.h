// Random op functions: StatelessRandomUniformLike, and Dropout composed of
// it. OpDefs live in random_ops.cc, kernels in kernels/{cpu,gpu}/random_*.
//
// Values are a pure function of (seed, element index): Philox 4x32-10
// (Salmon et al., SC'11; kernels/common/philox.h) keyed by seed[0], with
// seed[1] in the counter's upper half, so the same seed gives the same
// tensor on every device and thread count. The streams differ from
// TensorFlow's StatelessRandomUniform (another key/counter layout): a model
// trained here does not reproduce TF's dropout masks bit for bit.
//
// Training loops pass the step in seed[1] (Dropout does): feed it each step,
// or read an int64 variable the loop increments (AssignAddVariable), so
// each step draws a new mask and a rerun of step k draws step k's mask again.
#ifndef GRAPHRT_CORE_GRAPH_OPS_RANDOM_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_RANDOM_OPS_H_

#include <cstdint>

#include "core/graph/builder.h"

namespace graphrt::ops {

// float32 uniform in [0, 1) with like's shape (only its shape is read);
// `seed` is an int32 or int64 tensor of shape [2]. Multiples of 2^-24.
Output StatelessRandomUniformLike(Output like, Output seed, absl::string_view name = {});

// Inverted dropout of float32 x: each element kept with probability
// 1 - rate and scaled by 1 / (1 - rate), else 0 (u >= rate keeps it, u the
// uniform of the element). `step` is an int32 or int64 scalar; the mask is a
// pure function of (seed, step, element index). rate must be in [0, 1): the
// builder records INVALID_ARGUMENT otherwise; rate 0 returns x itself. The
// gradient (AddGradients) multiplies by the same mask tensor.
Output Dropout(Output x, float rate, int64_t seed, Output step, absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterRandomOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_RANDOM_OPS_H_
