#include "core/graph/ops/detection_ops.h"

#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

absl::Status NmsShape(ShapeContext& c) {
  c.set_output(0, PartialShape{-1, 3});  // the count is known at run time
  return absl::OkStatus();
}

}  // namespace

void RegisterDetectionOps(OpRegistry& r) {
  (void)r.Register(OpDefBuilder("NonMaxSuppression")
                       .Input("boxes: float32")
                       .Input("scores: float32")
                       .Input("max_output_boxes_per_class: int64")
                       .Input("iou_threshold: float32")
                       .Input("score_threshold: float32")
                       .Output("selected_indices: int64")
                       .Attr("center_point_box", AttrType::kInt, int64_t{0})
                       .Shape(NmsShape)
                       .Doc("Greedy per-class NMS, ONNX semantics: [n, 3] (batch, class, box)."));
}

namespace ops {

Output NonMaxSuppression(Output boxes, Output scores, Output max_output_boxes_per_class,
                         Output iou_threshold, Output score_threshold, int64_t center_point_box,
                         absl::string_view name) {
  if (!boxes.valid() || !scores.valid() || !max_output_boxes_per_class.valid() ||
      !iou_threshold.valid() || !score_threshold.valid()) {
    return Output();
  }
  Output in[] = {boxes, scores, max_output_boxes_per_class, iou_threshold, score_threshold};
  return boxes.builder()->Op("NonMaxSuppression", in, {{"center_point_box", center_point_box}},
                             name);
}

}  // namespace ops
}  // namespace graphrt
