#include "core/graph/ops/batch_norm_ops.h"

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

using DT = DataType;

absl::Status CheckFormat(const ShapeContext& c) {
  ASSIGN_OR_RETURN(std::string format, c.attr<std::string>("data_format"));
  if (format != "NHWC") {
    return c.Error(absl::StrCat("data_format ", format,
                                " is not supported: graphrt's CPU kernels are NHWC only"));
  }
  return absl::OkStatus();
}

// x must be rank 4; returns its channel count (-1 when unknown).
absl::StatusOr<int64_t> Channels(const ShapeContext& c, int x_input) {
  const PartialShape& x = c.input(x_input);
  if (!x.known_rank()) return -1;
  if (x.rank() != 4) {
    return c.Error(absl::StrCat("x must have rank 4 (NHWC), got ", x.DebugString()));
  }
  return x.dim(3);
}

// Input `i` must be a vector of `channels` (or of 0 when `may_be_empty`).
absl::Status CheckVector(const ShapeContext& c, int i, const char* what, int64_t& channels,
                         bool may_be_empty = false) {
  const PartialShape& v = c.input(i);
  if (!v.known_rank()) return absl::OkStatus();
  const bool ok_rank = v.rank() == 1;
  const int64_t n = ok_rank ? v.dim(0) : -1;
  if (ok_rank && (n < 0 || channels < 0 || n == channels || (may_be_empty && n == 0))) {
    if (channels < 0 && n > 0) channels = n;
    return absl::OkStatus();
  }
  return c.Error(absl::StrCat(what, " must be a vector of the ", channels,
                              " channels of x, got ", v.DebugString()));
}

absl::Status FusedBatchNormShape(ShapeContext& c) {
  RETURN_IF_ERROR(CheckFormat(c));
  ASSIGN_OR_RETURN(bool training, c.attr<bool>("is_training"));
  ASSIGN_OR_RETURN(float factor, c.attr<float>("exponential_avg_factor"));
  ASSIGN_OR_RETURN(int64_t channels, Channels(c, 0));
  RETURN_IF_ERROR(CheckVector(c, 1, "scale", channels));
  RETURN_IF_ERROR(CheckVector(c, 2, "offset", channels));
  const bool may_be_empty = training && factor == 1.0f;
  RETURN_IF_ERROR(CheckVector(c, 3, "mean", channels, may_be_empty));
  RETURN_IF_ERROR(CheckVector(c, 4, "variance", channels, may_be_empty));
  c.set_output(0, c.input(0));
  for (int i = 1; i <= 4; ++i) c.set_output(i, PartialShape{channels});
  c.set_output(5, PartialShape::Scalar());
  return absl::OkStatus();
}

absl::Status FusedBatchNormGradShape(ShapeContext& c) {
  RETURN_IF_ERROR(CheckFormat(c));
  ASSIGN_OR_RETURN(int64_t channels, Channels(c, 1));
  const PartialShape& dy = c.input(0);
  if (dy.known_rank() && c.input(1).known_rank() && !dy.IsCompatibleWith(c.input(1))) {
    return c.Error(absl::StrCat("y_backprop ", dy.DebugString(), " and x ",
                                c.input(1).DebugString(), " differ in shape"));
  }
  RETURN_IF_ERROR(CheckVector(c, 2, "scale", channels));
  RETURN_IF_ERROR(CheckVector(c, 3, "reserve_space_1 (the saved mean)", channels));
  RETURN_IF_ERROR(CheckVector(c, 4, "reserve_space_2 (the saved variance)", channels));
  c.set_output(0, c.input(1).known_rank() ? c.input(1) : dy);
  c.set_output(1, PartialShape{channels});
  c.set_output(2, PartialShape{channels});
  c.set_output(3, PartialShape{0});
  c.set_output(4, PartialShape{0});
  return absl::OkStatus();
}

}  // namespace

void RegisterBatchNormOps(OpRegistry& r) {
  (void)r.Register(OpDefBuilder("FusedBatchNormV3")
                       .Input("x: T")
                       .Input("scale: U")
                       .Input("offset: U")
                       .Input("mean: U")
                       .Input("variance: U")
                       .Output("y: T")
                       .Output("batch_mean: U")
                       .Output("batch_variance: U")
                       .Output("reserve_space_1: U")
                       .Output("reserve_space_2: U")
                       .Output("reserve_space_3: U")
                       .TypeAttr("T", {DT::kFloat32})
                       .TypeAttr("U", {DT::kFloat32})
                       .Attr("epsilon", AttrType::kFloat, 1e-4f)
                       .Attr("exponential_avg_factor", AttrType::kFloat, 1.0f)
                       .Attr("data_format", AttrType::kString, std::string("NHWC"))
                       .Attr("is_training", AttrType::kBool, true)
                       .Shape(FusedBatchNormShape)
                       .Doc("Batch normalisation over N, H, W of NHWC x (batch_norm_ops.h)."));
  (void)r.Register(OpDefBuilder("FusedBatchNormGradV3")
                       .Input("y_backprop: T")
                       .Input("x: T")
                       .Input("scale: float32")
                       .Input("reserve_space_1: U")
                       .Input("reserve_space_2: U")
                       .Input("reserve_space_3: U")
                       .Output("x_backprop: T")
                       .Output("scale_backprop: U")
                       .Output("offset_backprop: U")
                       .Output("reserve_space_4: U")
                       .Output("reserve_space_5: U")
                       .TypeAttr("T", {DT::kFloat32})
                       .TypeAttr("U", {DT::kFloat32})
                       .Attr("epsilon", AttrType::kFloat, 1e-4f)
                       .Attr("data_format", AttrType::kString, std::string("NHWC"))
                       .Attr("is_training", AttrType::kBool, true)
                       .Shape(FusedBatchNormGradShape)
                       .Doc("FusedBatchNormV3's gradients (batch_norm_ops.h)."));
}

namespace ops {

FusedBatchNormOutputs FusedBatchNormV3(Output x, Output scale, Output offset, Output mean,
                                       Output variance, const FusedBatchNormAttrs& attrs,
                                       absl::string_view name) {
  for (const Output& o : {x, scale, offset, mean, variance}) {
    if (!o.valid()) return {};
  }
  Output in[] = {x, scale, offset, mean, variance};
  GraphBuilder* b = x.builder();
  const int id = b->AddNode("FusedBatchNormV3", in,
                            {{"epsilon", attrs.epsilon},
                             {"exponential_avg_factor", attrs.exponential_avg_factor},
                             {"is_training", attrs.is_training},
                             {"data_format", attrs.data_format}},
                            name);
  if (id < 0) return {};
  return {Output(b, id, 0), Output(b, id, 1), Output(b, id, 2),
          Output(b, id, 3), Output(b, id, 4), Output(b, id, 5)};
}

FusedBatchNormGradOutputs FusedBatchNormGradV3(Output y_backprop, Output x, Output scale,
                                               Output reserve_space_1, Output reserve_space_2,
                                               Output reserve_space_3,
                                               const FusedBatchNormAttrs& attrs,
                                               absl::string_view name) {
  for (const Output& o : {y_backprop, x, scale, reserve_space_1, reserve_space_2,
                          reserve_space_3}) {
    if (!o.valid()) return {};
  }
  Output in[] = {y_backprop, x, scale, reserve_space_1, reserve_space_2, reserve_space_3};
  GraphBuilder* b = x.builder();
  const int id = b->AddNode("FusedBatchNormGradV3", in,
                            {{"epsilon", attrs.epsilon},
                             {"is_training", attrs.is_training},
                             {"data_format", attrs.data_format}},
                            name);
  if (id < 0) return {};
  return {Output(b, id, 0), Output(b, id, 1), Output(b, id, 2), Output(b, id, 3),
          Output(b, id, 4)};
}

}  // namespace ops
}  // namespace graphrt
