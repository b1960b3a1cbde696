#include "core/graph/ops/pooling_ops.h"

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/ops/conv_window.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

using DT = DataType;

int64_t Dim(const PartialShape& s, int i) { return s.known_rank() ? s.dim(i) : -1; }

absl::Status CheckRank4(const ShapeContext& c, const PartialShape& s, const char* what) {
  if (s.known_rank() && s.rank() != 4) {
    return c.Error(absl::StrCat(what, " must have rank 4 (NHWC), got ", s.DebugString()));
  }
  return absl::OkStatus();
}

absl::StatusOr<WindowAttrs> ReadPoolAttrs(const ShapeContext& c, bool explicit_padding) {
  auto attrs = ReadWindowAttrs(c.node_attrs(),
                               {.ksize = true, .explicit_padding = explicit_padding});
  if (!attrs.ok()) return c.Error(attrs.status().message());
  return attrs;
}

absl::Status PoolShape(ShapeContext& c, bool explicit_padding) {
  const PartialShape& in = c.input(0);
  RETURN_IF_ERROR(CheckRank4(c, in, "input"));
  ASSIGN_OR_RETURN(WindowAttrs a, ReadPoolAttrs(c, explicit_padding));
  int64_t out_h = -1, out_w = -1;
  if (Dim(in, 1) >= 0) {
    auto d = ComputeWindowDim(in.dim(1), a.window_h, 1, a.stride_h, a.padding, a.pad_top,
                              a.pad_bottom);
    if (!d.ok()) return c.Error(absl::StrCat("height: ", d.status().message()));
    out_h = d->out;
  }
  if (Dim(in, 2) >= 0) {
    auto d = ComputeWindowDim(in.dim(2), a.window_w, 1, a.stride_w, a.padding, a.pad_left,
                              a.pad_right);
    if (!d.ok()) return c.Error(absl::StrCat("width: ", d.status().message()));
    out_w = d->out;
  }
  c.set_output(0, PartialShape{Dim(in, 0), out_h, out_w, Dim(in, 3)});
  return absl::OkStatus();
}

absl::Status MaxPoolShape(ShapeContext& c) { return PoolShape(c, true); }
absl::Status AvgPoolShape(ShapeContext& c) { return PoolShape(c, false); }

absl::Status MaxPoolGradShape(ShapeContext& c) {
  for (int i = 0; i < 3; ++i) RETURN_IF_ERROR(CheckRank4(c, c.input(i), "every input"));
  RETURN_IF_ERROR(ReadPoolAttrs(c, true).status());
  c.set_output(0, c.input(0));
  return absl::OkStatus();
}

absl::Status AvgPoolGradShape(ShapeContext& c) {
  const PartialShape& sizes = c.input(0);
  RETURN_IF_ERROR(CheckRank4(c, c.input(1), "grad"));
  RETURN_IF_ERROR(ReadPoolAttrs(c, false).status());
  if (c.input_type(0) == DT::kInt32) {
    if (sizes.known_rank() && (sizes.rank() != 1 || (sizes.dim(0) >= 0 && sizes.dim(0) != 4))) {
      return c.Error(absl::StrCat("orig_input_shape must be an int32 vector of 4, got ",
                                  sizes.DebugString()));
    }
    c.set_output(0, PartialShape{-1, -1, -1, Dim(c.input(1), 3)});
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(CheckRank4(c, sizes, "orig_input_shape"));
  c.set_output(0, sizes);
  return absl::OkStatus();
}

OpDefBuilder& PoolAttrsDef(OpDefBuilder& b, bool explicit_padding) {
  b.TypeAttr("T", {DT::kFloat32})
      .Attr("ksize", AttrType::kIntList)
      .Attr("strides", AttrType::kIntList)
      .Attr("padding", AttrType::kString)
      .Attr("data_format", AttrType::kString, std::string("NHWC"));
  if (explicit_padding) b.Attr("explicit_paddings", AttrType::kIntList, std::vector<int64_t>{});
  return b;
}

AttrMap ToAttrs(const ops::PoolAttrs& a, bool explicit_padding) {
  AttrMap m{{"ksize", a.ksize},
            {"strides", a.strides},
            {"padding", a.padding},
            {"data_format", a.data_format}};
  if (explicit_padding) m["explicit_paddings"] = a.explicit_paddings;
  return m;
}

}  // namespace

void RegisterPoolingOps(OpRegistry& r) {
  OpDefBuilder max("MaxPool");
  max.Input("input: T").Output("output: T").Shape(MaxPoolShape).Doc("Max over NHWC windows.");
  (void)r.Register(std::move(PoolAttrsDef(max, true)));
  OpDefBuilder avg("AvgPool");
  avg.Input("value: T").Output("output: T").Shape(AvgPoolShape)
      .Doc("Mean over NHWC windows (cells inside the input only).");
  (void)r.Register(std::move(PoolAttrsDef(avg, false)));
  OpDefBuilder max_grad("MaxPoolGrad");
  max_grad.Input("orig_input: T").Input("orig_output: T").Input("grad: T")
      .Output("output: T").Shape(MaxPoolGradShape)
      .Doc("MaxPool's gradient: each grad goes to its window's first maximum.");
  (void)r.Register(std::move(PoolAttrsDef(max_grad, true)));
  OpDefBuilder avg_grad("AvgPoolGrad");
  avg_grad.Input("orig_input_shape: Tsizes").Input("grad: T").Output("output: T")
      .TypeAttr("Tsizes", {DT::kInt32, DT::kFloat32}).Shape(AvgPoolGradShape)
      .Doc("AvgPool's gradient: each grad spread evenly over its window.");
  (void)r.Register(std::move(PoolAttrsDef(avg_grad, false)));
}

namespace ops {

Output MaxPool(Output input, const PoolAttrs& attrs, absl::string_view name) {
  if (!input.valid()) return Output();
  Output in[] = {input};
  return input.builder()->Op("MaxPool", in, ToAttrs(attrs, true), name);
}

Output AvgPool(Output value, const PoolAttrs& attrs, absl::string_view name) {
  if (!value.valid()) return Output();
  Output in[] = {value};
  return value.builder()->Op("AvgPool", in, ToAttrs(attrs, false), name);
}

Output MaxPoolGrad(Output orig_input, Output orig_output, Output grad, const PoolAttrs& attrs,
                   absl::string_view name) {
  if (!orig_input.valid() || !orig_output.valid() || !grad.valid()) return Output();
  Output in[] = {orig_input, orig_output, grad};
  return grad.builder()->Op("MaxPoolGrad", in, ToAttrs(attrs, true), name);
}

Output AvgPoolGrad(Output orig_input_shape, Output grad, const PoolAttrs& attrs,
                   absl::string_view name) {
  if (!orig_input_shape.valid() || !grad.valid()) return Output();
  Output in[] = {orig_input_shape, grad};
  return grad.builder()->Op("AvgPoolGrad", in, ToAttrs(attrs, false), name);
}

}  // namespace ops
}  // namespace graphrt
