#include "core/graph/ops/conv_ops.h"

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/ops/conv_window.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

using DT = DataType;

constexpr WindowAttrOptions kConvAttrs{.dilations = true};

absl::Status CheckRank4(const ShapeContext& c, const PartialShape& s, const char* what,
                        const char* layout = "NHWC") {
  if (s.known_rank() && s.rank() != 4) {
    return c.Error(absl::StrCat(what, " must have rank 4 (", layout, "), got ",
                                s.DebugString()));
  }
  return absl::OkStatus();
}

int64_t Dim(const PartialShape& s, int i) { return s.known_rank() ? s.dim(i) : -1; }

// Output [N, OH, OW, out_channels] of a conv of `input` by a filter whose
// spatial dims are those of `filter`; checks input channels == filter dim 2.
absl::Status ConvForwardShape(ShapeContext& c, bool depthwise) {
  const PartialShape& input = c.input(0);
  const PartialShape& filter = c.input(1);
  RETURN_IF_ERROR(CheckRank4(c, input, "input"));
  RETURN_IF_ERROR(CheckRank4(c, filter, "filter", "[FH, FW, C, OC]"));
  auto attrs = ReadWindowAttrs(c.node_attrs(), kConvAttrs);
  if (!attrs.ok()) return c.Error(attrs.status().message());
  const int64_t in_c = Dim(input, 3), f_c = Dim(filter, 2);
  if (in_c >= 0 && f_c >= 0 && in_c != f_c) {
    return c.Error(absl::StrCat("input ", input.DebugString(), " has ", in_c,
                                " channels but filter ", filter.DebugString(), " expects ", f_c,
                                " (filter is [FH, FW, in_channels, ",
                                depthwise ? "multiplier]" : "out_channels]"));
  }
  int64_t out_h = -1, out_w = -1;
  const int64_t in_h = Dim(input, 1), in_w = Dim(input, 2);
  const int64_t f_h = Dim(filter, 0), f_w = Dim(filter, 1);
  if (in_h >= 0 && f_h >= 0) {
    auto d = ComputeWindowDim(in_h, f_h, attrs->dilation_h, attrs->stride_h, attrs->padding,
                              attrs->pad_top, attrs->pad_bottom);
    if (!d.ok()) return c.Error(absl::StrCat("height: ", d.status().message()));
    out_h = d->out;
  }
  if (in_w >= 0 && f_w >= 0) {
    auto d = ComputeWindowDim(in_w, f_w, attrs->dilation_w, attrs->stride_w, attrs->padding,
                              attrs->pad_left, attrs->pad_right);
    if (!d.ok()) return c.Error(absl::StrCat("width: ", d.status().message()));
    out_w = d->out;
  }
  int64_t out_c = Dim(filter, 3);
  if (depthwise) out_c = (out_c >= 0 && f_c >= 0) ? out_c * f_c
                         : (out_c >= 0 && in_c >= 0) ? out_c * in_c : -1;
  c.set_output(0, PartialShape{Dim(input, 0), out_h, out_w, out_c});
  return absl::OkStatus();
}

absl::Status Conv2DShape(ShapeContext& c) { return ConvForwardShape(c, false); }
absl::Status DepthwiseShape(ShapeContext& c) { return ConvForwardShape(c, true); }

// Conv2D's output; the bias must be a vector of the output channels and the
// activation one FusedConv2D knows.
absl::Status FusedConv2DShape(ShapeContext& c) {
  RETURN_IF_ERROR(ConvForwardShape(c, false));
  auto activation = c.attr<std::string>("activation");
  if (!activation.ok()) return c.Error(activation.status().message());
  if (*activation != "None" && *activation != "Relu") {
    return c.Error(absl::StrCat("activation \"", *activation,
                                "\" is not supported: use \"None\" or \"Relu\""));
  }
  const PartialShape& bias = c.input(2);
  const int64_t out_c = Dim(c.input(1), 3);
  if (bias.known_rank() &&
      (bias.rank() != 1 || (out_c >= 0 && bias.dim(0) >= 0 && bias.dim(0) != out_c))) {
    return c.Error(absl::StrCat("bias ", bias.DebugString(),
                                " must be a vector of the filter's output channels (", out_c,
                                ")"));
  }
  return absl::OkStatus();
}

// A sizes input: int32 [4] (values unknown here) or a float32 tensor whose
// shape is the answer. `fallback` is what is known otherwise.
absl::Status SizesShape(ShapeContext& c, int sizes_input, PartialShape fallback) {
  const PartialShape& sizes = c.input(sizes_input);
  if (c.input_type(sizes_input) == DT::kInt32) {
    if (sizes.known_rank() && (sizes.rank() != 1 || (sizes.dim(0) >= 0 && sizes.dim(0) != 4))) {
      return c.Error(absl::StrCat("the sizes input must be an int32 vector of 4, got ",
                                  sizes.DebugString()));
    }
    c.set_output(0, std::move(fallback));
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(CheckRank4(c, sizes, "the sizes input"));
  c.set_output(0, sizes.known_rank() ? sizes : fallback);
  return absl::OkStatus();
}

absl::Status BackpropInputShape(ShapeContext& c) {
  RETURN_IF_ERROR(CheckRank4(c, c.input(1), "filter", "[FH, FW, C, OC]"));
  RETURN_IF_ERROR(CheckRank4(c, c.input(2), "out_backprop"));
  auto attrs = ReadWindowAttrs(c.node_attrs(), kConvAttrs);
  if (!attrs.ok()) return c.Error(attrs.status().message());
  return SizesShape(c, 0, PartialShape{-1, -1, -1, Dim(c.input(1), 2)});
}

absl::Status BackpropFilterShape(ShapeContext& c) {
  RETURN_IF_ERROR(CheckRank4(c, c.input(0), "input"));
  RETURN_IF_ERROR(CheckRank4(c, c.input(2), "out_backprop"));
  auto attrs = ReadWindowAttrs(c.node_attrs(), kConvAttrs);
  if (!attrs.ok()) return c.Error(attrs.status().message());
  return SizesShape(c, 1, PartialShape{-1, -1, Dim(c.input(0), 3), -1});
}

OpDefBuilder ConvOp(const char* name, std::initializer_list<const char*> inputs, ShapeFn shape,
                    bool sizes_input, const char* doc) {
  OpDefBuilder b(name);
  for (const char* in : inputs) b.Input(in);
  b.Output("output: T")
      .TypeAttr("T", {DT::kFloat32})
      .Attr("strides", AttrType::kIntList)
      .Attr("padding", AttrType::kString)
      .Attr("explicit_paddings", AttrType::kIntList, std::vector<int64_t>{})
      .Attr("data_format", AttrType::kString, std::string("NHWC"))
      .Attr("dilations", AttrType::kIntList, std::vector<int64_t>{1, 1, 1, 1})
      .Shape(std::move(shape))
      .Doc(doc);
  if (sizes_input) b.TypeAttr("Tsizes", {DT::kInt32, DT::kFloat32});
  return b;
}

AttrMap ToAttrs(const ops::Conv2DAttrs& a) {
  return {{"strides", a.strides},
          {"padding", a.padding},
          {"explicit_paddings", a.explicit_paddings},
          {"dilations", a.dilations},
          {"data_format", a.data_format}};
}

}  // namespace

void RegisterConvOps(OpRegistry& r) {
  OpDefBuilder conv = ConvOp("Conv2D", {"input: T", "filter: T"}, Conv2DShape, false,
                             "2-D convolution, NHWC input, [FH, FW, C, OC] filter.");
  conv.Attr("use_cudnn_on_gpu", AttrType::kBool, true);
  (void)r.Register(std::move(conv));
  OpDefBuilder fused = ConvOp(
      "FusedConv2D", {"input: T", "filter: T", "bias: T"}, FusedConv2DShape, false,
      "Activation(BiasAdd(Conv2D(input, filter), bias)) in one kernel; activation \"None\" "
      "or \"Relu\" (graphrt's; TF's _FusedConv2D with fused_ops [BiasAdd(, Relu)]).");
  fused.Attr("activation", AttrType::kString, std::string("None"));
  (void)r.Register(std::move(fused));
  (void)r.Register(ConvOp("DepthwiseConv2dNative", {"input: T", "filter: T"}, DepthwiseShape,
                          false, "Depthwise 2-D convolution, [FH, FW, C, M] filter."));
  OpDefBuilder bi = ConvOp("Conv2DBackpropInput",
                           {"input_sizes: Tsizes", "filter: T", "out_backprop: T"},
                           BackpropInputShape, true, "Conv2D's gradient w.r.t. its input.");
  bi.Attr("use_cudnn_on_gpu", AttrType::kBool, true);
  (void)r.Register(std::move(bi));
  OpDefBuilder bf = ConvOp("Conv2DBackpropFilter",
                           {"input: T", "filter_sizes: Tsizes", "out_backprop: T"},
                           BackpropFilterShape, true, "Conv2D's gradient w.r.t. its filter.");
  bf.Attr("use_cudnn_on_gpu", AttrType::kBool, true);
  (void)r.Register(std::move(bf));
  (void)r.Register(ConvOp("DepthwiseConv2dNativeBackpropInput",
                          {"input_sizes: Tsizes", "filter: T", "out_backprop: T"},
                          BackpropInputShape, true,
                          "DepthwiseConv2dNative's gradient w.r.t. its input."));
  (void)r.Register(ConvOp("DepthwiseConv2dNativeBackpropFilter",
                          {"input: T", "filter_sizes: Tsizes", "out_backprop: T"},
                          BackpropFilterShape, true,
                          "DepthwiseConv2dNative's gradient w.r.t. its filter."));
}

namespace ops {
namespace {

Output Conv(const char* op, std::initializer_list<Output> inputs, const Conv2DAttrs& attrs,
            absl::string_view name) {
  for (const Output& o : inputs) {
    if (!o.valid()) return Output();
  }
  std::vector<Output> in(inputs);
  return in[0].builder()->Op(op, in, ToAttrs(attrs), name);
}

}  // namespace

Output Conv2D(Output input, Output filter, const Conv2DAttrs& attrs, absl::string_view name) {
  return Conv("Conv2D", {input, filter}, attrs, name);
}
Output FusedConv2D(Output input, Output filter, Output bias, absl::string_view activation,
                   const Conv2DAttrs& attrs, absl::string_view name) {
  if (!input.valid() || !filter.valid() || !bias.valid()) return Output();
  AttrMap a = ToAttrs(attrs);
  a["activation"] = std::string(activation);
  const std::vector<Output> in = {input, filter, bias};
  return input.builder()->Op("FusedConv2D", in, a, name);
}
Output DepthwiseConv2dNative(Output input, Output filter, const Conv2DAttrs& attrs,
                             absl::string_view name) {
  return Conv("DepthwiseConv2dNative", {input, filter}, attrs, name);
}
Output Conv2DBackpropInput(Output input_sizes, Output filter, Output out_backprop,
                           const Conv2DAttrs& attrs, absl::string_view name) {
  return Conv("Conv2DBackpropInput", {input_sizes, filter, out_backprop}, attrs, name);
}
Output Conv2DBackpropFilter(Output input, Output filter_sizes, Output out_backprop,
                            const Conv2DAttrs& attrs, absl::string_view name) {
  return Conv("Conv2DBackpropFilter", {input, filter_sizes, out_backprop}, attrs, name);
}
Output DepthwiseConv2dNativeBackpropInput(Output input_sizes, Output filter,
                                          Output out_backprop, const Conv2DAttrs& attrs,
                                          absl::string_view name) {
  return Conv("DepthwiseConv2dNativeBackpropInput", {input_sizes, filter, out_backprop}, attrs,
              name);
}
Output DepthwiseConv2dNativeBackpropFilter(Output input, Output filter_sizes,
                                           Output out_backprop, const Conv2DAttrs& attrs,
                                           absl::string_view name) {
  return Conv("DepthwiseConv2dNativeBackpropFilter", {input, filter_sizes, out_backprop}, attrs,
              name);
}

}  // namespace ops
}  // namespace graphrt
