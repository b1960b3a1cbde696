#include "core/graph/ops/conv_nd_ops.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/ops/conv_nd_window.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

using DT = DataType;
using Ints = std::vector<int64_t>;

// [N, C_out, O...] from x [N, C, D...] and the window's spatial sizes, or
// -1 where a size is unknown (any spatial dim, or the kernel for convs).
absl::Status WindowOutputShape(ShapeContext& c, const Ints& kernel, int64_t out_channels) {
  const PartialShape& x = c.input(0);
  if (!x.known_rank()) return absl::OkStatus();  // output stays unknown
  if (x.rank() < 3) {
    return c.Error(absl::StrCat("input must be [N, C, D1, ...] with 1 to 3 spatial axes, got ",
                                x.DebugString()));
  }
  const int r = x.rank() - 2;
  std::vector<int64_t> out{x.dim(0), out_channels};
  Ints in(x.dims().begin() + 2, x.dims().end());
  bool known = static_cast<int>(kernel.size()) == r;
  for (int64_t d : in) known = known && d >= 0;
  for (int64_t k : kernel) known = known && k >= 0;
  if (known) {
    auto attrs = ReadNdWindowAttrs(c.node_attrs());
    if (!attrs.ok()) return c.Error(attrs.status().message());
    auto w = ComputeNdWindow(in, kernel, *attrs);
    if (!w.ok()) return c.Error(w.status().message());
    out.insert(out.end(), w->out.begin(), w->out.end());
  } else {
    out.resize(2 + r, -1);
  }
  c.set_output(0, PartialShape(out));
  return absl::OkStatus();
}

absl::Status ConvNdShape(ShapeContext& c) {
  const PartialShape& x = c.input(0);
  const PartialShape& w = c.input(1);
  ASSIGN_OR_RETURN(int64_t group, c.attr<int64_t>("group"));
  if (group < 1) return c.Error(absl::StrCat("group must be positive, got ", group));
  if (x.known_rank() && w.known_rank() && x.rank() != w.rank()) {
    return c.Error(absl::StrCat("input ", x.DebugString(), " and weights ", w.DebugString(),
                                " must have the same rank (weights are [M, C/group, K...])"));
  }
  if (x.known_rank() && w.known_rank() && x.dim(1) >= 0 && w.dim(1) >= 0 &&
      x.dim(1) != w.dim(1) * group) {
    return c.Error(absl::StrCat("input ", x.DebugString(), " has ", x.dim(1),
                                " channels but weights ", w.DebugString(), " with group ",
                                group, " expect ", w.dim(1) * group));
  }
  Ints kernel;
  if (w.known_rank()) kernel.assign(w.dims().begin() + 2, w.dims().end());
  return WindowOutputShape(c, kernel, w.known_rank() ? w.dim(0) : -1);
}

// The output's rank, batch and channels (M = weights dim 1 * group); the
// spatial sizes are worked out by the kernel (ConvTransposeNdWindow).
absl::Status ConvTransposeNdShape(ShapeContext& c) {
  const PartialShape& x = c.input(0);
  const PartialShape& w = c.input(1);
  ASSIGN_OR_RETURN(int64_t group, c.attr<int64_t>("group"));
  if (group < 1) return c.Error(absl::StrCat("group must be positive, got ", group));
  if (x.known_rank() && w.known_rank() && (x.rank() != w.rank() || x.rank() < 3)) {
    return c.Error(absl::StrCat("input ", x.DebugString(), " and weights ", w.DebugString(),
                                " must have the same rank >= 3 (weights are [C, M/group, K...])"));
  }
  if (!x.known_rank()) return absl::OkStatus();
  std::vector<int64_t> out(x.rank(), -1);
  out[0] = x.dim(0);
  if (w.known_rank() && w.dim(1) >= 0) out[1] = w.dim(1) * group;
  c.set_output(0, PartialShape(out));
  return absl::OkStatus();
}

absl::Status PoolNdShape(ShapeContext& c) {
  ASSIGN_OR_RETURN(Ints kernel, c.attr<Ints>("kernel_shape"));
  const PartialShape& x = c.input(0);
  if (x.known_rank() && static_cast<int>(kernel.size()) != x.rank() - 2) {
    return c.Error(absl::StrCat("kernel_shape has ", kernel.size(), " entries but input ",
                                x.DebugString(), " has ", x.rank() - 2, " spatial axes"));
  }
  RETURN_IF_ERROR(WindowOutputShape(c, kernel, x.known_rank() ? x.dim(1) : -1));
  for (int i = 1; i < c.num_outputs(); ++i) c.set_output(i, c.outputs()[0]);
  return absl::OkStatus();
}

OpDefBuilder& WindowAttrs(OpDefBuilder& b) {
  return b.Attr("strides", AttrType::kIntList, Ints{})
      .Attr("dilations", AttrType::kIntList, Ints{})
      .Attr("pads", AttrType::kIntList, Ints{})
      .Attr("auto_pad", AttrType::kString, std::string("NOTSET"));
}

}  // namespace

void RegisterConvNdOps(OpRegistry& r) {
  OpDefBuilder conv("ConvNd");
  conv.Input("x: T").Input("w: T").Input("b: T").Output("y: T").TypeAttr("T", {DT::kFloat32});
  WindowAttrs(conv)
      .Attr("group", AttrType::kInt, int64_t{1})
      .Shape(ConvNdShape)
      .Doc("ONNX Conv: channels-first N-D convolution; b is [M] or [0] (no bias).");
  (void)r.Register(std::move(conv));

  OpDefBuilder convt("ConvTransposeNd");
  convt.Input("x: T").Input("w: T").Input("b: T").Output("y: T").TypeAttr("T", {DT::kFloat32});
  WindowAttrs(convt)
      .Attr("group", AttrType::kInt, int64_t{1})
      .Attr("output_padding", AttrType::kIntList, Ints{})
      .Attr("output_shape", AttrType::kIntList, Ints{})
      .Shape(ConvTransposeNdShape)
      .Doc("ONNX ConvTranspose: channels-first N-D transposed convolution; w is "
           "[C, M/group, K...], b is [M] or [0].");
  (void)r.Register(std::move(convt));

  OpDefBuilder max("MaxPoolNd");
  max.Input("x: T").Output("y: T").Output("indices: int64")
      .TypeAttr("T", {DT::kFloat32, DT::kFloat64, DT::kInt8, DT::kUint8});
  WindowAttrs(max)
      .Attr("kernel_shape", AttrType::kIntList)
      .Attr("ceil_mode", AttrType::kBool, false)
      .Attr("storage_order", AttrType::kInt, int64_t{0})
      .Shape(PoolNdShape)
      .Doc("ONNX MaxPool: channels-first N-D max pooling with argmax indices.");
  (void)r.Register(std::move(max));

  OpDefBuilder avg("AvgPoolNd");
  avg.Input("x: T").Output("y: T").TypeAttr("T", {DT::kFloat32});
  WindowAttrs(avg)
      .Attr("kernel_shape", AttrType::kIntList)
      .Attr("ceil_mode", AttrType::kBool, false)
      .Attr("count_include_pad", AttrType::kBool, false)
      .Shape(PoolNdShape)
      .Doc("ONNX AveragePool: channels-first N-D average pooling.");
  (void)r.Register(std::move(avg));
}

}  // namespace graphrt
