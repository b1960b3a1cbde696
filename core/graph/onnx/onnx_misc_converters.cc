// ONNX converters of the misc family (ops no other family covers): Resize
// (opsets 10, 11, 13) and Upsample (opsets 7, 9), both onto graphrt's
// Resize (core/graph/ops/resize_ops.h); Einsum onto graphrt's Einsum;
// Shrink, MeanVarianceNormalization and Det (MatrixDeterminant) onto the
// ops of core/graph/ops/misc_ops.h, with ReverseSequence (TF's op: ONNX's
// time_axis and batch_axis are its seq_dim and batch_dim) and Compress.
//
// Note [Upsample and Resize-10 coordinates]
// Upsample and Resize-10 predate coordinate_transformation_mode: their
// output index i reads input i / scale (asymmetric), and nearest picks
// floor when upsampling (ceil when downsampling), the rule ONNX Runtime
// keeps for those opsets ("simple" in the op's nearest_mode).
#include <cmath>
#include <string>
#include <vector>

#include "core/base/status_macros.h"
#include "core/graph/onnx/onnx_converter.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/detection_ops.h"
#include "core/graph/ops/einsum_ops.h"
#include "core/graph/ops/misc_ops.h"
#include "core/graph/ops/resize_ops.h"

namespace graphrt::onnx_import {
namespace {

// Input i as a float32 tensor, or an invalid Output when left out.
absl::StatusOr<Output> OptionalFloatInput(OnnxContext& ctx, int i) {
  if (i >= ctx.num_inputs() || !ctx.HasInput(i)) return Output();
  ASSIGN_OR_RETURN(Output v, ctx.Input(i));
  if (v.dtype() != DataType::kFloat32) v = ops::Cast(v, DataType::kFloat32);
  return v;
}

absl::StatusOr<Output> FloatX(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  if (x.dtype() != DataType::kFloat32) {
    return ctx.Unsupported("x must be float32, got ", DataTypeName(x.dtype()),
                           " (Cast it to float32 first)");
  }
  return x;
}

absl::StatusOr<std::string> LegacyMode(OnnxContext& ctx) {
  std::string mode = ctx.StringAttr("mode", "nearest");
  if (mode == "bilinear" || mode == "trilinear") mode = "linear";
  if (mode != "nearest" && mode != "linear") {
    return ctx.Error("mode '", mode, "' is not one of nearest, linear");
  }
  return mode;
}

// Upsample-7 (scales attribute), Upsample-9 and Resize-10 (scales input).
absl::Status ConvertLegacyResize(OnnxContext& ctx, Output scales) {
  ASSIGN_OR_RETURN(Output x, FloatX(ctx));
  ops::ResizeAttrs attrs;
  ASSIGN_OR_RETURN(attrs.mode, LegacyMode(ctx));
  attrs.coordinate_transformation_mode = "asymmetric";  // Note [Upsample and Resize-10 ...]
  attrs.nearest_mode = "simple";
  return ctx.SetOutput(0, ops::Resize(x, Output(), scales, Output(), attrs, ctx.node().name()));
}

absl::Status ConvertUpsample7(OnnxContext& ctx) {
  std::vector<float> scales = ctx.FloatsAttr("scales");
  if (scales.empty()) return ctx.Error("attr 'scales' is not set");
  return ConvertLegacyResize(ctx, ctx.builder().Const(Tensor::FromVector(scales)));
}

absl::Status ConvertUpsample9(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output scales, OptionalFloatInput(ctx, 1));
  if (!scales.valid()) return ctx.Error("input 1 (scales) is required");
  return ConvertLegacyResize(ctx, scales);
}

// Resize-11 and -13: X, roi, scales, sizes (roi and scales may be left out
// or empty in 13; exactly one of scales and sizes is non-empty, checked by
// the kernel because the suite feeds them at run time).
absl::Status ConvertResize(OnnxContext& ctx) {
  if (ctx.opset() < 11) return ConvertUpsample9(ctx);
  ASSIGN_OR_RETURN(Output x, FloatX(ctx));
  ops::ResizeAttrs attrs;
  attrs.mode = ctx.StringAttr("mode", "nearest");
  attrs.coordinate_transformation_mode =
      ctx.StringAttr("coordinate_transformation_mode", "half_pixel");
  attrs.nearest_mode = ctx.StringAttr("nearest_mode", "round_prefer_floor");
  attrs.cubic_coeff_a = ctx.FloatAttr("cubic_coeff_a", -0.75f);
  attrs.exclude_outside = ctx.IntAttr("exclude_outside", 0) != 0;
  attrs.extrapolation_value = ctx.FloatAttr("extrapolation_value", 0.0f);
  for (const char* name : {"antialias", "axes", "keep_aspect_ratio_policy"}) {
    if (ctx.FindAttr(name) != nullptr) {
      return ctx.Unsupported("attr '", name, "' (Resize-18) is not imported");
    }
  }
  // roi is read only by tf_crop_and_resize; elsewhere it may hold anything.
  Output roi;
  if (attrs.coordinate_transformation_mode == "tf_crop_and_resize") {
    ASSIGN_OR_RETURN(roi, OptionalFloatInput(ctx, 1));
    if (!roi.valid()) return ctx.Error("tf_crop_and_resize needs input 1 (roi)");
  }
  ASSIGN_OR_RETURN(Output scales, OptionalFloatInput(ctx, 2));
  Output sizes;
  if (ctx.num_inputs() > 3 && ctx.HasInput(3)) {
    ASSIGN_OR_RETURN(sizes, ctx.Input(3));
    if (sizes.dtype() != DataType::kInt64) sizes = ops::Cast(sizes, DataType::kInt64);
  }
  if (!scales.valid() && !sizes.valid()) return ctx.Error("needs input scales or sizes");
  return ctx.SetOutput(0, ops::Resize(x, roi, scales, sizes, attrs, ctx.node().name()));
}

absl::Status ConvertEinsum(OnnxContext& ctx) {
  const std::string equation = ctx.StringAttr("equation", "");
  if (equation.empty()) return ctx.Error("attr 'equation' is not set");
  std::vector<Output> inputs;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    ASSIGN_OR_RETURN(Output v, ctx.Input(i));
    if (v.dtype() != DataType::kFloat32 && v.dtype() != DataType::kFloat64) {
      return ctx.Unsupported("input ", i, " is ", DataTypeName(v.dtype()),
                             "; Einsum is imported for float32 and float64");
    }
    inputs.push_back(v);
  }
  if (inputs.empty()) return ctx.Error("needs at least one input");
  return ctx.SetOutput(0, ops::Einsum(inputs, equation, ctx.node().name()));
}

absl::StatusOr<Output> FloatInput(OnnxContext& ctx, int i) {
  ASSIGN_OR_RETURN(Output v, ctx.Input(i));
  if (v.dtype() != DataType::kFloat32 && v.dtype() != DataType::kFloat64) {
    return ctx.Unsupported("input ", i, " is ", DataTypeName(v.dtype()),
                           "; imported for float32 and float64");
  }
  return v;
}

absl::Status ConvertShrink(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, FloatInput(ctx, 0));
  return ctx.SetOutput(0, ops::Shrink(x, ctx.FloatAttr("bias", 0.0f),
                                      ctx.FloatAttr("lambd", 0.5f), ctx.node().name()));
}

absl::Status ConvertMvn(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, FloatInput(ctx, 0));
  std::vector<int64_t> axes = ctx.OptionalIntsAttr("axes").value_or(std::vector<int64_t>{0, 2, 3});
  return ctx.SetOutput(0, ops::MeanVarianceNormalization(x, axes, ctx.node().name()));
}

absl::Status ConvertDet(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, FloatInput(ctx, 0));
  return ctx.SetOutput(0, ops::MatrixDeterminant(x, ctx.node().name()));
}

absl::Status ConvertReverseSequence(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  ASSIGN_OR_RETURN(Output lens, ctx.Input(1));
  return ctx.SetOutput(0, ops::ReverseSequence(x, lens, ctx.IntAttr("time_axis", 0),
                                               ctx.IntAttr("batch_axis", 1),
                                               ctx.node().name()));
}

absl::Status ConvertCompress(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  ASSIGN_OR_RETURN(Output cond, ctx.Input(1));
  if (cond.dtype() != DataType::kBool) return ctx.Error("condition must be bool");
  const bool flatten = ctx.FindAttr("axis") == nullptr;
  return ctx.SetOutput(0, ops::Compress(x, cond, ctx.IntAttr("axis", 0), flatten,
                                        ctx.node().name()));
}

absl::Status ConvertMaxUnpool(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, FloatX(ctx));
  ASSIGN_OR_RETURN(Output indices, ctx.Input(1));
  if (indices.dtype() != DataType::kInt64) return ctx.Error("indices must be int64");
  std::vector<int64_t> kernel = ctx.IntsAttr("kernel_shape");
  if (kernel.empty()) return ctx.Error("attr 'kernel_shape' is not set");
  Output shape;
  if (ctx.num_inputs() > 2 && ctx.HasInput(2)) {
    ASSIGN_OR_RETURN(shape, ctx.Input(2));
  }
  return ctx.SetOutput(0, ops::MaxUnpool(x, indices, shape, kernel, ctx.IntsAttr("strides"),
                                         ctx.IntsAttr("pads"), ctx.node().name()));
}

absl::Status ConvertNonZero(OnnxContext& ctx) {
  ASSIGN_OR_RETURN(Output x, ctx.Input(0));
  return ctx.SetOutput(0, ops::NonZero(x, ctx.node().name()));
}

// Left-out inputs take ONNX's defaults: no boxes (max 0), IoU threshold 0,
// no score threshold (-inf).
absl::Status ConvertNonMaxSuppression(OnnxContext& ctx) {
  GraphBuilder& b = ctx.builder();
  ASSIGN_OR_RETURN(Output boxes, ctx.Input(0));
  ASSIGN_OR_RETURN(Output scores, ctx.Input(1));
  if (boxes.dtype() != DataType::kFloat32 || scores.dtype() != DataType::kFloat32) {
    return ctx.Unsupported("boxes and scores are imported as float32 only");
  }
  auto optional = [&](int i, Output fallback) -> absl::StatusOr<Output> {
    if (i >= ctx.num_inputs() || !ctx.HasInput(i)) return fallback;
    return ctx.Input(i);
  };
  ASSIGN_OR_RETURN(Output max_out, optional(2, b.Scalar<int64_t>(0)));
  ASSIGN_OR_RETURN(Output iou, optional(3, b.Scalar<float>(0.0f)));
  ASSIGN_OR_RETURN(Output score, optional(4, b.Scalar<float>(-INFINITY)));
  return ctx.SetOutput(0, ops::NonMaxSuppression(boxes, scores, max_out, iou, score,
                                                 ctx.IntAttr("center_point_box", 0),
                                                 ctx.node().name()));
}

}  // namespace

void AddMiscConverters(std::vector<OnnxConverter>& table) {
  table.push_back({"Resize", 10, ConvertResize});
  table.push_back({"Upsample", 7, ConvertUpsample7});
  table.push_back({"Upsample", 9, ConvertUpsample9});
  table.push_back({"Einsum", 12, ConvertEinsum});
  table.push_back({"Shrink", 9, ConvertShrink});
  table.push_back({"MeanVarianceNormalization", 9, ConvertMvn});
  table.push_back({"Det", 11, ConvertDet});
  table.push_back({"ReverseSequence", 10, ConvertReverseSequence});
  table.push_back({"Compress", 9, ConvertCompress});
  table.push_back({"NonZero", 9, ConvertNonZero});
  table.push_back({"MaxUnpool", 9, ConvertMaxUnpool});
  table.push_back({"NonMaxSuppression", 10, ConvertNonMaxSuppression});
}

}  // namespace graphrt::onnx_import
