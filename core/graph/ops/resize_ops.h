// Resize: N-D interpolation of a float32 tensor (nearest, linear, cubic), the
// semantics of ONNX's Resize (opsets 10 to 13) and Upsample, so the ONNX
// importer maps both onto one op. OpDef in resize_ops.cc, CPU kernel in
// kernels/cpu/resize_op.cc; no gradient.
//
// Inputs: x, roi (float32 [2 * rank]: starts then ends, normalised; read only
// by coordinate_transformation_mode "tf_crop_and_resize"), scales (float32
// [rank]) and sizes (int64 [rank]). Exactly one of scales and sizes is
// non-empty; an empty tensor stands for an input left out. With scales the
// output dim is floor(in * scale); with sizes the scale is out / in.
//
// Attrs (ONNX's names and defaults): mode nearest | linear | cubic;
// coordinate_transformation_mode half_pixel | pytorch_half_pixel |
// align_corners | asymmetric | tf_half_pixel_for_nn | tf_crop_and_resize;
// nearest_mode round_prefer_floor | round_prefer_ceil | floor | ceil |
// simple (Upsample and Resize-10: floor when upsampling, ceil when
// downsampling); cubic_coeff_a (-0.75); exclude_outside; extrapolation_value.
#ifndef GRAPHRT_CORE_GRAPH_OPS_RESIZE_OPS_H_
#define GRAPHRT_CORE_GRAPH_OPS_RESIZE_OPS_H_

#include <string>

#include "core/graph/builder.h"

namespace graphrt::ops {

struct ResizeAttrs {
  std::string mode = "nearest";
  std::string coordinate_transformation_mode = "half_pixel";
  std::string nearest_mode = "round_prefer_floor";
  float cubic_coeff_a = -0.75f;
  bool exclude_outside = false;
  float extrapolation_value = 0.0f;
};

// roi, scales, sizes may be invalid Outputs: each then becomes an empty
// constant (the op's "left out").
Output Resize(Output x, Output roi, Output scales, Output sizes, const ResizeAttrs& attrs,
              absl::string_view name = {});

}  // namespace graphrt::ops

namespace graphrt {
void RegisterResizeOps(OpRegistry& registry);
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_RESIZE_OPS_H_
