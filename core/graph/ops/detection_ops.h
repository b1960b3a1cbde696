// Detection ops with ONNX's semantics (the TF ops differ in layout):
//   NonMaxSuppression: boxes float32 [B, N, 4], scores float32 [B, C, N],
//     max_output_boxes_per_class int64 scalar (0: none), iou_threshold and
//     score_threshold float32 scalars; attr center_point_box (0: corners
//     [y1, x1, y2, x2] in either order, 1: [x_center, y_center, w, h]).
//     Output int64 [num_selected, 3] of (batch, class, box), per batch then
//     class in selection order: boxes with score > score_threshold by
//     descending score (ties: lower index first), each kept unless its IoU
//     with a kept one is > iou_threshold.
// OpDefs in detection_ops.cc, CPU kernel in kernels/cpu/detection_ops.cc.
#ifndef GRAPHRT_CORE_GRAPH_OPS_DETECTION_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_DETECTION_OPS_H_

#include <cstdint>

#include "core/graph/builder.h"

namespace graphrt::ops {

Output NonMaxSuppression(Output boxes, Output scores, Output max_output_boxes_per_class,
                         Output iou_threshold, Output score_threshold, int64_t center_point_box,
                         absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterDetectionOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_DETECTION_OPS_H_
