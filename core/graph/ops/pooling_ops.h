// Pooling op functions (NHWC, TF's names, inputs and attrs): MaxPool and
// AvgPool, and their gradient ops MaxPoolGrad and AvgPoolGrad. OpDefs and
// shape functions live in pooling_ops.cc, gradients in pooling_grad.cc, CPU
// kernels in kernels/cpu/pooling_ops.h.
//
// Windows follow core/graph/ops/conv_window.h: ksize and strides are
// [1, h, w, 1]. MaxPool takes SAME, VALID or EXPLICIT padding (padded cells
// never win); AvgPool takes SAME or VALID and, as in TF, divides by the
// number of cells of the window inside the input. MaxPoolGrad routes each
// gradient to the first maximum of its window (row-major), as TF's CPU
// kernel does. AvgPoolGrad's first input is TF's int32 [4] shape of the
// pooled input or, a graphrt extension, a float32 tensor of that shape.
#ifndef GRAPHRT_CORE_GRAPH_OPS_POOLING_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_POOLING_OPS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/graph/builder.h"

namespace graphrt::ops {

struct PoolAttrs {
  std::vector<int64_t> ksize = {1, 2, 2, 1};
  std::vector<int64_t> strides = {1, 2, 2, 1};
  std::string padding = "VALID";                // "SAME", "VALID" ("EXPLICIT": MaxPool)
  std::vector<int64_t> explicit_paddings = {};  // MaxPool with "EXPLICIT" only
  std::string data_format = "NHWC";             // NHWC only
};

Output MaxPool(Output input, const PoolAttrs& attrs = {}, absl::string_view name = {});
Output AvgPool(Output value, const PoolAttrs& attrs = {}, absl::string_view name = {});
Output MaxPoolGrad(Output orig_input, Output orig_output, Output grad,
                   const PoolAttrs& attrs = {}, absl::string_view name = {});
Output AvgPoolGrad(Output orig_input_shape, Output grad, const PoolAttrs& attrs = {},
                   absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterPoolingOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_POOLING_OPS_H_
